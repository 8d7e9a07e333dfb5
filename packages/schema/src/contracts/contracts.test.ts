import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  conversation,
  jwtClaims,
  modelConfigUpsert,
  pageQuery,
  sendMessageBody,
  streamEvent,
  updateConversationBody,
} from './index.ts'

describe('contracts', () => {
  it('accept a conversation row as the API serialises it to JSON', () => {
    const now = new Date()
    const row = {
      id: randomUUID(),
      userId: randomUUID(),
      title: null,
      titleRequestedAt: null,
      model: 'auto',
      systemPrompt: null,
      temperature: null,
      visibility: 'private',
      archivedAt: null,
      inputTokens: 0,
      outputTokens: 0,
      costMicroUsd: 0,
      messageCount: 0,
      lastMessageAt: now,
      activeLeafId: null,
      fileScope: { mode: 'none' },
      createdAt: now,
      updatedAt: now,
    }
    expect(conversation.parse(JSON.parse(JSON.stringify(row)))).toMatchObject({
      createdAt: now.toISOString(),
    })
  })

  it('refuse an empty or whitespace message, unknown fields and oversized content', () => {
    expect(sendMessageBody.safeParse({ content: '  \n ' }).success).toBe(false)
    expect(sendMessageBody.safeParse({ content: 'hi', history: [] }).success).toBe(false)
    expect(sendMessageBody.safeParse({ content: 'x'.repeat(100_001) }).success).toBe(false)
    expect(sendMessageBody.safeParse({ content: 'hi', id: 'not-a-uuid' }).success).toBe(false)
    expect(sendMessageBody.parse({ content: 'hi', model: 'gpt-5-mini' })).toEqual({
      content: 'hi',
      model: 'gpt-5-mini',
    })
  })

  it('refuse an empty update', () => {
    expect(updateConversationBody.safeParse({}).success).toBe(false)
    expect(updateConversationBody.parse({ title: ' Renamed ' })).toEqual({ title: 'Renamed' })
  })

  it('coerce and bound page sizes from query strings', () => {
    expect(pageQuery.parse({ limit: '20' })).toEqual({ limit: 20 })
    expect(pageQuery.parse({})).toEqual({ limit: 30 })
    expect(pageQuery.safeParse({ limit: '1000' }).success).toBe(false)
    expect(pageQuery.safeParse({ cursor: 'has spaces' }).success).toBe(false)
  })

  it('require a subject for authenticated claims and allow only two roles', () => {
    expect(jwtClaims.safeParse({ role: 'authenticated' }).success).toBe(false)
    expect(jwtClaims.safeParse({ role: 'service_role', sub: randomUUID() }).success).toBe(false)
    expect(jwtClaims.safeParse({ role: 'anon' }).success).toBe(true)
  })

  it('refuse a catalog entry whose output cap exceeds its context window or that lacks a price', () => {
    const entry = {
      id: 'm',
      provider: 'openai',
      upstreamModel: 'm',
      displayName: 'M',
      contextWindow: 1000,
      maxOutputTokens: 100,
      inputUsdPerMtok: 1,
      outputUsdPerMtok: 2,
      cachedInputUsdPerMtok: 0.5,
      pricesEffectiveOn: '2026-01-01',
    }
    expect(modelConfigUpsert.safeParse(entry).success).toBe(true)
    expect(modelConfigUpsert.safeParse({ ...entry, maxOutputTokens: 2000 }).success).toBe(false)
    const { inputUsdPerMtok: _, ...withoutPrice } = entry
    expect(modelConfigUpsert.safeParse(withoutPrice).success).toBe(false)
    expect(modelConfigUpsert.safeParse({ ...entry, id: 'auto' }).success).toBe(false)
  })

  it('tell the stream events apart by name', () => {
    expect(streamEvent.parse({ event: 'delta', data: { text: 'Hel' } })).toEqual({
      event: 'delta',
      data: { text: 'Hel' },
    })
    expect(streamEvent.safeParse({ event: 'delta', data: {} }).success).toBe(false)
    expect(streamEvent.safeParse({ event: 'ping', data: {} }).success).toBe(false)
  })

  it('let an error event say whether the reply is stored, and older servers say nothing', () => {
    const error = { code: 'draining', message: 'shutting down', requestId: 'r-1' }
    expect(streamEvent.parse({ event: 'error', data: { error, saved: false } })).toMatchObject({
      data: { saved: false },
    })
    expect(streamEvent.safeParse({ event: 'error', data: { error } }).success).toBe(true)
    expect(streamEvent.safeParse({ event: 'error', data: { error, saved: 'no' } }).success).toBe(
      false,
    )
  })
})
