import crypto from 'node:crypto'

/**
 * Lets s3rver page a listing on this Node: it seals its continuation tokens with single DES,
 * which OpenSSL 3 no longer offers by default. Triple DES with the key given three times is the
 * same cipher, so s3rver's `des` is served by `des-ede3-cbc` (in this test process only).
 */
export function letS3rverPageListings(): void {
  const tripled = (key: crypto.CipherKey) =>
    Buffer.isBuffer(key) && key.length === 8 ? Buffer.concat([key, key, key]) : key
  const { createCipheriv, createDecipheriv } = crypto
  Object.assign(crypto, {
    createCipheriv: (algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null) =>
      algorithm === 'des'
        ? createCipheriv('des-ede3-cbc', tripled(key), iv)
        : createCipheriv(algorithm, key, iv),
    createDecipheriv: (algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null) =>
      algorithm === 'des'
        ? createDecipheriv('des-ede3-cbc', tripled(key), iv)
        : createDecipheriv(algorithm, key, iv),
  })
}
