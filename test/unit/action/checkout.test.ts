import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { assertCheckout, NOT_A_CHECKOUT } from '../../../src/action/checkout.js'
import { gitIn } from '../../support/sandbox.js'

let root: string
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-'))
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

describe('assertCheckout', () => {
  it('accepts the top level of a git work tree', async () => {
    gitIn(root, ['init', '-q'])
    await expect(assertCheckout(root)).resolves.toBeUndefined()
  })

  it('names the missing actions/checkout step for a folder that is not a repository, or is missing', async () => {
    await expect(assertCheckout(root)).rejects.toThrow(NOT_A_CHECKOUT)
    await expect(assertCheckout(path.join(root, 'missing'))).rejects.toThrow(NOT_A_CHECKOUT)
  })

  it('refuses a workspace the checkout is only a subfolder of, or that sits inside another repository', async () => {
    fs.mkdirSync(path.join(root, 'sub'))
    gitIn(path.join(root, 'sub'), ['init', '-q'])
    await expect(assertCheckout(root)).rejects.toThrow(NOT_A_CHECKOUT)
    fs.mkdirSync(path.join(root, 'sub', 'inner'))
    await expect(assertCheckout(path.join(root, 'sub', 'inner'))).rejects.toThrow(NOT_A_CHECKOUT)
  })
})
