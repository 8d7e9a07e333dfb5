import { randomUUID } from 'node:crypto'
import type { Database } from '@parley/db'
import type { Embedder } from '@parley/llm'
import type { Logger } from 'pino'
import { safeError } from '../../errors.ts'
import type { PreparedTurn, TurnContext, TurnEnd } from '../chat-turn/index.ts'
import {
  messageEmbedOperation,
  type QuestionEmbedding,
  questionChars,
} from '../question-embedding.ts'
import { catchUpUnderLease } from './catch-up.ts'
import { embedMessages, type MessageToIndex } from './embed-messages.ts'

export interface MessageEmbeddings {
  /**
   * The turn's hook once it settled: queues its new messages (the user's, with the vector its
   * question already has, and the reply) for embedding. Never blocks or fails the turn; a full
   * queue or an unsaved outcome leaves the messages to the next catch-up pass.
   */
  afterTurn(ctx: TurnContext, turn: PreparedTurn, end: TurnEnd): void
  /** A catch-up pass now, then again every `everyMs` while some message was missed. */
  start(): void
  /**
   * One catch-up pass over every user's messages (one at a time); how many it embedded. None
   * while another instance on the database is passing (it then tries again later).
   */
  catchUp(): Promise<number>
  /** Resolves once no turn's messages are waiting or being embedded. */
  idle(): Promise<void>
  /** For shutdown: drops what waits (the next start catches up) and waits for the running work. */
  stop(): Promise<void>
}

interface Job {
  userId: string
  requestId: string
  messages: MessageToIndex[]
  question: QuestionEmbedding | undefined
}

export interface MessageEmbeddingsOptions {
  /** Messages waiting at most; more are left to the catch-up (default 1,000). */
  maxQueued?: number
  /** How often a catch-up runs again while messages were missed (default 10 minutes). */
  everyMs?: number
}

/**
 * Embeds messages in the background, off every turn's path: one job at a time from a bounded
 * queue, failures logged and left to a later catch-up pass, which also embeds the messages
 * written while semantic search was off or by another model.
 */
export function createMessageEmbeddings(
  deps: { db: Database; embedder: Embedder; logger: Logger },
  { maxQueued = 1_000, everyMs = 600_000 }: MessageEmbeddingsOptions = {},
): MessageEmbeddings {
  const waiting: Job[] = []
  let queued = 0
  let running: Promise<void> | null = null
  let pass: Promise<number> | null = null
  let behind = false
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let idlers: (() => void)[] = []
  const instanceId = randomUUID()

  const embed = (userId: string, messages: MessageToIndex[], requestId: string) =>
    embedMessages(deps.db, deps.embedder, userId, messages, requestId)

  async function run(job: Job): Promise<void> {
    const question = await job.question?.result
    const usage = question ? job.question?.claimUsage(messageEmbedOperation) : null
    const messages = job.messages.map((m, i) =>
      i === 0 && question ? { ...m, embedded: { ...question, usage: usage ?? null } } : m,
    )
    await embed(job.userId, messages, job.requestId)
  }

  function next(): void {
    if (running) return
    const job = waiting.shift()
    if (!job) {
      for (const resolve of idlers.splice(0)) resolve()
      return
    }
    queued -= job.messages.length
    running = run(job)
      .catch((error: unknown) => {
        behind = true
        deps.logger.warn({ err: safeError(error) }, 'message embedding failed: caught up later')
      })
      .finally(() => {
        running = null
        next()
      })
  }

  function catchUpPass(): Promise<number> {
    pass ??= (async () => {
      behind = false
      try {
        const handed = await catchUpUnderLease(deps.db, {
          instanceId,
          model: deps.embedder.model,
          embed: (userId, messages) => embed(userId, messages, 'catch-up').then(() => {}),
          stopped: () => stopped,
        })
        // Another instance is passing: this one looks again later, for what it may have missed.
        if (handed === null) behind = true
        else if (handed > 0) deps.logger.info({ messages: handed }, 'earlier messages embedded')
        return handed ?? 0
      } catch (error) {
        behind = true
        deps.logger.warn({ err: safeError(error) }, 'message catch-up stopped: tried again later')
        return 0
      } finally {
        pass = null
      }
    })()
    return pass
  }

  return {
    afterTurn(ctx, turn, end) {
      if (stopped) return
      const messages = turnMessages(turn, end)
      if (!end.saved || queued + messages.length > maxQueued) {
        behind = true
        return
      }
      if (messages.length === 0) return
      waiting.push({
        userId: ctx.claims.sub,
        requestId: ctx.requestId,
        messages,
        question: turn.questionEmbedding,
      })
      queued += messages.length
      next()
    },
    start() {
      void catchUpPass()
      timer = setInterval(() => {
        if (behind && !stopped) void catchUpPass()
      }, everyMs)
      timer.unref()
    },
    catchUp: catchUpPass,
    idle() {
      if (!running && waiting.length === 0) return Promise.resolve()
      return new Promise((resolve) => idlers.push(resolve))
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      waiting.length = 0
      queued = 0
      await Promise.all([running, pass])
      for (const resolve of idlers.splice(0)) resolve()
      idlers = []
    },
  }
}

/** A settled turn's messages to embed: a send's new user message first, then the reply's text. */
function turnMessages(turn: PreparedTurn, end: TurnEnd): MessageToIndex[] {
  const userId = turn.userMessage.userId
  const messages: MessageToIndex[] = []
  // A regenerate's question is older: it was embedded with its first reply (or is caught up).
  if (turn.questionEmbedding) {
    messages.push({
      messageId: turn.userMessage.id,
      userId,
      text: turn.userMessage.content.slice(0, questionChars),
    })
  }
  const reply = end.assistantMessage.content
  if (reply.trim() !== '') {
    messages.push({
      messageId: end.assistantMessage.id,
      userId,
      text: reply.slice(0, questionChars),
    })
  }
  return messages
}
