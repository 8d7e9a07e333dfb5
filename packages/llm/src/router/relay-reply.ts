import { abortedError, LlmError, streamEndedEarly } from '../errors.ts'
import type { ChatEvent } from '../types.ts'
import type { ReplyOutcome } from './call-report.ts'
import { attemptTimeout, type StartedAttempt } from './start-attempt.ts'

export interface RelayOptions {
  /** Provider id, for the errors the relay raises itself. */
  provider: string
  emit: (event: ChatEvent) => void
  /** The call's signal; aborting it closes the upstream stream. */
  signal: AbortSignal
  /** A stream silent for this long ends with a timeout error. */
  idleTimeoutMs: number
}

/** Forwards a started attempt to the caller until it finishes, fails, goes silent or is aborted. */
export async function relayReply(
  started: StartedAttempt,
  options: RelayOptions,
): Promise<ReplyOutcome> {
  const { iterator, controller } = started
  const { signal } = options
  const reply: ReplyOutcome = { text: '', usage: null, finishReason: null, error: null }
  const idle = idleWatch(controller, options.idleTimeoutMs)
  const forwardAbort = () => controller.abort(signal.reason)
  signal.addEventListener('abort', forwardAbort, { once: true })
  if (signal.aborted) controller.abort(signal.reason)
  const forward = (event: ChatEvent) => forwardEvent(event, reply, options, idle.timedOut)
  try {
    let more = true
    for (const event of started.first) more = forward(event) && more
    idle.arm()
    while (more) {
      const next = await iterator.next()
      if (next.done) {
        if (reply.finishReason === null && reply.error === null) {
          forward({ type: 'error', error: streamEndedEarly(options.provider) })
        }
        break
      }
      idle.arm()
      more = forward(next.value)
    }
  } finally {
    idle.stop()
    signal.removeEventListener('abort', forwardAbort)
    await iterator.return?.()
  }
  return reply
}

/** Records one event in `reply` and passes it on; false once the reply is over. */
function forwardEvent(
  event: ChatEvent,
  reply: ReplyOutcome,
  { provider, emit, signal, idleTimeoutMs }: RelayOptions,
  timedOut: () => boolean,
): boolean {
  switch (event.type) {
    case 'text':
      reply.text += event.text
      emit(event)
      return true
    case 'usage':
      reply.usage = event.usage
      emit(event)
      return true
    case 'finish':
      reply.finishReason = event.reason
      emit(event)
      return false
    case 'error': {
      const error = timedOut()
        ? new LlmError('timeout', { provider, detail: `stream silent for ${idleTimeoutMs} ms` })
        : signal.aborted
          ? abortedError(provider)
          : event.error
      reply.error = error
      emit({ type: 'error', error })
      return false
    }
  }
}

/** Aborts the attempt when no event arrives for `timeoutMs`; re-armed on every event. */
function idleWatch(controller: AbortController, timeoutMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined
  let timedOut = false
  return {
    timedOut: () => timedOut,
    arm() {
      clearTimeout(timer)
      timer = setTimeout(() => {
        timedOut = true
        controller.abort(attemptTimeout)
      }, timeoutMs)
    },
    stop: () => clearTimeout(timer),
  }
}
