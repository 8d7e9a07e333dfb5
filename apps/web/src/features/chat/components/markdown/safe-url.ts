const linkProtocols = new Set(['http:', 'https:', 'mailto:'])
const inlineImage = /^data:image\/(?:png|jpeg|gif|webp);base64,[a-z0-9+/=\s]+$/i

/** An absolute `http(s)` or `mailto` URL, or null for anything else (`javascript:`, relative). */
export function safeLinkUrl(value: string | undefined): string | null {
  if (!value) return null
  try {
    const url = new URL(value.trim())
    return linkProtocols.has(url.protocol) ? url.href : null
  } catch {
    return null
  }
}

/**
 * A raster image embedded in the reply itself, or null: images from other origins are never
 * fetched, since a model tricked into writing one would leak data through its URL.
 */
export function inlineImageSource(value: string | undefined): string | null {
  return value && inlineImage.test(value) ? value : null
}

/** react-markdown's URL hook: links are filtered here, images by the image component. */
export function markdownUrlTransform(value: string, key: string): string {
  if (key === 'href') return safeLinkUrl(value) ?? ''
  if (key === 'src') return value
  return ''
}
