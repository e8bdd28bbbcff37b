import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import { VERSION } from '../../src/version.js'

describe('VERSION', () => {
  it('is the version in package.json, which `orchestrator --version` prints', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    expect(VERSION).toBe(pkg.version)
  })
})
