import { stopAllReplies } from '../features/chat/api/chat-turn.ts'
import { supabase } from '../lib/supabase.ts'

export async function signOut() {
  stopAllReplies()
  await supabase.auth.signOut()
}
