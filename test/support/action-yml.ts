/** action.yml as the runner reads it, for tests that need the inputs' defaults without copying them. */
import fs from 'node:fs'
import path from 'node:path'

/** Each input's `default:` in action.yml (plain and quoted scalars), unevaluated (`${{ github.token }}` stays). */
export function actionYmlDefaults(): Record<string, string> {
  const yml = fs.readFileSync(path.join(import.meta.dirname, '../../action.yml'), 'utf8')
  const inputs = /^inputs:\n((?: {2}.*\n|\n)+)/m.exec(yml)?.[1] ?? ''
  const defaults: Record<string, string> = {}
  let name = ''
  for (const line of inputs.split('\n')) {
    const key = /^ {2}(\w+):\s*$/.exec(line)
    if (key) name = key[1] as string
    const value = /^ {4}default:\s*(.*)$/.exec(line)?.[1]?.trim()
    if (name && value !== undefined) defaults[name] = value.replace(/^'(.*)'$|^"(.*)"$/, '$1$2').replace(/''/g, "'")
  }
  return defaults
}
