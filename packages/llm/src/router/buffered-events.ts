import { LlmError } from '../errors.ts'
import type { ChatEvent, ChatProvider, ChatRequest } from '../types.ts'

/** A buffered completion as the events a stream would have sent, so both modes share one path. */
export async function* bufferedEvents(
  provider: ChatProvider,
  request: ChatRequest,
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  try {
    const completion = await provider.complete(request, signal)
    if (completion.text) yield { type: 'text', text: completion.text }
    if (completion.usage) yield { type: 'usage', usage: completion.usage }
    yield { type: 'finish', reason: completion.finishReason }
  } catch (error) {
    yield {
      type: 'error',
      error:
        error instanceof LlmError
          ? error
          : new LlmError('provider_error', { detail: String(error) }),
    }
  }
}
