import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { SecretLeakError, SecretRegistry } from '../../../src/action/secrets.js'
import { secretForms } from '../../../src/util/secret-forms.js'

const TOKEN = 'ghs_unitTestToken0123456789'
let repo: string
let registry: SecretRegistry

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim()
}

function commitFile(name: string, content: string, message = 'change'): string {
  fs.writeFileSync(path.join(repo, name), content)
  git('add', '-A')
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', message)
  return git('rev-parse', 'HEAD')
}

beforeEach(() => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'))
  git('init', '-q', '-b', 'main')
  commitFile('README.md', '# x\n', 'initial')
  registry = new SecretRegistry()
  registry.add(TOKEN)
})
afterEach(() => {
  jest.restoreAllMocks()
  fs.rmSync(repo, { recursive: true, force: true })
})

describe('SecretRegistry', () => {
  it('redacts every form of a secret in text', () => {
    const b64 = Buffer.from(TOKEN).toString('base64')
    const reversed = [...TOKEN].reverse().join('')
    expect(registry.redact(`a ${TOKEN} b ${b64} c ${reversed}`)).toBe('a *** b *** c ***')
  })

  it('lets a clean commit through', async () => {
    await expect(registry.checkCommit(repo, commitFile('a.js', 'export const x = 1\n'))).resolves.toBeUndefined()
  })

  it('stops a commit whose file holds the secret encoded, naming the file but not the secret', async () => {
    const sha = commitFile('src.js', `const t = '${Buffer.from(TOKEN).toString('hex')}'\n`)
    const err = (await registry.checkCommit(repo, sha).catch((e: unknown) => e)) as Error
    expect(err).toBeInstanceOf(SecretLeakError)
    expect(err.message).toBe(
      `commit ${sha.slice(0, 7)} would publish a secret (plain or encoded) in src.js; nothing was pushed`
    )
  })

  it('stops a commit whose file holds the secret in base64 that starts mid-group (`echo "key=$TOKEN" | base64`)', async () => {
    for (const before of ['key=', 'token: ']) {
      const sha = commitFile('env.b64', `${Buffer.from(`${before}${TOKEN}\n`).toString('base64')}\n`)
      await expect(registry.checkCommit(repo, sha)).rejects.toThrow('in env.b64; nothing was pushed')
    }
  })

  it('stops a commit whose file holds the secret encoded by a tool that wraps lines, wherever the break falls', async () => {
    // What comes before the token moves the line break inside its run: base64 wraps at 76, openssl at 64, xxd -p at 60.
    const encoders = [['base64'], ['openssl', 'base64'], ['xxd', '-p']]
    for (const [tool, ...args] of encoders)
      for (const before of ['x'.repeat(40), 'y'.repeat(47), `key=${'z'.repeat(40)}`]) {
        const encoded = execFileSync(tool!, args, { input: `${before}${TOKEN}`, encoding: 'utf8' })
        // Broken by a line ending: not one of the secret's spellings is whole in it.
        expect(secretForms(TOKEN).filter(form => encoded.includes(form))).toEqual([])
        const sha = commitFile('env.txt', encoded)
        await expect(registry.checkCommit(repo, sha)).rejects.toThrow('in env.txt; nothing was pushed')
      }
  })

  it('stops a commit that carries the secret in a file name or in its message', async () => {
    const named = commitFile(`leak-${[...TOKEN].reverse().join('')}.txt`, 'x\n')
    await expect(registry.checkCommit(repo, named)).rejects.toThrow('adds a file whose name contains a secret')
    const said = commitFile('b.txt', 'y\n', `fix\n\n${TOKEN}`)
    await expect(registry.checkCommit(repo, said)).rejects.toThrow('has a secret in its message')
  })

  it('reads what git stored, not the work tree: a clean filter cannot hide the secret from the check', async () => {
    // The work tree holds a harmless file; the stored blob (what would be pushed) holds the token.
    fs.writeFileSync(path.join(repo, '.gitattributes'), '*.cfg filter=leak\n')
    git('config', 'filter.leak.clean', `sed s/PLACEHOLDER/${TOKEN}/`)
    const sha = commitFile('app.cfg', 'key=PLACEHOLDER\n')
    expect(fs.readFileSync(path.join(repo, 'app.cfg'), 'utf8')).not.toContain(TOKEN)
    await expect(registry.checkCommit(repo, sha)).rejects.toThrow('in app.cfg; nothing was pushed')
  })
})
