/** The comment that asks a maintainer what Claude asked, with its options and how to answer. */
import { namedOption } from '../../engine/questions.js'
import type { PendingQuestion } from '../../engine/types.js'
import { encodeQuestionMarker, type QuestionState } from '../markers.js'
import { neutralize } from './markdown.js'

function renderQuestion(q: PendingQuestion, n: number, count: number): string {
  const title = `${count > 1 ? `${n}. ` : ''}${q.header ? `**${neutralize(q.header)}:** ` : ''}${neutralize(q.question)}`
  const options = q.options.map(
    (o, i) => `${i + 1}. **${neutralize(o.label)}**${o.description ? ` — ${neutralize(o.description)}` : ''}`
  )
  return [title, ...(options.length ? ['', ...options] : [])].join('\n')
}

export function renderQuestionComment(state: QuestionState, runUrl: string): string {
  const qs = state.questions
  const how =
    qs.length === 1 && qs[0]?.options.length
      ? 'Reply `/answer <number>` to pick an option, or `/answer <your own words>`.'
      : qs.length > 1
        ? 'Reply `/answer` with one line per question, in order (a number picks that option).'
        : 'Reply `/answer <your answer>`.'
  return [
    encodeQuestionMarker(state),
    `### ❓ Claude has a question (${state.phase})`,
    qs.map((q, i) => renderQuestion(q, i + 1, qs.length)).join('\n\n'),
    `${how} The run goes on from the ${state.phase} phase with your answer. [Workflow run](${runUrl})`
  ].join('\n\n')
}

/** `/answer 2` → option 2's label; several lines answer several questions in order. Null names what is missing. */
export function resolveAnswers(questions: PendingQuestion[], text: string): string[] | null {
  const lines =
    questions.length > 1
      ? text
          .split('\n')
          .map(l => l.trim())
          .filter(Boolean)
      : [text.trim()]
  if (lines.length < questions.length || lines.some(l => !l)) return null
  return questions.map((q, i) => {
    const given = lines[i] as string
    return namedOption(q.options, given, 'number')?.label ?? given
  })
}
