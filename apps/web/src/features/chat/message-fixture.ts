import type { Message } from '@parley/schema/contracts'

let seq = 0

/** A stored message as the API returns it, for component tests. */
export function messageFixture(overrides: Partial<Message> = {}): Message {
  seq += 1
  const now = new Date(Date.UTC(2026, 0, 1, 12, 0, seq)).toISOString()
  return {
    id: crypto.randomUUID(),
    seq,
    conversationId: '00000000-0000-4000-8000-000000000001',
    userId: '00000000-0000-4000-8000-000000000002',
    parentId: null,
    role: 'assistant',
    content: '',
    status: 'complete',
    model: 'gpt-5-mini',
    provider: 'openai',
    inputTokens: null,
    outputTokens: null,
    cachedInputTokens: null,
    tokenCount: 0,
    costMicroUsd: 0,
    ttftMs: null,
    latencyMs: null,
    error: null,
    metadata: {},
    citations: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  }
}
