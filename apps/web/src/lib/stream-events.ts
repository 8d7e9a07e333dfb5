import type { StreamEvent, StreamEventName } from '@parley/schema/contracts'
import { EventSourceParserStream } from 'eventsource-parser/stream'

const eventNames: ReadonlySet<string> = new Set<StreamEventName>([
  'start',
  'delta',
  'done',
  'error',
])

/**
 * The typed events of a streamed reply. Frames with other names (keep-alives, future events)
 * are skipped, so an older client keeps working against a newer server.
 */
export async function* readStreamEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<StreamEvent> {
  const reader = body
    // The DOM typings disagree on the decoder's input type; at runtime it takes these bytes.
    .pipeThrough(new TextDecoderStream() as TransformStream<Uint8Array, string>)
    .pipeThrough(new EventSourceParserStream())
    .getReader()
  let finished = false
  try {
    while (true) {
      const { value, done } = await reader.read()
      if (done) {
        finished = true
        return
      }
      if (value.event === undefined || !eventNames.has(value.event)) continue
      yield { event: value.event, data: JSON.parse(value.data) } as StreamEvent
    }
  } finally {
    // A consumer that stops early closes the connection rather than leaving it open.
    if (!finished) await reader.cancel().catch(() => undefined)
  }
}
