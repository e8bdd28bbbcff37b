import { describe, expect, it } from '@jest/globals'
import { logProgress } from '../../../src/action/progress-log.js'
import { SecretRegistry } from '../../../src/action/secrets.js'
import type { ProgressEvent } from '../../../src/engine/progress.js'
import { captureStdout } from '../../support/stdout.js'

const captured = captureStdout()

describe('logProgress', () => {
  it('logs each event redacted and inert for the runner, and hands the status comment the redacted event', () => {
    const secrets = new SecretRegistry()
    secrets.add('sk-ant-progress-secret-0123')
    const seen: ProgressEvent[] = []
    const log = logProgress(secrets, '/work/repo', { onProgress: e => seen.push(e) })

    log({ type: 'text', phase: 'plan', text: 'The key is sk-ant-progress-secret-0123' })
    log({ type: 'text', phase: 'plan', text: '::error title=Injected::forged annotation' })
    const lines = captured
      .chunks()
      .join('')
      .split('\n')
      .filter(l => l && !l.startsWith('::add-mask::'))
    expect(lines).toEqual(['  The key is ***', '  :\u200b:error title=Injected::forged annotation'])
    expect(seen.map(e => e.type === 'text' && e.text)).toEqual([
      'The key is ***',
      '::error title=Injected::forged annotation'
    ])
  })
})
