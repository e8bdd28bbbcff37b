/** Validates ledger records against the documented schema (docs/ledger.schema.json), so the doc cannot drift from the code. */
import fs from 'node:fs'
import path from 'node:path'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { REPO_ROOT } from './sandbox.js'

const ajv = new Ajv({ strict: false, allErrors: true })
addFormatsModule.default(ajv)
const validate = ajv.compile(
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'ledger.schema.json'), 'utf8')) as object
)

/** Schema errors of one record (empty when it is valid). */
export function ledgerSchemaErrors(record: unknown): string[] {
  if (validate(record)) return []
  return (validate.errors ?? []).map(
    e => `${e.instancePath || '(record)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`
  )
}
