const MAX_NAME_LENGTH = 200
const FALLBACK_NAME = 'untitled'

// C0/C1 controls, bidi embeddings/overrides/isolates, zero-width and other invisible formatting
const unsafe = /[\p{Cc}\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu

/**
 * A file name safe to store and show: the last path segment only, without control characters or
 * bidi overrides (which can disguise `exe.pdf` as `fdp.exe`), trimmed, bounded (keeping the
 * extension), and never empty.
 */
export function sanitizeFileName(name: string): string {
  const lastSegment = name.split(/[/\\]/).findLast((part) => part.trim() !== '') ?? ''
  const cleaned = lastSegment
    .normalize('NFC')
    .replace(unsafe, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .trim()
  if (cleaned === '') return FALLBACK_NAME
  return truncateKeepingExtension(cleaned)
}

function truncateKeepingExtension(name: string): string {
  const chars = Array.from(name)
  if (chars.length <= MAX_NAME_LENGTH) return name
  const dot = name.lastIndexOf('.')
  const extension = dot > 0 && name.length - dot <= 16 ? Array.from(name.slice(dot)) : []
  const stem = chars
    .slice(0, MAX_NAME_LENGTH - extension.length)
    .join('')
    .trimEnd()
  return stem + extension.join('')
}
