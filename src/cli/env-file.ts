/**
 * Reads `.env.claude` (KEY=VALUE lines) as the original orchestrator did.
 * Values from the real environment win over the file.
 */
import fs from 'node:fs'

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (!line || line.startsWith('#')) continue
    const match = line.match(/^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/)
    if (!match) continue
    const [, key, rest = ''] = match
    let value = rest.trim()
    const quoted = value.match(/^(["'])((?:\\.|(?!\1).)*)\1\s*(?:#.*)?$/)
    if (quoted) {
      value = quoted[2] ?? ''
      if (quoted[1] === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"')
    } else {
      value = value.replace(/\s+#.*$/, '')
    }
    out[key as string] = value
  }
  return out
}

export function loadEnvFile(file: string, env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (!fs.existsSync(file)) return env
  return { ...parseEnvFile(fs.readFileSync(file, 'utf8')), ...stripEmpty(env) }
}

function stripEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
  )
}
