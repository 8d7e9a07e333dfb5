import { z } from 'zod'

const times = z.union([z.number().int().positive(), z.literal('always')]).optional()

const replyText = {
  /** The reply; split into word-sized chunks, one per streamed "token". */
  text: z.string().optional(),
  /** Without `text`: a generated reply of this many tokens. */
  tokens: z.number().int().nonnegative().optional(),
  /** Streaming pace; 0 or absent sends every chunk at once. */
  tokensPerSecond: z.number().nonnegative().optional(),
  /** Delay before the response headers. */
  firstByteDelayMs: z.number().nonnegative().optional(),
}

const usageOverride = z
  .object({
    inputTokens: z.number().int().nonnegative().optional(),
    outputTokens: z.number().int().nonnegative().optional(),
    cachedInputTokens: z.number().int().nonnegative().optional(),
    reasoningTokens: z.number().int().nonnegative().optional(),
  })
  .strict()

export const scenarioSchema = z.discriminatedUnion('kind', [
  /** A normal reply, streamed or not as the client asked. */
  z
    .object({
      kind: z.literal('text'),
      ...replyText,
      usage: usageOverride.optional(),
      finishReason: z.enum(['stop', 'length']).optional(),
      /**
       * Embeddings only: the `index` of each vector sent, in order, in place of 0..n-1 (a server
       * that numbers its vectors wrongly); the vector at position p embeds input p (or the first).
       */
      embeddingIndices: z.array(z.number().int()).optional(),
      times,
    })
    .strict(),
  /** An HTTP error in the provider's own error format. */
  z
    .object({
      kind: z.literal('status'),
      status: z.number().int().min(400).max(599),
      /** Sent as `retry-after` (seconds). */
      retryAfterSeconds: z.number().nonnegative().optional(),
      /** Sent as `retry-after-ms`, which only the OpenAI SDK reads. */
      retryAfterMs: z.number().nonnegative().optional(),
      /** Provider error type; defaults to the usual one for the status. */
      errorType: z.string().optional(),
      message: z.string().optional(),
      firstByteDelayMs: z.number().nonnegative().optional(),
      times,
    })
    .strict(),
  /** A 400 saying the prompt is longer than the model's context window. */
  z.object({ kind: z.literal('context-too-long'), times }).strict(),
  /** Streams `afterTokens` chunks, then destroys the connection without finishing. */
  z
    .object({
      kind: z.literal('cut'),
      ...replyText,
      afterTokens: z.number().int().nonnegative(),
      times,
    })
    .strict(),
  /** Sends nothing at all (no headers), or `afterTokens` chunks and then nothing, until the client gives up. */
  z
    .object({
      kind: z.literal('hang'),
      ...replyText,
      afterTokens: z.number().int().nonnegative().optional(),
      times,
    })
    .strict(),
  /** Streams `afterTokens` chunks, then an error event inside the 200 stream. */
  z
    .object({
      kind: z.literal('stream-error'),
      ...replyText,
      afterTokens: z.number().int().nonnegative(),
      errorType: z.string().optional(),
      message: z.string().optional(),
      times,
    })
    .strict(),
])

export type Scenario = z.input<typeof scenarioSchema>

/**
 * Which requests a queued scenario is meant for; all given fields must match. It must name the
 * request by its content (`lastUserMessage`, `lastUserMessageIncludes`, or for embeddings
 * `inputIncludes`), so that a scenario
 * is never taken by whichever request happens to come next: a retry or a background call (a
 * conversation title, say) from another test.
 */
export const scenarioMatchSchema = z
  .object({
    /** The whole last user message, exactly: a title prompt quoting it never matches. */
    lastUserMessage: z.string().min(1).optional(),
    /** A substring of the last user message (a title prompt that quotes it matches too). */
    lastUserMessageIncludes: z.string().min(1).optional(),
    /** A substring of one of an embeddings request's inputs. */
    inputIncludes: z.string().min(1).optional(),
    /** The `model` field of the request body. */
    model: z.string().optional(),
    api: z.enum(['openai', 'anthropic']).optional(),
    /** Streamed or buffered; chat turns stream, conversation titles do not. */
    stream: z.boolean().optional(),
  })
  .strict()
  .refine(
    (match) => match.lastUserMessage ?? match.lastUserMessageIncludes ?? match.inputIncludes,
    {
      message:
        'a scenario must name its request by lastUserMessage, lastUserMessageIncludes or inputIncludes',
    },
  )

/** A match that names its request by content (the schema's refinement, as a type). */
export type ScenarioMatch = z.input<typeof scenarioMatchSchema> &
  ({ lastUserMessage: string } | { lastUserMessageIncludes: string } | { inputIncludes: string })

/** Body of `POST /__fake/scenarios`: one entry or a list. */
export const queuedScenarioSchema = z
  .object({ scenario: scenarioSchema, match: scenarioMatchSchema })
  .strict()
export const queuedScenariosSchema = z.union([queuedScenarioSchema, z.array(queuedScenarioSchema)])
