import { type SQL, sql } from 'drizzle-orm'

/**
 * A Postgres array as one bound parameter (`{a,b,c}` cast to `type`), so an embedding of
 * thousands of numbers is one parameter rather than thousands. Only for values validated as
 * numbers or uuids, which need no quoting inside the literal.
 */
export function arrayParam(values: readonly (number | string)[], type: 'real[]' | 'uuid[]'): SQL {
  return sql`${`{${values.join(',')}}`}::${sql.raw(type)}`
}
