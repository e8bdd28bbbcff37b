import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { assertNoCredentialFiles, credentialFileProblem } from '../../../src/action/credential-files.js'

let root: string
let workspace: string
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'creds-'))
  workspace = path.join(root, 'ws')
  fs.mkdirSync(workspace)
  fs.writeFileSync(path.join(workspace, 'README.md'), 'hello\n')
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

describe('credentialFileProblem', () => {
  it('accepts a workspace with no credentials file and variables that point outside it', () => {
    fs.writeFileSync(path.join(root, 'gha-creds-1234.json'), '{}')
    expect(
      credentialFileProblem(workspace, {
        GOOGLE_APPLICATION_CREDENTIALS: path.join(root, 'gha-creds-1234.json'),
        AWS_WEB_IDENTITY_TOKEN_FILE: '/tmp/token'
      })
    ).toBeNull()
  })

  it("names google-github-actions/auth's file in the workspace and the setting that keeps it out", () => {
    fs.writeFileSync(path.join(workspace, 'gha-creds-8f2c1a.json'), '{"type":"external_account"}')
    const problem = credentialFileProblem(workspace, {})
    expect(problem).toContain('a credentials file is in the workspace (gha-creds-8f2c1a.json)')
    expect(problem).toContain('create_credentials_file: false')
    expect(() => assertNoCredentialFiles(workspace, {})).toThrow('gha-creds-8f2c1a.json')
  })

  it('names a variable that points into the workspace, relative or through a symlink', () => {
    fs.mkdirSync(path.join(workspace, 'secrets'))
    fs.writeFileSync(path.join(workspace, 'secrets', 'key.json'), '{}')
    expect(credentialFileProblem(workspace, { GOOGLE_APPLICATION_CREDENTIALS: 'secrets/key.json' })).toContain(
      'GOOGLE_APPLICATION_CREDENTIALS points at a file in the workspace (secrets/key.json)'
    )
    const link = path.join(root, 'link')
    fs.symlinkSync(path.join(workspace, 'secrets'), link)
    expect(credentialFileProblem(workspace, { AWS_SHARED_CREDENTIALS_FILE: path.join(link, 'key.json') })).toContain(
      'AWS_SHARED_CREDENTIALS_FILE points at a file in the workspace'
    )
  })
})
