import { closeInterruptedReplies, type Database } from '@parley/db'

/**
 * Closes replies a previous run left `streaming`. The embedded database has one server, so every
 * such reply is orphaned; a shared Postgres may have other servers still streaming, so only replies
 * idle for five minutes are closed there.
 */
export function recoverInterruptedReplies(db: Database): Promise<number> {
  const idleSeconds = db.kind === 'pglite' ? 0 : 300
  return db.asService((tx) => closeInterruptedReplies(tx, { idleSeconds }))
}
