import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

// scrypt with N=2^15, r=8, p=1 (OWASP's minimum is N=2^17 with r=8 for new systems; 2^15 keeps a
// sign-in under ~100 ms on a 2-core server while costing an attacker 32 MiB per guess).
const params = { N: 2 ** 15, r: 8, p: 1 }
const keyLength = 32
const maxmem = 128 * params.N * params.r * 2

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    )
  })
}

/** `$scrypt$N=32768,r=8,p=1$<salt>$<hash>` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await derive(password, salt, { ...params, maxmem })
  return `$scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`
}

const stored = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const match = stored.exec(encoded)
  if (!match) return false
  const [, n, r, p, salt = '', hash = ''] = match
  const expected = Buffer.from(hash, 'base64')
  const options = { N: Number(n), r: Number(r), p: Number(p) }
  const actual = await derive(password, Buffer.from(salt, 'base64'), {
    ...options,
    maxmem: 128 * options.N * options.r * 2,
  })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A hash to verify against when the email is unknown, so timing does not reveal accounts. */
export const decoyHash = hashPassword(randomBytes(16).toString('hex'))
