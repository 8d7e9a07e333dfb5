import { create } from 'zustand'
import { createFrameBatcher } from './frame-batcher.ts'

export type TurnKind = 'send' | 'regenerate'

/** A reply being produced in one conversation. */
export interface LiveTurn {
  kind: TurnKind
  /** `waiting` until the server has stored the messages and the reply starts. */
  phase: 'waiting' | 'streaming'
  assistantMessageId: string | null
}

/** A send or regenerate the server never started; the user can retry it. */
export interface TurnFailure {
  message: string
  retry:
    | { kind: 'send'; messageId: string; content: string; parentId?: string | null | undefined }
    | { kind: 'regenerate'; assistantMessageId: string }
}

interface StreamState {
  /** By conversation id. */
  turns: Record<string, LiveTurn>
  /** By conversation id. */
  failures: Record<string, TurnFailure>
  /** Text painted so far, by assistant message id. */
  liveText: Record<string, string>
}

export const useStreamStore = create<StreamState>()(() => ({
  turns: {},
  failures: {},
  liveText: {},
}))

const batcher = createFrameBatcher((pieces) => {
  useStreamStore.setState((state) => {
    const liveText = { ...state.liveText }
    for (const [messageId, text] of pieces) liveText[messageId] = (liveText[messageId] ?? '') + text
    return { liveText }
  })
})

/** Queues streamed text for the next frame. */
export const appendLiveText = (assistantMessageId: string, text: string) =>
  batcher.push(assistantMessageId, text)

/** Paints queued text at once and returns everything shown for this reply. */
export function flushLiveText(assistantMessageId: string): string {
  batcher.flushNow()
  return useStreamStore.getState().liveText[assistantMessageId] ?? ''
}

export function setTurn(conversationId: string, turn: LiveTurn | null) {
  useStreamStore.setState((state) => {
    const turns = { ...state.turns }
    if (turn) turns[conversationId] = turn
    else delete turns[conversationId]
    return { turns }
  })
}

export function setFailure(conversationId: string, failure: TurnFailure | null) {
  useStreamStore.setState((state) => {
    const failures = { ...state.failures }
    if (failure) failures[conversationId] = failure
    else delete failures[conversationId]
    return { failures }
  })
}

/** Forgets the live text of replies whose final version is now in the message cache. */
export function forgetLiveText(assistantMessageIds: readonly string[]) {
  if (assistantMessageIds.length === 0) return
  useStreamStore.setState((state) => {
    const liveText = { ...state.liveText }
    for (const id of assistantMessageIds) delete liveText[id]
    return { liveText }
  })
}

export function resetStreams() {
  useStreamStore.setState({ turns: {}, failures: {}, liveText: {} })
}

export const useLiveTurn = (conversationId: string) =>
  useStreamStore((state) => state.turns[conversationId])

export const useTurnFailure = (conversationId: string) =>
  useStreamStore((state) => state.failures[conversationId])

export const useLiveText = (assistantMessageId: string) =>
  useStreamStore((state) => state.liveText[assistantMessageId] ?? '')
