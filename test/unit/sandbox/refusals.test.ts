import { describe, expect, it } from '@jest/globals'
import { deniedWrites } from '../../../src/sandbox/refusals.js'

describe('deniedWrites', () => {
  it('reads the refused path from what sh, bash, coreutils, Node and Python print', () => {
    const output = [
      '/bin/sh: 1: cannot create /etc/foo: Read-only file system',
      '/usr/bin/bash: line 3: /home/runner/pwned.txt: Read-only file system',
      "touch: cannot touch '/tmp/x y': Read-only file system",
      "Error: EROFS: read-only file system, open '/root/.npmrc'",
      "OSError: [Errno 30] Read-only file system: '/opt/tool/cache'"
    ].join('\n')
    expect(deniedWrites(output)).toEqual([
      '/etc/foo',
      '/home/runner/pwned.txt',
      '/root/.npmrc',
      '/tmp/x y',
      '/opt/tool/cache'
    ])
  })

  it('finds nothing in ordinary output', () => {
    expect(deniedWrites('npm test\n1 passing\nwrote /tmp/x')).toEqual([])
  })
})
