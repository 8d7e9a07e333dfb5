import type { Hono } from 'hono'
import { openAPIRouteHandler } from 'hono-openapi'
import type { AppEnv } from '../env.ts'

/** `GET /openapi.json`, generated from the schemas the routes validate with. */
export function openApiDocument(api: Hono<AppEnv>, version: string) {
  return openAPIRouteHandler(api, {
    documentation: {
      info: {
        title: 'Parley API',
        version,
        description:
          'Conversations, messages and streamed replies. Errors use one envelope: `{ error: { code, message, requestId, details? } }`; every response carries `x-request-id`.',
      },
      servers: [{ url: '/api/v1' }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'A Supabase Auth (or embedded `/auth/v1`) access token',
          },
        },
      },
    },
  })
}
