/**
 * How Claude Code is started for a run: inside the OS sandbox with a stand-in
 * credential (the real one stays in this process, behind the credential
 * proxy), or unconfined when the maintainer chose `sandbox: off`.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Provider } from '../claude/providers.js'
import { startCredentialProxy, type CredentialProxy } from './credential-proxy.js'
import { sandboxPolicy } from './policy.js'
import { SandboxUnavailableError, startRuntime, type Launch, type RuntimeSession } from './runtime.js'

export type SandboxMode = 'required' | 'auto' | 'off'

export const SANDBOX_MODES: readonly SandboxMode[] = ['required', 'auto', 'off']

/** What the phases see of the host: how to start a process and what the sandbox refused so far. */
export interface ClaudeHost {
  /** True when Claude runs inside the sandbox. */
  sandboxed: boolean
  /** Why it does not (mode off, or auto without a usable sandbox). */
  unconfinedReason?: string
  /** Claude's environment: in the sandbox without any real credential. */
  env: Record<string, string>
  launch(file: string, args: string[], cwd: string): Promise<Launch>
  afterCommand(): void
  /** Everything refused since the host started, in order: slice it per phase. */
  blockedConnections(): string[]
  close(): Promise<void>
}

export interface HostOptions {
  mode: SandboxMode
  /** Where @anthropic-ai/sandbox-runtime is installed. */
  runtimeDir: string | null
  workspace: string
  claudePath: string
  /** Claude's environment without any provider variable (`buildClaudeEnv`): nothing secret. */
  env: Record<string, string>
  /** The model provider: its variables are added here, the real credential only when unconfined. */
  provider: Provider
  allowedDomains: readonly string[]
  /** Folders holding the job's secrets; the real HOME is added here. */
  denyRead: string[]
  /** Called once when the sandbox is not used, with the reason (a warning for the log). */
  warn?: (message: string) => void
}

/** The claude binary's own package folder: it must stay readable when it lives under a denied HOME. */
function binaryRoot(claudePath: string): string {
  const real = fs.realpathSync(claudePath)
  const dir = path.dirname(real)
  return path.basename(dir) === 'bin' ? path.dirname(dir) : dir
}

function unconfined(opts: HostOptions, reason: string): ClaudeHost {
  opts.warn?.(reason)
  return {
    sandboxed: false,
    unconfinedReason: reason,
    env: { ...opts.env, ...opts.provider.direct },
    launch: async (file, args) => ({ file, args }),
    afterCommand: () => undefined,
    blockedConnections: () => [],
    close: async () => undefined
  }
}

export async function startClaudeHost(opts: HostOptions): Promise<ClaudeHost> {
  if (opts.mode === 'off') {
    return unconfined(
      opts,
      'the sandbox is off (sandbox: off): Claude Code runs with the same powers as the orchestrator'
    )
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'orchestrator-sandbox-'))
  const home = path.join(root, 'home')
  const tmp = path.join(root, 'tmp')
  fs.mkdirSync(home)
  fs.mkdirSync(tmp)
  let proxy: CredentialProxy | null = null
  let runtime: RuntimeSession | null = null
  const cleanUp = async (): Promise<void> => {
    await runtime?.close()
    await proxy?.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
  try {
    const env: Record<string, string> = { ...opts.env, HOME: home }
    let modelEndpoint = ''
    if (opts.provider.credential) {
      // 127.0.0.2: the runtime sends 127.0.0.1 straight to the sandbox's own (empty) loopback.
      proxy = await startCredentialProxy({
        upstream: opts.provider.upstream,
        credential: opts.provider.credential,
        host: '127.0.0.2'
      })
      Object.assign(env, opts.provider.proxied(proxy.url, proxy.dummy))
      modelEndpoint = proxy.endpoint
    }
    const realHome = opts.env.HOME ? [opts.env.HOME] : []
    const policy = sandboxPolicy({
      workspace: opts.workspace,
      home,
      tmp,
      modelEndpoint,
      allowedDomains: opts.allowedDomains,
      denyRead: [...opts.denyRead, ...realHome, os.homedir()],
      allowRead: [binaryRoot(opts.claudePath)]
    })
    runtime = await startRuntime({ packageDir: opts.runtimeDir, policy, tmp })
    const rt = runtime
    return {
      sandboxed: true,
      env,
      // By its real path: a symlink to it (node_modules/.bin) may sit in a folder the sandbox hides.
      launch: (file, args, cwd) => rt.wrap(fs.realpathSync(file), args, cwd),
      afterCommand: () => rt.afterCommand(),
      blockedConnections: () => rt.blockedConnections(),
      close: cleanUp
    }
  } catch (err) {
    await cleanUp()
    if (err instanceof SandboxUnavailableError && opts.mode === 'auto') {
      return unconfined(opts, `running without the sandbox: ${err.message}`)
    }
    throw err
  }
}
