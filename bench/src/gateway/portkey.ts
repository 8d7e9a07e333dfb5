import { fileURLToPath } from 'node:url'
import { type Child, freePort, startNode } from './processes.ts'
import { type SdkClient, sdkClient } from './targets.ts'
import { prompt } from './upstream.ts'

export interface Portkey extends Child {
  client: SdkClient
  /** Why its streamed path cannot be measured, or null when it streams correctly. */
  streamingFailure: string | null
}

/**
 * Portkey's OSS gateway as a stateless-proxy anchor, routed to the fake upstream by its headers:
 * `x-portkey-provider: openai` picks the OpenAI provider and `x-portkey-custom-host` replaces
 * api.openai.com with the fake's `/v1`, so it never leaves the machine.
 */
export async function startPortkey(upstreamOrigin: string): Promise<Portkey> {
  const port = await freePort()
  const child = await startNode({
    name: 'Portkey',
    args: [
      fileURLToPath(new URL('./portkey-server.ts', import.meta.url)),
      `--port=${port}`,
      '--headless',
    ],
    ready: (line) => line.includes('Ready for connections'),
  })
  const client = sdkClient(`http://127.0.0.1:${port}/v1`, {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${upstreamOrigin}/v1`,
  })
  try {
    await client.buffered(prompt)
  } catch (error) {
    await child.stop()
    throw new Error(`Portkey did not proxy a buffered completion: ${String(error)}`)
  }
  const streamingFailure = await client.streamed(prompt).then(
    () => null,
    async (error: unknown) => {
      await new Promise((resolve) => setTimeout(resolve, 100))
      const logged = child.stderr.find((line) => /error/i.test(line))
      return [String(error), logged].filter(Boolean).join('; Portkey logged: ')
    },
  )
  return Object.assign(child, { client, streamingFailure })
}
