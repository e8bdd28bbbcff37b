import { stopClaudeOnExit } from '../claude/runner.js'
import { reportMain } from '../report/cli.js'
import { main } from './main.js'

stopClaudeOnExit()
const argv = process.argv.slice(2)
process.exitCode =
  argv[0] === 'report'
    ? await reportMain(argv.slice(1), {
        cwd: process.cwd(),
        out: text => process.stdout.write(text),
        err: line => process.stderr.write(`${line}\n`)
      })
    : await main(argv, process.env)
