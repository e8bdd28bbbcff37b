/**
 * Which second model answers Claude's questions, as the original orchestrator
 * chose it: Azure OpenAI when its key and endpoint are set, else OpenAI when
 * its key is set, else nobody (the fallback instruction).
 */

export const DEFAULT_OPENAI_MODEL = 'gpt-5-mini'
export const DEFAULT_AZURE_API_VERSION = '2024-10-21'

export type AnswererConfig =
  | { kind: 'openai'; apiKey: string; model: string; baseURL?: string }
  | { kind: 'azure'; apiKey: string; endpoint: string; deployment: string; apiVersion: string }

export class AnswererConfigError extends Error {}

/** The answerer's settings, however they were given (the action's inputs, the CLI's environment). */
export interface AnswererSettings {
  openaiApiKey?: string
  openaiModel?: string
  openaiBaseUrl?: string
  azureApiKey?: string
  azureEndpoint?: string
  azureDeployment?: string
  azureApiVersion?: string
}

/** Azure OpenAI when its key and endpoint are set, else OpenAI when its key is set, else nobody. */
export function answererConfig(s: AnswererSettings): AnswererConfig | null {
  const azureKey = s.azureApiKey?.trim()
  const azureEndpoint = s.azureEndpoint?.trim()
  if (azureKey && azureEndpoint) {
    const deployment = s.azureDeployment?.trim() || s.openaiModel?.trim()
    if (!deployment) {
      throw new AnswererConfigError(
        'AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT are set but AZURE_OPENAI_DEPLOYMENT is not: name the deployment to use'
      )
    }
    return {
      kind: 'azure',
      apiKey: azureKey,
      endpoint: azureEndpoint,
      deployment,
      apiVersion: s.azureApiVersion?.trim() || DEFAULT_AZURE_API_VERSION
    }
  }
  const openaiKey = s.openaiApiKey?.trim()
  if (openaiKey) {
    const config: AnswererConfig = {
      kind: 'openai',
      apiKey: openaiKey,
      model: s.openaiModel?.trim() || DEFAULT_OPENAI_MODEL
    }
    const baseURL = s.openaiBaseUrl?.trim()
    if (baseURL) config.baseURL = baseURL
    return config
  }
  return null
}

/** The CLI's way: the variables of the environment (or .env.claude). */
export function detectAnswerer(env: Record<string, string | undefined>): AnswererConfig | null {
  return answererConfig({
    openaiApiKey: env.OPENAI_API_KEY,
    openaiModel: env.OPENAI_MODEL,
    openaiBaseUrl: env.OPENAI_BASE_URL,
    azureApiKey: env.AZURE_OPENAI_API_KEY,
    azureEndpoint: env.AZURE_OPENAI_ENDPOINT,
    azureDeployment: env.AZURE_OPENAI_DEPLOYMENT,
    azureApiVersion: env.AZURE_OPENAI_API_VERSION
  })
}

export function describeAnswerer(config: AnswererConfig | null): string {
  if (!config) return 'no answerer configured (questions get the fallback instruction)'
  return config.kind === 'azure'
    ? `Azure OpenAI deployment ${config.deployment}`
    : `OpenAI model ${config.model}${config.baseURL ? ` at ${config.baseURL}` : ''}`
}
