import { LlmError, streamEndedEarly } from '../errors.ts'
import type { ChatEvent, ChatProvider, ChatRequest } from '../types.ts'
import { bufferedEvents } from './buffered-events.ts'

export type CallMode = 'stream' | 'buffered'

/** An attempt whose first token arrived: the rest of its events are still to be read. */
export interface StartedAttempt {
  kind: 'started'
  /** The events up to and including the first token. */
  first: ChatEvent[]
  iterator: AsyncIterator<ChatEvent>
  controller: AbortController
}

export type AttemptStart =
  | StartedAttempt
  | { kind: 'failed'; error: LlmError }
  | { kind: 'aborted' }

export interface AttemptOptions {
  mode: CallMode
  /** The call's signal; aborting it aborts the attempt. */
  signal: AbortSignal
  /** How long the first token may take. */
  timeoutMs: number
}

/** The abort reason of an attempt that ran out of time. */
export const attemptTimeout = Symbol('attempt timeout')

/** Runs one attempt against one provider until its first token, a failure, the timeout or an abort. */
export async function startAttempt(
  provider: ChatProvider,
  request: ChatRequest,
  { mode, signal, timeoutMs }: AttemptOptions,
): Promise<AttemptStart> {
  const controller = new AbortController()
  const forwardAbort = () => controller.abort(signal.reason)
  signal.addEventListener('abort', forwardAbort, { once: true })
  const timer = setTimeout(() => controller.abort(attemptTimeout), timeoutMs)
  const events =
    mode === 'stream'
      ? provider.stream(request, controller.signal)
      : bufferedEvents(provider, request, controller.signal)
  const iterator = events[Symbol.asyncIterator]()
  const first: ChatEvent[] = []
  let started = false
  try {
    while (true) {
      const next = await iterator.next()
      if (next.done) return { kind: 'failed', error: streamEndedEarly(provider.id) }
      first.push(next.value)
      if (next.value.type === 'text' || next.value.type === 'finish') {
        started = true
        return { kind: 'started', first, iterator, controller }
      }
      if (next.value.type === 'error') {
        const timedOut = controller.signal.reason === attemptTimeout
        return classifyFailure(next.value.error, { timedOut, signal, provider, timeoutMs })
      }
    }
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', forwardAbort)
    if (!started) {
      controller.abort()
      await iterator.return?.()
    }
  }
}

/** An error before the first token: the attempt's own timeout, the caller's abort, or the provider's failure. */
function classifyFailure(
  error: LlmError,
  attempt: { timedOut: boolean; signal: AbortSignal; provider: ChatProvider; timeoutMs: number },
): AttemptStart {
  if (attempt.timedOut) {
    const detail = `no first token within ${attempt.timeoutMs} ms`
    const provider = attempt.provider.id
    return { kind: 'failed', error: new LlmError('timeout', { provider, detail }) }
  }
  if (attempt.signal.aborted) return { kind: 'aborted' }
  return { kind: 'failed', error }
}
