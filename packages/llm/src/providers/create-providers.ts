import {
  CatalogError,
  type ModelSpec,
  type ModelSpecInput,
  modelIdPattern,
  parseModelSpec,
} from '../catalog/model-spec.ts'
import type { ChatProvider } from '../types.ts'
import { createAnthropicProvider } from './anthropic/anthropic-provider.ts'
import { createDemoProvider, type DemoProviderOptions } from './demo/demo-provider.ts'
import { createOpenAIProvider } from './openai/openai-provider.ts'

/** A spec for a compatible endpoint's model; `provider` defaults to the endpoint's id. */
export type CompatibleModelInput = Omit<ModelSpecInput, 'provider'> & { provider?: string }

export interface CompatibleEndpointConfig {
  /** Provider id for this endpoint, e.g. `ollama` or `openrouter`. */
  id: string
  /** OpenAI-compatible base URL ending in `/v1`. */
  baseUrl: string
  apiKey?: string | undefined
  /** Which output-limit parameter the server reads; defaults to `max_tokens`. */
  maxTokensParam?: 'max_completion_tokens' | 'max_tokens'
  /**
   * The endpoint's models with explicit prices in USD per million tokens (`0` is allowed when
   * written out, for local models); a missing price is an error. Untyped objects (parsed JSON
   * config) are accepted and validated here.
   */
  models: readonly (CompatibleModelInput | Record<string, unknown>)[]
}

/** Plain values the API reads from its environment and passes in; nothing here reads `process.env`. */
export interface ProvidersConfig {
  /** Configured when it has an API key or a base URL (a local server may need no key). */
  openai?: { apiKey?: string | undefined; baseUrl?: string | undefined } | undefined
  /** Configured when it has an API key. */
  anthropic?: { apiKey?: string | undefined; baseUrl?: string | undefined } | undefined
  compatible?: readonly CompatibleEndpointConfig[] | undefined
  demo?: DemoProviderOptions | undefined
  /** Upper bound the SDKs enforce per request; the router's timeouts are normally shorter. */
  requestTimeoutMs?: number | undefined
}

export interface ProviderSetup {
  providers: Map<string, ChatProvider>
  /** Ids of the real providers that are configured; empty means demo mode. */
  configured: string[]
  /** Validated specs declared by compatible endpoints, to add to the catalog's. */
  models: ModelSpec[]
  demoOnly: boolean
}

const reservedIds = new Set(['openai', 'anthropic', 'demo', 'auto'])

/** Builds every configured provider; the demo provider only when no real one is configured. */
export function createProviders(config: ProvidersConfig): ProviderSetup {
  const providers = new Map<string, ChatProvider>()
  const models: ModelSpec[] = []
  const timeoutMs = config.requestTimeoutMs ?? 600_000

  const openai = config.openai
  if (openai && (nonEmpty(openai.apiKey) || nonEmpty(openai.baseUrl))) {
    providers.set(
      'openai',
      createOpenAIProvider({
        apiKey: nonEmpty(openai.apiKey),
        baseUrl: nonEmpty(openai.baseUrl),
        timeoutMs,
      }),
    )
  }
  const anthropicKey = nonEmpty(config.anthropic?.apiKey)
  if (anthropicKey) {
    providers.set(
      'anthropic',
      createAnthropicProvider({
        apiKey: anthropicKey,
        baseUrl: nonEmpty(config.anthropic?.baseUrl),
        timeoutMs,
      }),
    )
  }
  for (const endpoint of config.compatible ?? []) {
    if (!modelIdPattern.test(endpoint.id) || reservedIds.has(endpoint.id)) {
      throw new CatalogError(`compatible endpoint id "${endpoint.id}" is invalid or reserved`)
    }
    if (providers.has(endpoint.id)) {
      throw new CatalogError(`compatible endpoint id "${endpoint.id}" is used twice`)
    }
    providers.set(
      endpoint.id,
      createOpenAIProvider({
        id: endpoint.id,
        apiKey: nonEmpty(endpoint.apiKey),
        baseUrl: endpoint.baseUrl,
        maxTokensParam: endpoint.maxTokensParam ?? 'max_tokens',
        timeoutMs,
      }),
    )
    for (const input of endpoint.models) {
      if (input.provider !== undefined && input.provider !== endpoint.id) {
        throw new CatalogError(
          `model ${String(input.id)} of endpoint ${endpoint.id} names another provider`,
        )
      }
      models.push(parseModelSpec({ ...input, provider: endpoint.id }))
    }
  }

  const configured = [...providers.keys()]
  if (configured.length === 0) providers.set('demo', createDemoProvider(config.demo))
  return { providers, configured, models, demoOnly: configured.length === 0 }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value?.trim() ? value.trim() : undefined
}
