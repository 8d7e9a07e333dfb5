import {
  addConversationTotals,
  appendMessage,
  type ContextMessage,
  type ConversationRow,
  type Database,
  getConversation,
  getLatestReply,
  getMessage,
  insertUsageEvent,
  loadContextThread,
  type MessageRow,
  openConversationTurn,
  setGeneratedTitle,
  type TurnOpening,
  type Tx,
  updateMessage,
} from '@parley/db'
import {
  buildContext,
  type CallReport,
  type ChatMessage,
  countEncodedTokens,
  generateTitle,
  type LlmErrorCode,
  type ModelSpec,
  renderPrompt,
} from '@parley/llm'
import type { ErrorCode, JwtClaims } from '@parley/schema/contracts'
import type { Logger } from 'pino'
import { AppError, notFound, safeError } from '../errors.ts'
import type { ModelDirectory } from './model-directory.ts'
import type { StreamLimiter } from './stream-limiter.ts'

export type TurnRequest =
  | {
      kind: 'send'
      conversationId: string
      id?: string | undefined
      content: string
      model?: string | undefined
      parentId?: string | undefined
    }
  | {
      kind: 'regenerate'
      conversationId: string
      messageId: string
      id?: string | undefined
      model?: string | undefined
    }

export interface TurnUsage {
  inputTokens: number
  outputTokens: number
  cachedInputTokens: number
  costMicroUsd: number
  costUsd: number
}

export interface TurnEnd {
  assistantMessage: MessageRow
  conversation: ConversationRow
  usage: TurnUsage
  /** Why the reply is not complete; null when it is. */
  error: { code: ErrorCode; message: string } | null
}

export interface Turn {
  userMessage: MessageRow
  assistantMessage: MessageRow
  /**
   * Streams the reply, calling `onDelta` with each piece of text (for a repeated send of a turn
   * that already ran, with what it has). Resolves when the reply is over, however it ended.
   */
  run(signal: AbortSignal, onDelta: (text: string) => void): Promise<TurnEnd>
}

export interface ChatTurnDeps {
  db: Database
  models: ModelDirectory
  streams: StreamLimiter
  /** Minimum time between progress writes of a streaming reply. */
  progressIntervalMs?: number
  /** How long `done` waits for a first exchange's title. */
  titleWaitMs?: number
  today?: () => string
}

/** A reply being streamed by this process, so a repeated send can follow it instead of starting another. */
interface LiveTurn {
  readonly text: string
  listeners: Set<(text: string) => void>
  end: Promise<TurnEnd>
}

type Claims = JwtClaims & { sub: string }

const stoppedError = { code: 'stopped', message: 'Stopped before the reply was finished' }

