import { z } from 'zod'
import { apiError } from './common.ts'
import { conversation } from './conversations.ts'
import { message } from './messages.ts'

/**
 * Whether the reply is stored as the event shows it. False: the database was unreachable at the
 * end of the reply; the server keeps the outcome and retries, so it is stored as shown once the
 * database answers again. Absent: not said (older servers, or a failure inside the server).
 */
const saved = z.boolean().optional()

/** The server-sent events of a streamed reply, keyed by their SSE `event` name. */
export const streamEventData = {
  /** The user's message as stored and the assistant's message, `status: "streaming"`. */
  start: z.object({ userMessage: message, assistantMessage: message }),
  delta: z.object({ text: z.string() }),
  done: z.object({
    assistantMessage: message,
    usage: z.object({
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      cachedInputTokens: z.number().int(),
      costMicroUsd: z.number().int(),
      costUsd: z.number(),
    }),
    conversation,
    saved,
  }),
  /** The reply ended early; the text that arrived is kept in `assistantMessage`. */
  error: z.object({ error: apiError, assistantMessage: message.optional(), saved }),
} as const

export type StreamEventName = keyof typeof streamEventData

export const streamEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('start'), data: streamEventData.start }),
  z.object({ event: z.literal('delta'), data: streamEventData.delta }),
  z.object({ event: z.literal('done'), data: streamEventData.done }),
  z.object({ event: z.literal('error'), data: streamEventData.error }),
])
export type StreamEvent = z.infer<typeof streamEvent>

export type StreamEventData<E extends StreamEventName> = z.infer<(typeof streamEventData)[E]>
