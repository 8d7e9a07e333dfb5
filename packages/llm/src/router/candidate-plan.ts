import type { ModelSpec } from '../catalog/model-spec.ts'
import { LlmError } from '../errors.ts'
import { defaultOutputReserve, estimatePromptTokens } from '../tokens/build-context.ts'
import type { ChatMessage, ChatProvider, ChatRequest } from '../types.ts'
import { type AutoRoutingOptions, classifyTurn, pickAutoModel } from './auto-model.ts'
import type { RouterRequest } from './router-request.ts'

/** Everything the router may route to, fixed when it is created. */
export interface RoutingTable {
  readonly providers: ReadonlyMap<string, ChatProvider>
  readonly models: readonly ModelSpec[]
  readonly byId: ReadonlyMap<string, ModelSpec>
  readonly defaultSpec: ModelSpec | undefined
  readonly fallbacks: Readonly<Record<string, readonly string[]>>
  readonly auto: AutoRoutingOptions
}

/** A model the call can be sent to, with the request its provider gets. */
export interface ReadyCandidate {
  kind: 'ready'
  spec: ModelSpec
  provider: ChatProvider
  request: ChatRequest
  promptTokens: number
}

/** A model of the chain that cannot take this call. */
export interface SkippedCandidate {
  kind: 'skipped'
  spec: ModelSpec
  outcome: 'unavailable' | 'context_too_long'
  error: LlmError
}

export type Candidate = ReadyCandidate | SkippedCandidate

export interface CandidatePlan {
  /** The model asked for, or the one `auto` or the default stands for. */
  chosen: ModelSpec
  /** Why `auto` chose the model, when it did. */
  autoReasons: string[] | null
  /** The chosen model then its fallbacks; lazy, so a fallback's prompt is counted only if reached. */
  candidates: Iterable<Candidate>
}

/** Throws an `unknown_model` LlmError when the request names no available model. */
export function planCandidates(table: RoutingTable, request: RouterRequest): CandidatePlan {
  const { chosen, autoReasons } = resolveModel(table, request)
  const chain = chainFor(table, chosen)
  return {
    chosen,
    autoReasons,
    candidates: { [Symbol.iterator]: () => candidatesFor(table, request, chain) },
  }
}

function resolveModel(
  table: RoutingTable,
  request: RouterRequest,
): { chosen: ModelSpec; autoReasons: string[] | null } {
  const requested = request.model || table.defaultSpec?.id
  if (requested === 'auto' && table.defaultSpec) {
    const turn = classifyTurn(request.messages, table.auto, request.system)
    return {
      chosen: pickAutoModel(turn.tier, table.models, table.auto, table.defaultSpec),
      autoReasons: turn.reasons,
    }
  }
  const chosen = requested ? table.byId.get(requested) : undefined
  if (!chosen) {
    throw new LlmError('unknown_model', {
      retryable: false,
      detail: `model "${requested ?? ''}" is not among the available models`,
    })
  }
  return { chosen, autoReasons: null }
}

function chainFor(table: RoutingTable, first: ModelSpec): ModelSpec[] {
  const chain = [first]
  for (const id of table.fallbacks[first.id] ?? []) {
    const spec = table.byId.get(id)
    if (spec && !chain.includes(spec)) chain.push(spec)
  }
  return chain
}

function* candidatesFor(
  table: RoutingTable,
  request: RouterRequest,
  chain: readonly ModelSpec[],
): Generator<Candidate> {
  const counts = request.messages.map((message) => ({
    content: message.content,
    ...(message.tokenCount === undefined ? {} : { tokenCount: message.tokenCount }),
  }))
  for (const spec of chain) yield candidate(table, request, spec, counts)
}

function candidate(
  table: RoutingTable,
  request: RouterRequest,
  spec: ModelSpec,
  counts: readonly Pick<ChatMessage, 'content' | 'tokenCount'>[],
): Candidate {
  const provider = table.providers.get(spec.provider)
  if (!provider) {
    const error = new LlmError('provider_unavailable', {
      provider: spec.provider,
      detail: 'provider not configured',
    })
    return { kind: 'skipped', spec, outcome: 'unavailable', error }
  }
  const maxOutputTokens = Math.min(
    request.maxOutputTokens ?? defaultOutputReserve(spec),
    spec.maxOutputTokens,
  )
  const promptTokens = estimatePromptTokens(request.system, counts, spec)
  if (promptTokens + maxOutputTokens > spec.contextWindow) {
    const error = new LlmError('context_length_exceeded', {
      retryable: false,
      provider: spec.provider,
      detail: `about ${promptTokens} prompt + ${maxOutputTokens} output tokens exceed ${spec.contextWindow}`,
    })
    return { kind: 'skipped', spec, outcome: 'context_too_long', error }
  }
  const providerRequest: ChatRequest = {
    model: spec.upstreamModel,
    messages: request.messages,
    maxOutputTokens,
    ...(request.system ? { system: request.system } : {}),
    ...(request.temperature !== undefined && spec.capabilities.temperature
      ? { temperature: request.temperature }
      : {}),
  }
  return { kind: 'ready', spec, provider, request: providerRequest, promptTokens }
}