export function createChatTurns(deps: ChatTurnDeps) {
  const { db, models } = deps
  const live = new Map<string, LiveTurn>()
  const progressIntervalMs = deps.progressIntervalMs ?? 1_000
  const titleWaitMs = deps.titleWaitMs ?? 2_000
  const today = deps.today ?? (() => new Date().toISOString().slice(0, 10))

  /**
   * Stores the user's message (idempotently) and an empty assistant reply, in one short
   * transaction, before any model is called. Throws `AppError`s for bad input, with nothing written.
   */
  async function start(
    claims: Claims,
    request: TurnRequest,
    meta: { requestId: string; logger: Logger },
  ): Promise<Turn> {
    const release = deps.streams.acquire(claims.sub)
    let prepared: Prepared
    try {
      prepared = await db.withUser(claims, (tx) => prepare(tx, request))
    } catch (error) {
      release()
      throw error
    }
    if (prepared.kind === 'replay') {
      release()
      return replay(claims, prepared)
    }
    return {
      userMessage: prepared.userMessage,
      assistantMessage: prepared.assistantMessage,
      run: (signal, onDelta) => {
        const end = execute(claims, prepared, signal, onDelta, meta).finally(release)
        return end
      },
    }
  }

  type Prepared =
    | {
        kind: 'new'
        conversation: ConversationRow
        profile: TurnOpening['profile']
        userMessage: MessageRow
        assistantMessage: MessageRow
        model: string
        history: ContextMessage[]
        /** The conversation has no title yet: this exchange names it. */
        untitled: boolean
      }
    | { kind: 'replay'; userMessage: MessageRow; assistantMessage: MessageRow }

  async function prepare(tx: Tx, request: TurnRequest): Promise<Prepared> {
    const opening = await openConversationTurn(tx, request.conversationId)
    if (!opening) throw notFound('conversation')
    const { conversation, profile, latestMessageId } = opening
    const model = request.model
      ? models.resolve(request.model)
      : preferred(conversation.model, profile.defaultModel)

    let userMessage: MessageRow
    let assistantId: string | undefined
    if (request.kind === 'send') {
      const parentId = request.parentId ?? latestMessageId
      const { message, created } = await appendMessage(tx, {
        ...(request.id ? { id: request.id } : {}),
        conversationId: conversation.id,
        parentId,
        role: 'user',
        content: request.content,
        tokenCount: countEncodedTokens(request.content),
      })
      if (!created) {
        if (message.content !== request.content) {
          throw new AppError('conflict', 'id: a different message was already sent with this id')
        }
        const reply = await getLatestReply(tx, message.id)
        if (reply) return { kind: 'replay', userMessage: message, assistantMessage: reply }
      }
      userMessage = message
    } else {
      const target = await getMessage(tx, request.messageId)
      if (!target || target.conversationId !== conversation.id || target.role !== 'assistant') {
        throw notFound('message')
      }
      const question = target.parentId ? await getMessage(tx, target.parentId) : null
      if (question?.role !== 'user') {
        throw new AppError('validation_error', 'messageId: this reply answers no user message')
      }
      if (request.id) {
        const existing = await getMessage(tx, request.id)
        if (existing) {
          if (existing.parentId !== question.id || existing.role !== 'assistant') {
            throw new AppError('conflict', 'id: a different message already uses this id')
          }
          return { kind: 'replay', userMessage: question, assistantMessage: existing }
        }
      }
      userMessage = question
      assistantId = request.id
    }

    const { message: assistantMessage } = await appendMessage(tx, {
      ...(assistantId ? { id: assistantId } : {}),
      conversationId: conversation.id,
      parentId: userMessage.id,
      role: 'assistant',
      content: '',
      status: 'streaming',
      model,
    })
    const history = userMessage.parentId
      ? await loadContextThread(tx, conversation.id, userMessage.parentId, {
          maxTokens: models.largestContextWindow(),
        })
      : []
    return {
      kind: 'new',
      conversation,
      profile,
      userMessage,
      assistantMessage,
      model,
      history,
      untitled: conversation.title === null,
    }
  }

  /** The conversation's or the user's preferred model when it is still offered, else the default. */
  function preferred(...candidates: (string | null | undefined)[]): string {
    for (const candidate of candidates) {
      if (!candidate) continue
      try {
        return models.resolve(candidate)
      } catch {
        // a model that is no longer offered falls through to the next preference
      }
    }
    return models.resolve(undefined)
  }

  function execute(
    claims: Claims,
    turn: Extract<Prepared, { kind: 'new' }>,
    signal: AbortSignal,
    onDelta: (text: string) => void,
    meta: { requestId: string; logger: Logger },
  ): Promise<TurnEnd> {
    const listeners = new Set([onDelta])
    const progress = { text: '' }
    const end = stream(claims, turn, signal, progress, listeners, meta)
      .catch(async (error: unknown) => {
        // Never leave the reply `streaming`: keep what arrived and say it failed.
        await db
          .withUser(claims, (tx) =>
            updateMessage(tx, turn.assistantMessage.id, {
              content: progress.text,
              status: progress.text ? 'incomplete' : 'error',
              error: { code: 'internal_error', message: 'The reply could not be finished' },
            }),
          )
          .catch(() => undefined)
        throw error
      })
      .finally(() => {
        live.delete(turn.assistantMessage.id)
      })
    live.set(turn.assistantMessage.id, {
      get text() {
        return progress.text
      },
      listeners,
      end,
    })
    return end
  }

  async function stream(
    claims: Claims,
    turn: Extract<Prepared, { kind: 'new' }>,
    signal: AbortSignal,
    entry: { text: string },
    listeners: Set<(text: string) => void>,
    meta: { requestId: string; logger: Logger },
  ): Promise<TurnEnd> {
    const spec = specFor(turn.model)
    const system = systemPrompt(turn, spec)
    const context = buildContext({
      system: system.text,
      history: turn.history.filter(usableInContext).map(toChatMessage),
      newUserMessage: toChatMessage(turn.userMessage),
      model: spec,
    })

    const call = models.router.stream(
      {
        model: turn.model,
        system: context.system,
        messages: context.messages,
        ...(turn.conversation.temperature === null
          ? {}
          : { temperature: turn.conversation.temperature }),
        prompt: { name: system.name, version: system.version },
      },
      signal,
    )

    let lastWrite = performance.now()
    let progress: Promise<unknown> = Promise.resolve()
    let writing = false
    for await (const event of call.events) {
      if (event.type !== 'text') continue
      entry.text += event.text
      for (const listener of listeners) listener(event.text)
      const now = performance.now()
      if (!writing && now - lastWrite >= progressIntervalMs) {
        // A crash mid-reply loses at most a second of text; never one write per token.
        writing = true
        lastWrite = now
        const content = entry.text
        progress = db
          .withUser(claims, (tx) => updateMessage(tx, turn.assistantMessage.id, { content }))
          .catch((error: unknown) => meta.logger.warn({ err: safeError(error) }, 'progress write'))
          .finally(() => {
            writing = false
          })
      }
    }
    const report = await call.result
    await progress

    const end = await finish(claims, turn, report, meta)
    if (turn.untitled) {
      end.conversation = await titleWithin(claims, turn, report, end.conversation, meta)
    }
    meta.logger.info(
      {
        userId: claims.sub,
        conversationId: turn.conversation.id,
        status: report.status,
        model: report.model,
        provider: report.provider,
        fallbackFrom: report.fallbackFrom,
        attempts: report.attemptCount,
        ttftMs: report.ttftMs,
        latencyMs: report.latencyMs,
        inputTokens: report.usage.inputTokens,
        outputTokens: report.usage.outputTokens,
        costMicroUsd: report.costMicroUsd,
        droppedMessages: context.droppedMessages,
        ...(report.error ? { errorCode: report.error.code } : {}),
      },
      'turn',
    )
    return end
  }

  /**
   * Records the outcome, whatever it was, in one transaction: the assistant message, a usage
   * event and the conversation's totals.
   */
  async function finish(
    claims: Claims,
    turn: Extract<Prepared, { kind: 'new' }>,
    report: CallReport,
    meta: { requestId: string },
  ): Promise<TurnEnd> {
    const error =
      report.status === 'ok'
        ? null
        : report.status === 'aborted'
          ? stoppedError
          : { code: report.error?.code ?? 'provider_error', message: userMessageOf(report) }
    const status =
      report.status === 'ok' ? 'complete' : report.text.length > 0 ? 'incomplete' : 'error'
    const usage = report.usage
    return db.withUser(claims, async (tx) => {
      const updated = await updateMessage(tx, turn.assistantMessage.id, {
        content: report.text,
        status,
        model: report.model ?? turn.model,
        provider: report.provider,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cachedInputTokens: usage.cachedInputTokens,
        tokenCount: countEncodedTokens(report.text),
        costMicroUsd: report.costMicroUsd,
        ttftMs: report.ttftMs === null ? null : Math.round(report.ttftMs),
        latencyMs: Math.round(report.latencyMs),
        error,
        metadata: {
          ...(report.fallbackFrom ? { fallbackFrom: report.fallbackFrom } : {}),
          ...(report.autoReasons ? { autoReasons: report.autoReasons } : {}),
          ...(usage.estimated ? { usageEstimated: true } : {}),
        },
      })
      // The conversation may have been deleted while the reply streamed; the spend is still recorded.
      await insertUsageEvent(
        tx,
        usageEvent(report, turn.model, meta.requestId, {
          conversationId: updated ? turn.conversation.id : null,
          messageId: updated ? turn.assistantMessage.id : null,
        }),
      )
      const conversation = updated
        ? await addConversationTotals(tx, turn.conversation.id, {
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            costMicroUsd: report.costMicroUsd,
          })
        : null
      return {
        assistantMessage: updated ?? { ...turn.assistantMessage, content: report.text, status },
        conversation: conversation ?? turn.conversation,
        usage: {
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          cachedInputTokens: usage.cachedInputTokens,
          costMicroUsd: report.costMicroUsd,
          costUsd: report.costMicroUsd / 1_000_000,
        },
        // A stop is the user's choice, not a failure: the stored message still says `stopped`.
        error: error && report.status !== 'aborted' ? endError(error) : null,
      }
    })
  }

  /** Names the conversation from this exchange; waits a little for it so `done` carries it. */
  async function titleWithin(
    claims: Claims,
    turn: Extract<Prepared, { kind: 'new' }>,
    report: CallReport,
    conversation: ConversationRow,
    meta: { requestId: string; logger: Logger },
  ): Promise<ConversationRow> {
    const titled = (async () => {
      const { title, report: titleReport } = await generateTitle({
        router: models.router,
        userMessage: turn.userMessage.content,
        assistantReply: report.text,
        signal: AbortSignal.timeout(30_000),
      })
      return db.withUser(claims, async (tx) => {
        if (titleReport) {
          await insertUsageEvent(
            tx,
            usageEvent(titleReport, titleReport.requestedModel, meta.requestId, {
              conversationId: turn.conversation.id,
              messageId: null,
            }),
          )
        }
        return setGeneratedTitle(tx, turn.conversation.id, title)
      })
    })().catch((error: unknown) => {
      meta.logger.warn({ err: safeError(error) }, 'title generation')
      return null
    })
    const timer = new Promise<null>((resolve) => setTimeout(resolve, titleWaitMs, null).unref())
    return (await Promise.race([titled, timer])) ?? conversation
  }

  function replay(claims: Claims, prepared: Extract<Prepared, { kind: 'replay' }>): Turn {
    return {
      userMessage: prepared.userMessage,
      assistantMessage: prepared.assistantMessage,
      async run(_signal, onDelta) {
        const running = live.get(prepared.assistantMessage.id)
        if (running) {
          if (running.text) onDelta(running.text)
          running.listeners.add(onDelta)
          try {
            return await running.end
          } finally {
            running.listeners.delete(onDelta)
          }
        }
        const { message, conversation } = await db.withUser(claims, async (tx) => ({
          message: await getMessage(tx, prepared.assistantMessage.id),
          conversation: await getConversation(tx, prepared.assistantMessage.conversationId),
        }))
        if (!message || !conversation) throw notFound('message')
        if (message.content) onDelta(message.content)
        return {
          assistantMessage: message,
          conversation,
          usage: {
            inputTokens: message.inputTokens ?? 0,
            outputTokens: message.outputTokens ?? 0,
            cachedInputTokens: message.cachedInputTokens ?? 0,
            costMicroUsd: message.costMicroUsd,
            costUsd: message.costMicroUsd / 1_000_000,
          },
          error:
            message.status === 'streaming'
              ? { code: 'conflict', message: 'this reply is still being written elsewhere' }
              : message.error && message.error.code !== stoppedError.code
                ? endError(message.error)
                : null,
        }
      },
    }
  }

  function specFor(model: string): ModelSpec {
    const exact = models.models.find((spec) => spec.id === model)
    if (exact) return exact
    // `auto`: budget for the largest window; the router falls back if its pick is smaller.
    return models.models.reduce((a, b) => (b.contextWindow > a.contextWindow ? b : a))
  }

  function systemPrompt(turn: Extract<Prepared, { kind: 'new' }>, spec: ModelSpec) {
    const rendered = renderPrompt('chat.system', {
      userName: turn.profile.displayName ?? nameFromEmail(turn.profile.email),
      currentDate: today(),
      modelName: turn.model === 'auto' ? 'an AI assistant' : spec.displayName,
    })
    const custom = turn.conversation.systemPrompt?.trim()
    return custom
      ? {
          ...rendered,
          text: `${rendered.text}\n\nInstructions for this conversation, from the user:\n${custom}`,
        }
      : rendered
  }

  return { start }
}

