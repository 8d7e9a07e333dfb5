import type { ModelConfigRow } from '@parley/db'
import {
  type AutoRoutingOptions,
  availableModels,
  type ChatProvider,
  createRouter,
  type ModelSpec,
  type Router,
  type RouterOptions,
  specsFromRows,
} from '@parley/llm'
import type { AdminModel, ModelList, ModelSummary } from '@parley/schema/contracts'
import { AppError } from '../errors.ts'

/**
 * The models this server can answer with, and the router that calls them. Built from the
 * catalog rows and rebuilt from them (`load`) when an admin changes the catalog: every getter
 * answers from the newest catalog, and `router` always routes over it.
 */
export interface ModelDirectory {
  readonly router: Router
  readonly models: readonly ModelSpec[]
  readonly defaultModelId: string
  readonly demoOnly: boolean
  list(): ModelList
  /** Every catalog entry, enabled or not, as an admin edits it. */
  adminList(): AdminModel[]
  /** Whether this server has the provider an entry needs, so it could offer the model. */
  servable(provider: string): boolean
  /** The requested model (`auto` included) if it can be served; `validation_error` otherwise. */
  resolve(requested: string | null | undefined): string
  /** The ids `resolve` accepts (`auto` included): what a stored preference may name. */
  readonly offered: readonly string[]
  /** The largest context window among the models a request may end up on. */
  largestContextWindow(): number
  /** Rebuilds everything from the catalog rows; returns the rows it had to leave out. */
  load(rows: readonly ModelConfigRow[]): { id: string; error: string }[]
}

interface Snapshot {
  rows: readonly ModelConfigRow[]
  models: readonly ModelSpec[]
  defaultModelId: string
  demoOnly: boolean
  list: ModelList
  ids: ReadonlySet<string>
  router: Router
}

export interface ModelDirectoryOptions {
  rows: readonly ModelConfigRow[]
  providers: ReadonlyMap<string, ChatProvider>
  configuredProviders: readonly string[]
  /** Configuration's default: used only when no available entry is marked default. */
  defaultModelId?: string | undefined
  router?: Partial<Omit<RouterOptions, 'providers' | 'models'>>
}

export function createModelDirectory(options: ModelDirectoryOptions): ModelDirectory {
  const configured = new Set(options.configuredProviders)
  configured.delete('demo')
  const servable = (provider: string) =>
    configured.size === 0 ? provider === 'demo' : provider !== 'demo' && configured.has(provider)
  let current = buildSnapshot(options.rows, options, undefined).snapshot

  return {
    router: delegatingRouter(() => current.router),
    get models() {
      return current.models
    },
    get defaultModelId() {
      return current.defaultModelId
    },
    get demoOnly() {
      return current.demoOnly
    },
    list: () => current.list,
    adminList: () => current.rows.map((row) => adminModel(row, current, servable(row.provider))),
    servable,
    resolve(requested) {
      if (!requested) return current.defaultModelId
      if (requested === 'auto' || current.ids.has(requested)) return requested
      throw new AppError('validation_error', `model: "${requested}" is not available here`, {
        details: { available: [...current.ids, 'auto'] },
      })
    },
    get offered() {
      return [...current.ids, 'auto']
    },
    largestContextWindow: () => Math.max(...current.models.map((spec) => spec.contextWindow)),
    load(rows) {
      const built = buildSnapshot(rows, options, current.router)
      current = built.snapshot
      return built.rejected
    },
  }
}

/** The models, default and routes the rows describe; a previous router keeps its circuits. */
function buildSnapshot(
  rows: readonly ModelConfigRow[],
  options: ModelDirectoryOptions,
  previous: Router | undefined,
) {
  const { specs, rejected } = specsFromRows(rows)
  const models = availableModels(specs, options.configuredProviders)
  const chosenDefault =
    models.find((spec) => spec.isDefault) ??
    models.find((spec) => spec.id === options.defaultModelId) ??
    models[0]
  if (!chosenDefault) throw new Error('no model is available: the catalog has none enabled')
  const table = {
    models,
    defaultModel: chosenDefault.id,
    fallbacks: fallbackChains(rows),
    auto: autoTiers(rows, models),
  }
  const router = previous
    ? previous.reroute(table)
    : createRouter({ ...options.router, ...table, providers: options.providers })
  const demoOnly = models.every((spec) => spec.provider === 'demo')
  const snapshot: Snapshot = {
    rows,
    models,
    defaultModelId: chosenDefault.id,
    demoOnly,
    list: {
      items: models.map((spec) => summary(spec, chosenDefault.id)),
      defaultModelId: chosenDefault.id,
      demoOnly,
    },
    ids: new Set(models.map((spec) => spec.id)),
    router,
  }
  return { snapshot, rejected }
}

/** One router object for the whole run (the chat turns hold it) that calls the newest one. */
function delegatingRouter(current: () => Router): Router {
  return {
    get models() {
      return current().models
    },
    stream: (request, signal) => current().stream(request, signal),
    complete: (request, signal) => current().complete(request, signal),
    circuitState: (provider) => current().circuitState(provider),
    reroute: (table) => current().reroute(table),
  }
}

function summary(spec: ModelSpec, defaultId: string): ModelSummary {
  return {
    id: spec.id,
    provider: spec.provider,
    displayName: spec.displayName,
    contextWindow: spec.contextWindow,
    maxOutputTokens: spec.maxOutputTokens,
    inputUsdPerMtok: spec.prices.inputMicroUsdPerMTok / 1_000_000,
    outputUsdPerMtok: spec.prices.outputMicroUsdPerMTok / 1_000_000,
    cachedInputUsdPerMtok: spec.prices.cachedInputMicroUsdPerMTok / 1_000_000,
    capabilities: { ...spec.capabilities },
    isDefault: spec.id === defaultId,
  }
}

function adminModel(row: ModelConfigRow, current: Snapshot, servable: boolean): AdminModel {
  return {
    id: row.id,
    provider: row.provider,
    upstreamModel: row.upstreamModel,
    displayName: row.displayName,
    contextWindow: row.contextWindow,
    maxOutputTokens: row.maxOutputTokens,
    inputUsdPerMtok: Number(row.inputUsdPerMtok),
    outputUsdPerMtok: Number(row.outputUsdPerMtok),
    cachedInputUsdPerMtok: Number(row.cachedInputUsdPerMtok),
    capabilities: { ...row.capabilities },
    isDefault: row.id === current.defaultModelId,
    enabled: row.enabled,
    available: servable,
    fallbacks: row.fallbacks ?? [],
    autoTiers: row.autoTiers ?? [],
    sortOrder: row.sortOrder,
    pricesEffectiveOn: row.pricesEffectiveOn,
    updatedAt: row.updatedAt.toISOString(),
  }
}

function fallbackChains(rows: readonly ModelConfigRow[]): Record<string, string[]> {
  return Object.fromEntries(rows.map((row) => [row.id, row.fallbacks ?? []]))
}

/**
 * The first available model of each tier, in catalog order. A tier no available model serves
 * falls back to the router's choice: the first model marked `fast` (or `strong`).
 */
function autoTiers(
  rows: readonly ModelConfigRow[],
  models: readonly ModelSpec[],
): AutoRoutingOptions {
  const tiers = new Map(rows.map((row) => [row.id, row.autoTiers ?? []]))
  const first = (tier: 'small' | 'strong') =>
    models.find((spec) => tiers.get(spec.id)?.includes(tier))?.id
  const small = first('small')
  const strong = first('strong')
  return { ...(small ? { small } : {}), ...(strong ? { strong } : {}) }
}
