import { stopClaudeOnExit } from './claude/runner.js'
import { run } from './action/main.js'

// A cancelled job must not leave Claude running on the runner.
stopClaudeOnExit()
await run()
