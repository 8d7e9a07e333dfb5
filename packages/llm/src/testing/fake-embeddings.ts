/** Dimensions of a fake embedding when the request names none. */
export const FAKE_EMBEDDING_DIMENSIONS = 256

const suffixes = ['ations', 'ation', 'ings', 'ing', 'edly', 'ed', 'ies', 'es', 'ly', 's']

/** A crude stemmer: enough that "tides", "tidal" and "tide" mostly land together. */
function stem(word: string): string {
  for (const suffix of suffixes) {
    if (word.length - suffix.length >= 3 && word.endsWith(suffix))
      return word.slice(0, -suffix.length)
  }
  return word
}

/** FNV-1a, 32 bits: stable across runs and platforms. */
function hash(text: string): number {
  let value = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i)
    value = Math.imul(value, 0x01000193)
  }
  return value >>> 0
}

/**
 * A deterministic unit vector for `text` by feature hashing of its lower-cased, stemmed words:
 * texts that share words point the same way, so similarity search behaves sensibly in tests.
 */
export function fakeEmbedding(text: string, dimensions = FAKE_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0)
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const feature = hash(stem(word))
    const index = feature % dimensions
    vector[index] = (vector[index] ?? 0) + (feature & 0x80000000 ? -1 : 1)
  }
  const norm = Math.hypot(...vector)
  if (norm === 0) {
    vector[0] = 1
    return vector
  }
  return vector.map((value) => value / norm)
}

/** A vector as OpenAI's `encoding_format: "base64"` sends it: little-endian float32 bytes. */
export function base64Vector(vector: number[]): string {
  const floats = Float32Array.from(vector)
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64')
}
