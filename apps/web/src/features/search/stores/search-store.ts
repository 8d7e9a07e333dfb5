import { create } from 'zustand'

/** Whether the search dialog is open; the sidebar and Ctrl/Cmd+K open it. */
export const useSearchStore = create<{ open: boolean }>()(() => ({ open: false }))

export const openSearch = () => useSearchStore.setState({ open: true })
export const closeSearch = () => useSearchStore.setState({ open: false })
