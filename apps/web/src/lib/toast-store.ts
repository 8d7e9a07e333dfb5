import { create } from 'zustand'

export interface Toast {
  id: number
  message: string
  tone: 'info' | 'error'
}

interface ToastState {
  toasts: Toast[]
}

export const useToastStore = create<ToastState>()(() => ({ toasts: [] }))

let nextId = 1
const visibleMs = 6_000

export function dismissToast(id: number) {
  useToastStore.setState((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) }))
}

/** A short message in the corner, announced to screen readers, gone after a few seconds. */
export function toast(message: string, tone: Toast['tone'] = 'info') {
  const id = nextId++
  useToastStore.setState((state) => ({
    toasts: [...state.toasts.slice(-2), { id, message, tone }],
  }))
  setTimeout(() => dismissToast(id), visibleMs)
}
