import OpenAI from 'openai'
import { model } from './upstream.ts'

export interface Timing {
  /** Request sent to the first token (the first content chunk, or Parley's first `delta`). */
  ttftMs: number
  /** Request sent to the end of the response. */
  totalMs: number
}

/** One way to run a streamed chat turn; `user` picks the account (where there are accounts). */
export interface Target {
  name: string
  turn(user: number, prompt: string): Promise<Timing>
  /** The process that does the work in between, when there is one (CPU and RSS are read from it). */
  pid?: number
  /** Turns it has served so far, failed ones included. */
  turns: number
  /** Readies whatever the next `turns[user]` turns of each user need (Parley: conversations). */
  prepare?(turns: readonly number[]): Promise<void>
}

/** The official OpenAI SDK: streamed and buffered chat completions against `baseURL`. */
export function sdkClient(baseURL: string, headers: Record<string, string> = {}) {
  const client = new OpenAI({ apiKey: 'bench', baseURL, maxRetries: 0, defaultHeaders: headers })
  const messages = (prompt: string) => [{ role: 'user' as const, content: prompt }]

  async function streamed(prompt: string): Promise<Timing> {
    const started = performance.now()
    let ttftMs = 0
    const stream = await client.chat.completions.create({
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: messages(prompt),
    })
    for await (const chunk of stream) {
      if (ttftMs === 0 && chunk.choices[0]?.delta?.content) ttftMs = performance.now() - started
    }
    if (ttftMs === 0) throw new Error('the stream carried no content')
    return { ttftMs, totalMs: performance.now() - started }
  }

  /** A buffered completion: the whole reply in one JSON body. */
  async function buffered(prompt: string): Promise<number> {
    const started = performance.now()
    const completion = await client.chat.completions.create({ model, messages: messages(prompt) })
    if (!completion.choices[0]?.message.content) throw new Error('the completion had no content')
    return performance.now() - started
  }

  return { streamed, buffered }
}

export type SdkClient = ReturnType<typeof sdkClient>

/** The SDK's streamed call as a target (no process of its own between it and the upstream). */
export function sdkTarget(name: string, client: SdkClient, pid?: number): Target {
  const target: Target = {
    name,
    turns: 0,
    turn: (_user, prompt) => {
      target.turns++
      return client.streamed(prompt)
    },
  }
  if (pid !== undefined) target.pid = pid
  return target
}
