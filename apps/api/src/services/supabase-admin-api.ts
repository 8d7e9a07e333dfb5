import { AppError } from '../errors.ts'

/**
 * Supabase Auth's admin API (`PUT {SUPABASE_URL}/auth/v1/admin/users/:id`), called with the
 * project's SERVICE ROLE KEY (`SUPABASE_SERVICE_ROLE_KEY`), which bypasses every security rule of
 * the project. Used ONLY by the admin user routes (`routes/admin-users.ts`), after the caller was
 * checked to be an admin, for the one thing only Supabase Auth may do there: change an account's
 * `app_metadata.role` and ban. Reading accounts stays in Postgres under the admin's own claims.
 */
export interface SupabaseAdminApi {
  /** False when Supabase Auth has no such user. */
  updateUser(id: string, change: { role?: 'admin' | 'user'; disabled?: boolean }): Promise<boolean>
}

/** As long as Supabase Auth allows (about 100 years); "none" lifts the ban. */
const permanentBan = '876000h'

export function createSupabaseAdminApi({
  url,
  serviceRoleKey,
  fetch: fetchImpl = fetch,
  timeoutMs = 10_000,
}: {
  url: string
  serviceRoleKey: string
  fetch?: typeof fetch
  timeoutMs?: number
}): SupabaseAdminApi {
  return {
    async updateUser(id, { role, disabled }) {
      const body = {
        // Supabase Auth merges app_metadata; a null value removes the key.
        ...(role === undefined
          ? {}
          : { app_metadata: { role: role === 'admin' ? 'admin' : null } }),
        ...(disabled === undefined ? {} : { ban_duration: disabled ? permanentBan : 'none' }),
      }
      let response: Response
      try {
        response = await fetchImpl(`${url}/auth/v1/admin/users/${encodeURIComponent(id)}`, {
          method: 'PUT',
          headers: {
            apikey: serviceRoleKey,
            authorization: `Bearer ${serviceRoleKey}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (cause) {
        throw new AppError('auth_unavailable', 'Supabase Auth could not be reached', { cause })
      }
      await response.body?.cancel()
      if (response.status === 404) return false
      if (!response.ok) {
        throw new AppError(
          'auth_unavailable',
          response.status === 401 || response.status === 403
            ? 'Supabase Auth refused the service role key: check SUPABASE_SERVICE_ROLE_KEY'
            : `Supabase Auth answered ${response.status} to the account change`,
        )
      }
      return true
    },
  }
}
