import { getTableColumns, type Table } from 'drizzle-orm'

/**
 * A table row from its `to_jsonb()` form (snake_case keys, as a SQL function returns it), decoded
 * by the table's own columns exactly as a query would decode it.
 */
export function rowFromJson<T extends Table>(table: T, json: unknown): T['$inferSelect'] {
  const source = json as Record<string, unknown>
  const row: Record<string, unknown> = {}
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = source[column.name]
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value)
  }
  return row as T['$inferSelect']
}

/** A row's values keyed by column name (snake_case), for `jsonb_populate_record` in SQL. */
export function jsonFromRow<T extends Table>(
  table: T,
  values: Partial<T['$inferInsert']>,
): Record<string, unknown> {
  const columns = getTableColumns(table)
  const json: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(values)) {
    const column = columns[key]
    if (!column || value === undefined) continue
    json[column.name] = value instanceof Date ? value.toISOString() : value
  }
  return json
}

/** The rows of `tx.execute()`, which PGlite returns as `{ rows }` and postgres.js as an array. */
export function executedRows<R>(result: unknown): R[] {
  return (Array.isArray(result) ? result : (result as { rows: R[] }).rows) as R[]
}
