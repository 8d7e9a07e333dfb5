import { abortedError, streamEndedEarly } from '../errors.ts'
import type { ChatEvent, FinishReason, Usage } from '../types.ts'
import type { SdkErrorMapper } from './sdk-errors.ts'

/** How an SDK stream ended; `finish` stays undefined unless the provider said the reply was complete. */
export interface StreamEnd {
  finish: FinishReason | undefined
  usage: Usage | null
}

export interface SdkStreamOptions {
  provider: string
  signal: AbortSignal
  toLlmError: SdkErrorMapper
}

/**
 * Relays `read` (an SDK stream turned into text events) and ends it the same way for every
 * provider: usage then finish, or a single error for a failure, a quiet abort or a cut-short stream.
 */
export async function* sdkStream(
  read: () => AsyncGenerator<ChatEvent, StreamEnd>,
  { provider, signal, toLlmError }: SdkStreamOptions,
): AsyncGenerator<ChatEvent> {
  let end: StreamEnd
  try {
    end = yield* read()
  } catch (error) {
    yield { type: 'error', error: toLlmError(error, signal) }
    return
  }
  // The SDKs end a stream quietly when its request is aborted.
  if (signal.aborted) {
    yield { type: 'error', error: abortedError(provider) }
    return
  }
  if (end.finish === undefined) {
    yield { type: 'error', error: streamEndedEarly(provider) }
    return
  }
  if (end.usage) yield { type: 'usage', usage: end.usage }
  yield { type: 'finish', reason: end.finish }
}
