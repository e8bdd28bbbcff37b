/**
 * What the code under test writes to stdout (where @actions/core writes the
 * log and its ::add-mask:: commands), captured instead of printed, fresh for
 * each test of the file.
 */
import { afterEach, beforeEach, jest } from '@jest/globals'

export function captureStdout(): { chunks: () => string[] } {
  let chunks: string[] = []
  beforeEach(() => {
    chunks = []
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk))
      return true
    })
  })
  afterEach(() => {
    jest.restoreAllMocks()
  })
  return { chunks: () => chunks }
}
