import postgres from 'postgres'

/** The database every gateway run drops and creates again on the `BENCH_DATABASE_URL` server. */
const gatewayDatabase = 'parley_bench_gateway'

export interface FreshDatabase {
  url: string
  drop(): Promise<void>
}

/**
 * A new, empty database on the server `adminUrl` points at (its own database is only where the
 * statements run), so that runs never pile up rows or see each other's.
 */
export async function freshDatabase(
  adminUrl: string,
  benchDatabase = gatewayDatabase,
): Promise<FreshDatabase> {
  const recreate = async (create: boolean) => {
    const sql = postgres(adminUrl, { max: 1, onnotice: () => {} })
    try {
      await sql.unsafe(`DROP DATABASE IF EXISTS ${benchDatabase} WITH (FORCE)`)
      if (create) await sql.unsafe(`CREATE DATABASE ${benchDatabase}`)
    } finally {
      await sql.end({ timeout: 5 })
    }
  }
  await recreate(true)
  const url = new URL(adminUrl)
  url.pathname = `/${benchDatabase}`
  return { url: url.toString(), drop: () => recreate(false) }
}
