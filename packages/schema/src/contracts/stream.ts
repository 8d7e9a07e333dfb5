import { z } from 'zod'
import { apiError } from './common.ts'
import { conversation } from './conversations.ts'
import { message } from './messages.ts'

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
  }),
  /** The reply ended early; the text that arrived is kept in `assistantMessage`. */
  error: z.object({ error: apiError, assistantMessage: message.optional() }),
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
