import { create } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'

/** The key of the draft typed before a conversation exists. */
export const newChatDraftKey = 'new'

interface DraftState {
  /** Unsent text by conversation id (or `newChatDraftKey`). */
  drafts: Record<string, string>
}

/** What the user typed but has not sent, per conversation; kept across reloads. */
export const useDraftStore = create<DraftState>()(
  persist(() => ({ drafts: {} }), {
    name: 'parley.drafts',
    storage: createJSONStorage(() => localStorage),
  }),
)

export function setDraft(key: string, text: string) {
  useDraftStore.setState((state) => {
    const drafts = { ...state.drafts }
    if (text) drafts[key] = text
    else delete drafts[key]
    return { drafts }
  })
}

export const getDraft = (key: string) => useDraftStore.getState().drafts[key] ?? ''

export const useDraft = (key: string) => useDraftStore((state) => state.drafts[key] ?? '')

export function clearDrafts() {
  useDraftStore.setState({ drafts: {} })
}
