import { supabase } from '../../../lib/supabase.ts'
import { stopAllReplies } from '../../chat/api/chat-turn.ts'

/**
 * Signs out of this browser; `everywhere` ends every session of the account, on every device.
 * (supabase-js's own default is everywhere, which would sign a person out of their phone for
 * leaving a shared computer.)
 */
export async function signOut({ everywhere = false }: { everywhere?: boolean } = {}) {
  stopAllReplies()
  await supabase.auth.signOut({ scope: everywhere ? 'global' : 'local' })
}
