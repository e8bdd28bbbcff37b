/**
 * Jest hooks for the end-to-end files (kept apart from action-harness.ts,
 * which the bench and demo scripts load outside Jest).
 */
import { afterEach, expect } from '@jest/globals'
import { githubProblems, type World } from './action-harness.js'

/**
 * After each test of the file: the world `world()` gives (none when the test
 * made none) made only real GitHub requests with valid bodies, and is closed
 * whatever the check says.
 */
export function checkAndClose(world: () => World | undefined): void {
  afterEach(async () => {
    const w = world()
    if (!w) return
    try {
      expect(githubProblems(w)).toEqual([])
    } finally {
      await w.close()
    }
  })
}
