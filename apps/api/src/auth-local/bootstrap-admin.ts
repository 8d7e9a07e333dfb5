import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import path from 'node:path'
import { readPrivateFile, writePrivateFile } from './private-file.ts'
import { Throttle } from './throttle.ts'

const digest = (token: string) => createHash('sha256').update(token).digest()

interface StoredToken {
  /** SHA-256 (hex) of the generated token. */
  hash: string
  usedAt: string | null
}

/**
 * The secret that makes its presenter an admin (`POST /api/v1/admin/claim`), in embedded mode.
 * The operator's own (`PARLEY_BOOTSTRAP_ADMIN_TOKEN`) stays valid while it is set; a generated
 * one is shown once, at the first start, and works once.
 */
export class BootstrapAdminToken {
  readonly #hash: Buffer
  readonly #file: string | undefined
  #used = false
  /** Wrong tokens per user: an operator's token may be short enough to be worth guessing. */
  readonly failures = new Throttle({ limit: 5, windowMs: 15 * 60_000 })

  private constructor(hash: Buffer, file: string | undefined) {
    this.#hash = hash
    this.#file = file
  }

  /** The operator's token: reusable, nothing stored. */
  static configured(token: string): BootstrapAdminToken {
    return new BootstrapAdminToken(digest(token), undefined)
  }

  /**
   * The generated token's record in the data folder, created (and `announce`d, the only time
   * it is ever shown) when there is none yet. `undefined` once it has been used.
   */
  static async generated(
    dataDir: string,
    announce: (token: string) => void,
  ): Promise<BootstrapAdminToken | undefined> {
    const file = path.join(dataDir, 'auth', 'bootstrap-admin.json')
    const text = await readPrivateFile(file)
    const stored = text === undefined ? undefined : (JSON.parse(text) as StoredToken)
    if (stored) {
      return stored.usedAt
        ? undefined
        : new BootstrapAdminToken(Buffer.from(stored.hash, 'hex'), file)
    }
    const token = randomBytes(24).toString('base64url')
    const hash = digest(token)
    await writePrivateFile(file, JSON.stringify({ hash: hash.toString('hex'), usedAt: null }))
    announce(token)
    return new BootstrapAdminToken(hash, file)
  }

  /**
   * Whether `token` is this one, compared in constant time. A generated token is taken by the
   * first match (so two claims at once cannot both succeed); `persistSpent` records that.
   */
  take(token: string): boolean {
    if (this.#used || !timingSafeEqual(digest(token), this.#hash)) return false
    if (this.#file) this.#used = true
    return true
  }

  /** Undoes `take` when the claim could not be recorded. */
  giveBack(): void {
    this.#used = false
  }

  async persistSpent(): Promise<void> {
    if (!this.#file) return
    const stored: StoredToken = {
      hash: this.#hash.toString('hex'),
      usedAt: new Date().toISOString(),
    }
    await writePrivateFile(this.#file, JSON.stringify(stored))
  }
}
