import type { Message } from '@parley/schema/contracts'

const words = (
  'the model answers with a careful plan that covers latency caching retries budgets ' +
  'streaming tokens cost users conversations markdown tables lists code review deploy'
).split(' ')

/** A small deterministic generator, so every run renders the same thread. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

function sentence(next: () => number, length: number): string {
  const picked = Array.from({ length }, () => words[Math.floor(next() * words.length)] ?? 'word')
  const text = picked.join(' ')
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`
}

function assistantText(next: () => number, index: number): string {
  const blocks = [sentence(next, 12 + Math.floor(next() * 30))]
  if (index % 3 === 0) {
    blocks.push(['- first point', '- second point with **bold** text', '- a third'].join('\n'))
  }
  if (index % 10 === 0) {
    blocks.push(['```ts', 'export const answer = (n: number) => n * 42', '```'].join('\n'))
  }
  blocks.push(sentence(next, 8 + Math.floor(next() * 20)))
  return blocks.join('\n\n')
}

/** A thread of alternating questions and markdown answers, as the API returns them. */
export function makeThread(count: number): Message[] {
  const next = random(7)
  const conversationId = '00000000-0000-4000-8000-00000000c0de'
  const start = Date.UTC(2026, 0, 1)
  return Array.from({ length: count }, (_, index): Message => {
    const user = index % 2 === 0
    const at = new Date(start + index * 60_000).toISOString()
    return {
      id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      seq: index + 1,
      conversationId,
      userId: '00000000-0000-4000-8000-0000000000aa',
      parentId: null,
      role: user ? 'user' : 'assistant',
      content: user ? sentence(next, 6 + Math.floor(next() * 18)) : assistantText(next, index),
      status: 'complete',
      model: user ? null : 'gpt-5-mini',
      provider: user ? null : 'openai',
      inputTokens: user ? null : 900 + index,
      outputTokens: user ? null : 240,
      cachedInputTokens: null,
      tokenCount: 0,
      costMicroUsd: user ? 0 : 1_450,
      ttftMs: null,
      latencyMs: null,
      error: null,
      metadata: {},
      citations: [],
      createdAt: at,
      updatedAt: at,
    }
  })
}

/** The text of a long streamed reply, cut into `count` small deltas. */
export function replyDeltas(count: number): string[] {
  const next = random(11)
  const deltas: string[] = []
  let index = 0
  while (deltas.length < count) {
    const text = `${assistantText(next, index)}\n\n`
    index += 1
    for (const piece of text.match(/\s*\S+\s*/g) ?? []) {
      if (deltas.length < count) deltas.push(piece)
    }
  }
  return deltas
}
