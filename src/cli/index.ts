import { stopClaudeOnExit } from '../claude/runner.js'
import { main } from './main.js'

stopClaudeOnExit()
process.exitCode = await main(process.argv.slice(2), process.env)
