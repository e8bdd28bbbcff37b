/**
 * Jest globalSetup of the e2e project: resolves the Node 24 binary the
 * action runs on (`runs.using: node24`) once per Jest run instead of once per
 * test file (each file has its own module registry), and hands it to the
 * workers through the environment (see node24Path in action-harness.ts).
 */
import { execFileSync } from 'node:child_process'

export default function resolveNode24() {
  process.env.ORCHESTRATOR_TEST_NODE24 ??= execFileSync(
    'npx',
    ['-y', '-p', 'node@24', 'node', '-p', 'process.execPath'],
    { encoding: 'utf8' }
  ).trim()
}
