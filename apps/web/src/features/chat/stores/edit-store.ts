import { create } from 'zustand'

interface EditState {
  /** The user message being edited in place, if any (one at a time). */
  editingId: string | null
}

export const useEditStore = create<EditState>(() => ({ editingId: null }))

export const startEditing = (messageId: string) => useEditStore.setState({ editingId: messageId })

export const stopEditing = () => useEditStore.setState({ editingId: null })

export const useIsEditing = (messageId: string) =>
  useEditStore((state) => state.editingId === messageId)
