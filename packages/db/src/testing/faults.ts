import type { SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type { Database } from '../client.ts'
import { toDbError } from '../errors.ts'

const dialect = new PgDialect()

/**
 * The database, except that a raw statement (`tx.execute`) of a user transaction fails when
 * `fails(statementText)` says so, the way it does when the connection to Postgres drops
 * (SQLSTATE 08006). The transaction rolls back, as it would.
 */
export function withFaults(db: Database, fails: (statement: string) => boolean): Database {
  return {
    ...db,
    withUser: (claims, fn, options) =>
      db.withUser(
        claims,
        (tx) =>
          fn(
            new Proxy(tx, {
              get(target, prop) {
                const value: unknown = Reflect.get(target, prop)
                if (prop !== 'execute')
                  return typeof value === 'function' ? value.bind(target) : value
                return (query: SQL) => {
                  if (fails(dialect.sqlToQuery(query).sql)) {
                    throw toDbError(
                      Object.assign(new Error('connection terminated'), { code: '08006' }),
                    )
                  }
                  return target.execute(query)
                }
              },
            }),
          ),
        options,
      ),
  }
}
