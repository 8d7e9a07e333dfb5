import { defineConfig } from 'drizzle-kit'

// Generates Supabase CLI migrations (timestamp-prefixed) from the Drizzle tables; no database needed.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/tables/index.ts',
  out: '../../supabase/migrations',
  migrations: { prefix: 'supabase' },
  entities: { roles: { provider: 'supabase' } },
  strict: true,
  verbose: true,
})
