import { type Database, listModelConfigs, readModelCatalogVersion } from '@parley/db'
import type { Logger } from 'pino'
import type { ModelDirectory } from './model-directory.ts'

/**
 * Keeps this instance's model directory in step with the catalog in the database. `refresh`
 * reads the catalog version (one small statement) and, only when it moved, the rows; every
 * instance calls it at most once a second, and the instance that made a change calls it
 * right after committing, so its own next request already sees the change.
 */
export class CatalogSync {
  #version: number
  #chain: Promise<void> = Promise.resolve()
  #busy = false
  #timer: NodeJS.Timeout | undefined
  readonly #db: Database
  readonly #directory: ModelDirectory
  readonly #logger: Logger

  constructor(db: Database, directory: ModelDirectory, logger: Logger, loadedVersion: number) {
    this.#db = db
    this.#directory = directory
    this.#logger = logger
    this.#version = loadedVersion
  }

  /** Checks for a newer catalog once the checks already queued are done. */
  refresh(): Promise<void> {
    this.#chain = this.#chain.catch(() => {}).then(() => this.#check())
    return this.#chain
  }

  /** Checks every `everyMs` (default 1 s) until `stop`; a failed check is logged and retried. */
  start(everyMs = 1_000): void {
    this.#timer ??= setInterval(() => {
      if (this.#busy) return
      this.#busy = true
      this.refresh()
        .catch((error: unknown) => this.#logger.warn({ err: error }, 'model catalog check failed'))
        .finally(() => {
          this.#busy = false
        })
    }, everyMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #check(): Promise<void> {
    const version = await readModelCatalogVersion(this.#db)
    if (version === this.#version) return
    // Read after the version: the rows are at least as new as the version recorded.
    const rows = await this.#db.asService(listModelConfigs)
    const rejected = this.#directory.load(rows)
    for (const entry of rejected)
      this.#logger.error(entry, 'model config rejected: it will not be offered')
    this.#version = version
    this.#logger.info(
      { version, models: this.#directory.models.map((m) => m.id) },
      'model catalog reloaded',
    )
  }
}