function nameFromEmail(email: string | null): string {
  const local = email?.split('@')[0]
  return local?.trim() ? local.slice(0, 100) : 'there'
}

const usableInContext = (message: ContextMessage) =>
  (message.role === 'user' || message.role === 'assistant') && message.content.length > 0

const toChatMessage = (
  message: Pick<MessageRow, 'role' | 'content' | 'tokenCount'>,
): ChatMessage => ({
  role: message.role === 'assistant' ? 'assistant' : 'user',
  content: message.content,
  tokenCount: message.tokenCount,
})

function usageEvent(
  report: CallReport,
  requestedModel: string,
  requestId: string,
  refs: { conversationId: string | null; messageId: string | null },
) {
  return {
    ...refs,
    requestId,
    provider: report.provider ?? 'none',
    model: report.model ?? requestedModel,
    promptName: report.prompt?.name ?? null,
    promptVersion: report.prompt?.version ?? null,
    inputTokens: report.usage.inputTokens,
    outputTokens: report.usage.outputTokens,
    cachedInputTokens: report.usage.cachedInputTokens,
    reasoningTokens: report.usage.reasoningTokens,
    costMicroUsd: report.costMicroUsd,
    ttftMs: report.ttftMs === null ? null : Math.round(report.ttftMs),
    latencyMs: Math.round(report.latencyMs),
    status: report.status,
    errorCode: report.error?.code ?? null,
    attempts: report.attemptCount,
    fallbackFrom: report.fallbackFrom,
  }
}

const unavailable = new Set<string>([
  'provider_unavailable',
  'rate_limited',
  'timeout',
] satisfies LlmErrorCode[])

/** A stored model error as the API reports it. */
function endError(error: { code: string; message: string }): { code: ErrorCode; message: string } {
  const code: ErrorCode =
    error.code === 'context_length_exceeded'
      ? 'validation_error'
      : unavailable.has(error.code)
        ? 'provider_unavailable'
        : 'provider_error'
  return { code, message: error.message }
}

function userMessageOf(report: CallReport): string {
  return report.error?.message ?? 'The model provider failed to answer'
}
