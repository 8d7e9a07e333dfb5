import { getConversation, listThread, switchBranch } from '@parley/db'
import {
  activeBranch,
  idParam,
  listMessagesQuery,
  messagePage,
  messageParams,
  regenerateMessageBody,
  sendMessageBody,
  sendMessageResponse,
  switchBranchBody,
} from '@parley/schema/contracts'
import { type Context, Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { AppEnv } from '../env.ts'
import { AppError, notFound, safeError, toAppError } from '../errors.ts'
import { validate } from '../middleware/validate.ts'
import { recordServerError } from '../observability/activity-log.ts'
import type { Turn, TurnContext } from '../services/chat-turn/index.ts'
import { docs } from './docs.ts'
import { deltaWriter, sseFrame, sseKeepAlive } from './sse.ts'

const sendDocs = (summary: string) =>
  docs('messages', summary, {
    200: {
      description:
        'With `Accept: text/event-stream`: server-sent events `start`, `delta`…, then `done` or `error`',
    },
    201: {
      description: 'Without it: both messages once the reply is complete',
      schema: sendMessageResponse,
    },
  })

export const messages = new Hono<AppEnv>()
  .get(
    '/:id/messages',
    docs('messages', 'The conversation’s thread, oldest first; `before` pages back in time', {
      200: { description: 'A page', schema: messagePage },
    }),
    validate('param', idParam),
    validate('query', listMessagesQuery),
    async (c) => {
      const { id } = c.req.valid('param')
      const page = await c.var.deps.db.withUser(c.var.claims, async (tx) => {
        if (!(await getConversation(tx, id))) throw notFound('conversation')
        return listThread(tx, id, c.req.valid('query'))
      })
      return c.json(page)
    },
  )
  .post(
    '/:id/messages',
    sendDocs('Send a message and stream the reply'),
    validate('param', idParam),
    validate('json', sendMessageBody),
    async (c) => {
      const turn = await c.var.deps.turns.start(turnContext(c), {
        kind: 'send',
        conversationId: c.req.valid('param').id,
        ...c.req.valid('json'),
      })
      return respond(c, turn)
    },
  )
  .post(
    '/:id/messages/:messageId/regenerate',
    sendDocs('Replace a reply with a new one, streamed'),
    validate('param', messageParams),
    validate('json', regenerateMessageBody),
    async (c) => {
      const { id, messageId } = c.req.valid('param')
      const turn = await c.var.deps.turns.start(turnContext(c), {
        kind: 'regenerate',
        conversationId: id,
        messageId,
        ...c.req.valid('json'),
      })
      return respond(c, turn)
    },
  )
  .get(
    '/:id/messages/:messageId/stream',
    sendDocs(
      'Follow a reply: live from where it is while it streams (a reloaded page reattaches), else as stored',
    ),
    validate('param', messageParams),
    async (c) => {
      const { id, messageId } = c.req.valid('param')
      const turn = await c.var.deps.turns.follow(turnContext(c), { conversationId: id, messageId })
      return respond(c, turn)
    },
  )
  .post(
    '/:id/messages/:messageId/stop',
    docs('messages', 'Stop a streaming reply; what it said so far is kept', {
      204: { description: 'Stopped, or already over' },
    }),
    validate('param', messageParams),
    async (c) => {
      const { id, messageId } = c.req.valid('param')
      await c.var.deps.turns.stop(turnContext(c), { conversationId: id, messageId })
      return c.body(null, 204)
    },
  )
  .put(
    '/:id/branch',
    docs('messages', 'Show the branch through a message, down to its newest reply', {
      200: { description: 'The leaf the thread now ends at', schema: activeBranch },
    }),
    validate('param', idParam),
    validate('json', switchBranchBody),
    async (c) => {
      const activeLeafId = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        switchBranch(tx, c.req.valid('param').id, c.req.valid('json').messageId),
      )
      if (!activeLeafId) throw notFound('message')
      return c.json({ activeLeafId })
    },
  )

const turnContext = (c: Context<AppEnv>): TurnContext => ({
  claims: c.var.claims,
  requestId: c.var.requestId,
  logger: c.var.logger,
  ...(c.var.streamSlot ? { streamSlot: c.var.streamSlot } : {}),
})

const wantsEventStream = (c: Context) =>
  (c.req.header('accept') ?? '').toLowerCase().includes('text/event-stream')

/** Streams the turn as server-sent events, or answers once with JSON when SSE was not asked for. */
async function respond(c: Context<AppEnv>, turn: Turn) {
  const { userMessage, assistantMessage } = turn
  if (!wantsEventStream(c)) {
    const end = await turn.run(c.req.raw.signal, () => {})
    if (end.error) {
      throw new AppError(end.error.code, end.error.message, {
        details: { userMessage, assistantMessage: end.assistantMessage },
      })
    }
    return c.json({ userMessage, assistantMessage: end.assistantMessage }, 201)
  }

  c.header('X-Accel-Buffering', 'no')
  return streamSSE(c, async (stream) => {
    const upstream = new AbortController()
    const stop = () => upstream.abort()
    stream.onAbort(stop)
    c.req.raw.signal.addEventListener('abort', stop, { once: true })
    const send = (text: string) => {
      if (!stream.aborted && !stream.closed) void stream.write(text).catch(stop)
    }
    // Comments keep idle proxies from closing the connection while a slow model thinks.
    const keepAlive = setInterval(() => send(sseKeepAlive), 15_000)
    const deltas = deltaWriter(send)
    try {
      send(sseFrame('start', { userMessage, assistantMessage }))
      const end = await turn.run(upstream.signal, deltas.push, { mayReattach: true })
      deltas.flush()
      send(
        end.error
          ? sseFrame('error', {
              error: { ...end.error, requestId: c.var.requestId },
              assistantMessage: end.assistantMessage,
              saved: end.saved,
            })
          : sseFrame('done', {
              assistantMessage: end.assistantMessage,
              usage: end.usage,
              conversation: end.conversation,
              saved: end.saved,
            }),
      )
    } catch (error) {
      c.var.logger.error({ err: safeError(error) }, 'stream failed')
      recordServerError(c, toAppError(error))
      deltas.flush()
      send(
        sseFrame('error', {
          error: {
            code: 'internal_error',
            message: 'something went wrong on our side',
            requestId: c.var.requestId,
          },
        }),
      )
    } finally {
      clearInterval(keepAlive)
      c.req.raw.signal.removeEventListener('abort', stop)
    }
  })
}
