import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import { resolver, uniqueSymbol } from 'hono-openapi'
import type { z } from 'zod'
import { AppError } from '../errors.ts'

/**
 * `zValidator` that throws a `validation_error` for `onError` to write, and carries the schema
 * so the OpenAPI document is generated from exactly what the route validates.
 */
export function validate<Target extends keyof ValidationTargets, S extends z.ZodType>(
  target: Target,
  schema: S,
) {
  const middleware = zValidator(target, schema, (result) => {
    if (!result.success) {
      const issues = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      }))
      const first = issues[0]
      throw new AppError(
        'validation_error',
        first
          ? `${target}${first.path ? `.${first.path}` : ''}: ${first.message}`
          : 'invalid input',
        { details: { target, issues } },
      )
    }
  })
  return Object.assign(middleware, { [uniqueSymbol]: { target, ...resolver(schema) } })
}
