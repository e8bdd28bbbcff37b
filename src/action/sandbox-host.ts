/**
 * The action's way of starting Claude Code: prepare the runner, find the
 * pinned sandbox runtime, and keep the job's secret folders out of reach.
 */
import * as core from '@actions/core'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildClaudeEnv } from '../claude/env.js'
import { ACTION_HINTS, PROVIDER_LABELS, resolveProvider, type Provider } from '../claude/providers.js'
import { startClaudeHost, type ClaudeHost } from '../sandbox/claude-host.js'
import { SandboxUnavailableError } from '../sandbox/runtime.js'
import { resolveSandboxRuntime } from './claude-install.js'
import type { Inputs, RunnerContext } from './inputs.js'
import { prepareRunnerForSandbox } from './sandbox-setup.js'

/** The action's own folder: dist/index.js lives in <action>/dist. */
function actionRoot(): string {
  return path.dirname(path.dirname(fileURLToPath(import.meta.url)))
}

/**
 * The model provider the inputs and the job's environment select, with every
 * piece it needs (ProviderConfigError naming the missing one otherwise): a
 * runner has no `claude login`, so the credential must be there in either mode.
 */
export function actionProvider(inputs: Inputs, ctx: RunnerContext): Provider {
  return resolveProvider({ ...ctx.env, ...inputs.providerEnv }, { requireCredential: true, hints: ACTION_HINTS })
}

export async function openClaudeHost(
  inputs: Inputs,
  ctx: RunnerContext,
  claudePath: string,
  provider: Provider
): Promise<ClaudeHost> {
  core.info(`Model provider: ${PROVIDER_LABELS[provider.name]} (${new URL(provider.upstream).host})`)
  const common = {
    workspace: ctx.workspace,
    claudePath,
    env: buildClaudeEnv(ctx.env),
    provider,
    allowedDomains: inputs.allowedDomains,
    denyRead: [ctx.runnerTemp, ctx.actionPath, actionRoot()].filter((p): p is string => Boolean(p)),
    warn: (message: string) => core.warning(message)
  }
  if (inputs.sandbox === 'off') return startClaudeHost({ ...common, mode: 'off', runtimeDir: null })
  const setupProblem = await prepareRunnerForSandbox(ctx.env.PATH ?? '/usr/bin:/bin')
  try {
    const runtimeDir = await resolveSandboxRuntime({ toolCache: ctx.toolCache, pathVar: ctx.env.PATH })
    const host = await startClaudeHost({ ...common, mode: 'required', runtimeDir })
    core.info(
      `Claude Code runs in the sandbox; network: the model (through the credential proxy), ${inputs.allowedDomains.length} other host(s)`
    )
    return host
  } catch (err) {
    if (err instanceof SandboxUnavailableError && setupProblem) {
      throw new SandboxUnavailableError(`${err.message} (Preparing the runner: ${setupProblem}.)`)
    }
    throw err
  }
}
