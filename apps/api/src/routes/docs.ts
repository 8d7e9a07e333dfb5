import { errorEnvelope } from '@parley/schema/contracts'
import { describeRoute, resolver } from 'hono-openapi'
import type { z } from 'zod'

type Responses = Partial<Record<200 | 201 | 202 | 204, { description: string; schema?: z.ZodType }>>

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: resolver(errorEnvelope) } },
})

/**
 * OpenAPI for one route: its successful responses plus the error envelope. A signed-in route
 * counts against the caller's per-minute quota, so it may answer `429`; a public one says so
 * with `rateLimited` when it counts against the client's address.
 */
export function docs(
  tag: string,
  summary: string,
  responses: Responses,
  { auth = true, rateLimited = auth }: { auth?: boolean; rateLimited?: boolean } = {},
) {
  return describeRoute({
    tags: [tag],
    summary,
    ...(auth ? { security: [{ bearerAuth: [] }] } : { security: [] }),
    responses: {
      ...Object.fromEntries(
        Object.entries(responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema
              ? { content: { 'application/json': { schema: resolver(response.schema) } } }
              : {}),
          },
        ]),
      ),
      400: errorResponse('Invalid input (`validation_error`)'),
      ...(auth ? { 401: errorResponse('Missing or invalid access token (`unauthorized`)') } : {}),
      ...(rateLimited
        ? { 429: errorResponse('Too many requests (`rate_limited`); wait `Retry-After` seconds') }
        : {}),
      500: errorResponse('Unexpected failure (`internal_error`); details are only in the logs'),
    },
  })
}

export const notFoundResponse = errorResponse('Not found, or not yours (`not_found`)')
