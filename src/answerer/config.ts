/**
 * Which second model answers Claude's questions, detected from the environment
 * as the original orchestrator did: Azure OpenAI when its key and endpoint are
 * set, else OpenAI when its key is set, else nobody (the fallback instruction).
 */

export const DEFAULT_OPENAI_MODEL = 'gpt-5-mini'
export const DEFAULT_AZURE_API_VERSION = '2024-10-21'

export type AnswererConfig =
  | { kind: 'openai'; apiKey: string; model: string; baseURL?: string }
  | { kind: 'azure'; apiKey: string; endpoint: string; deployment: string; apiVersion: string }

export class AnswererConfigError extends Error {}

export function detectAnswerer(env: Record<string, string | undefined>): AnswererConfig | null {
  const azureKey = env.AZURE_OPENAI_API_KEY?.trim()
  const azureEndpoint = env.AZURE_OPENAI_ENDPOINT?.trim()
  if (azureKey && azureEndpoint) {
    const deployment = env.AZURE_OPENAI_DEPLOYMENT?.trim() || env.OPENAI_MODEL?.trim()
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
      apiVersion: env.AZURE_OPENAI_API_VERSION?.trim() || DEFAULT_AZURE_API_VERSION
    }
  }
  const openaiKey = env.OPENAI_API_KEY?.trim()
  if (openaiKey) {
    const config: AnswererConfig = {
      kind: 'openai',
      apiKey: openaiKey,
      model: env.OPENAI_MODEL?.trim() || DEFAULT_OPENAI_MODEL
    }
    const baseURL = env.OPENAI_BASE_URL?.trim()
    if (baseURL) config.baseURL = baseURL
    return config
  }
  return null
}

export function describeAnswerer(config: AnswererConfig | null): string {
  if (!config) return 'no answerer configured (questions get the fallback instruction)'
  return config.kind === 'azure'
    ? `Azure OpenAI deployment ${config.deployment}`
    : `OpenAI model ${config.model}${config.baseURL ? ` at ${config.baseURL}` : ''}`
}
