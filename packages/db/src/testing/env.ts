/** Set to run the database suites against a real Postgres instead of the embedded PGlite. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined
