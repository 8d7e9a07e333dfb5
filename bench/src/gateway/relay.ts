import { fileURLToPath } from 'node:url'
import { streamTurn } from './parley.ts'
import { type Child, freePort, startNode } from './processes.ts'
import type { Target } from './targets.ts'

export interface Relay extends Child, Target {
  pid: number
}

/**
 * The stack's floor (`relay-server.ts`) in its own process, read by the same client as Parley's
 * turns: what serving a stream on the API's parts costs before Parley does any work of its own.
 */
export async function startRelay(name: string, upstreamOrigin: string): Promise<Relay> {
  const port = await freePort()
  const child = await startNode({
    name: 'the relay',
    args: [
      fileURLToPath(new URL('./relay-server.ts', import.meta.url)),
      String(port),
      upstreamOrigin,
    ],
    ready: (line) => line.includes('listening'),
  })
  const url = `http://127.0.0.1:${port}/relay`
  const relay: Relay = Object.assign(child, {
    name,
    turns: 0,
    turn: (_user: number, prompt: string) => {
      relay.turns++
      return streamTurn(url, 'relay', prompt)
    },
  })
  return relay
}
