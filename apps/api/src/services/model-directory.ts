import {
  availableModels,
  type ChatProvider,
  createRouter,
  defaultFallbacks,
  defaultModel,
  type ModelSpec,
  type Router,
  type RouterOptions,
  specToRow,
} from '@parley/llm'
import type { ModelList, ModelSummary } from '@parley/schema/contracts'
import { AppError } from '../errors.ts'

/** The models this server can answer with, and the router that calls them. */
export interface ModelDirectory {
  readonly router: Router
  readonly models: readonly ModelSpec[]
  readonly defaultModelId: string
  readonly demoOnly: boolean
  list(): ModelList
  /** The requested model (`auto` included) if it can be served; `validation_error` otherwise. */
  resolve(requested: string | null | undefined): string
  /** The ids `resolve` accepts (`auto` included): what a stored preference may name. */
  readonly offered: readonly string[]
  /** The largest context window among the models a request may end up on. */
  largestContextWindow(): number
}

export function createModelDirectory(options: {
  specs: readonly ModelSpec[]
  providers: ReadonlyMap<string, ChatProvider>
  configuredProviders: readonly string[]
  defaultModelId?: string | undefined
  fallbacks?: Record<string, string[]> | undefined
  router?: Partial<Omit<RouterOptions, 'providers' | 'models'>>
}): ModelDirectory {
  const models = availableModels(options.specs, options.configuredProviders)
  const chosenDefault =
    models.find((spec) => spec.id === options.defaultModelId) ?? defaultModel(models)
  if (!chosenDefault) throw new Error('no model is available: the catalog has none enabled')
  const demoOnly = models.every((spec) => spec.provider === 'demo')
  const router = createRouter({
    fallbacks: options.fallbacks ?? defaultFallbacks,
    ...options.router,
    providers: options.providers,
    models,
    defaultModel: chosenDefault.id,
  })
  const ids = new Set(models.map((spec) => spec.id))

  const summary = (spec: ModelSpec): ModelSummary => {
    const row = specToRow(spec)
    return {
      id: row.id,
      provider: row.provider,
      displayName: row.displayName,
      contextWindow: row.contextWindow,
      maxOutputTokens: row.maxOutputTokens,
      inputUsdPerMtok: row.inputUsdPerMtok,
      outputUsdPerMtok: row.outputUsdPerMtok,
      cachedInputUsdPerMtok: row.cachedInputUsdPerMtok,
      capabilities: { ...row.capabilities },
      isDefault: row.id === chosenDefault.id,
    }
  }
  const list: ModelList = {
    items: models.map(summary),
    defaultModelId: chosenDefault.id,
    demoOnly,
  }

  return {
    router,
    models,
    defaultModelId: chosenDefault.id,
    demoOnly,
    list: () => list,
    resolve(requested) {
      if (!requested) return chosenDefault.id
      if (requested === 'auto' || ids.has(requested)) return requested
      throw new AppError('validation_error', `model: "${requested}" is not available here`, {
        details: { available: [...ids, 'auto'] },
      })
    },
    offered: [...ids, 'auto'],
    largestContextWindow: () => Math.max(...models.map((spec) => spec.contextWindow)),
  }
}
