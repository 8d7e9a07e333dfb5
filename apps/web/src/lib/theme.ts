import type { Me } from '@parley/schema/contracts'

export type Theme = Me['theme']

const storageKey = 'parley.theme'

const isTheme = (value: unknown): value is Theme =>
  value === 'system' || value === 'light' || value === 'dark'

/** The theme remembered on this device, so the first paint already has the right colours. */
export function storedTheme(): Theme {
  const value = localStorage.getItem(storageKey)
  return isTheme(value) ? value : 'system'
}

export function applyTheme(theme: Theme) {
  document.documentElement.dataset.theme = theme
  localStorage.setItem(storageKey, theme)
}
