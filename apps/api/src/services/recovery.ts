import { closeInterruptedReplies, closeOrphanedReplies, type Database } from '@parley/db'
import { orphanLimits } from './reply-leases.ts'

/**
 * Closes replies a previous run left `streaming`. The embedded database has one server, so every
 * such reply is orphaned. A shared Postgres may have other servers still streaming: only replies
 * whose server's lease went stale are closed there (or, with no lease, replies idle 5 minutes).
 */
export function recoverInterruptedReplies(db: Database): Promise<number> {
  if (db.kind === 'pglite') {
    return db.asService((tx) => closeInterruptedReplies(tx, { idleSeconds: 0 }))
  }
  return db.asService((tx) => closeOrphanedReplies(tx, orphanLimits))
}
