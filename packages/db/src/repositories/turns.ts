import {
  maxStoredMessageChars,
  messageUpdate,
  modelId,
  newUsageEvent,
  uuid,
} from '@parley/schema/contracts'
import { conversations, messages, usageEvents } from '@parley/schema/tables'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'
import { executedRows, jsonFromRow, rowFromJson } from '../json-row.ts'
import type { ConversationRow } from './conversations.ts'
import type { ContextMessage, MessageRow } from './messages.ts'

const modelChoice = {
  /** The model asked for, already resolved; absent: the conversation's or the user's preference. */
  model: modelId.nullable().optional(),
  /** The models a preference may name (a preference no longer offered falls through). */
  offered: z.array(modelId).max(1_000),
  defaultModel: modelId,
  /** How many tokens of history to load at most. */
  historyTokens: z.number().int().positive(),
}

export const beginTurnInput = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('send'),
    conversationId: uuid,
    /** The client's id for the user message: sending it again never stores a second one. */
    id: uuid.optional(),
    /** Absent: the end of the shown thread. Null: a new first message (an edit of the first). */
    parentId: uuid.nullable().optional(),
    content: z.string().max(maxStoredMessageChars),
    tokenCount: z.number().int().min(0),
    ...modelChoice,
  }),
  z.strictObject({
    kind: z.literal('regenerate'),
    conversationId: uuid,
    /** The reply being replaced. */
    messageId: uuid,
    /** The client's id for the new reply. */
    replyId: uuid.optional(),
    ...modelChoice,
  }),
])
export type BeginTurnInput = z.input<typeof beginTurnInput>

/** The caller's profile fields a turn needs (name for the system prompt, default model). */
export interface TurnProfile {
  displayName: string | null
  defaultModel: string | null
  email: string | null
  /** Custom instructions: what the model should know about the user, and how to answer. */
  aboutMe: string | null
  replyStyle: string | null
}

/** The caller's budget row as the turn began; null when none was ever written (the team default). */
export interface TurnBudget {
  /** An admin set the limit; otherwise the team default applies. */
  overridden: boolean
  /** The admin's limit when `overridden` (null: exempt). */
  limitMicroUsd: number | null
}

export type BeginTurnResult =
  | {
      status: 'new'
      userMessage: MessageRow
      assistantMessage: MessageRow
      history: ContextMessage[]
      conversation: ConversationRow
      profile: TurnProfile
      budget: TurnBudget | null
    }
  | { status: 'replay'; userMessage: MessageRow; assistantMessage: MessageRow }
  | {
      status:
        | 'conversation_not_found'
        | 'message_not_found'
        | 'no_question'
        | 'id_taken'
        | 'id_resent_differently'
    }

interface BeginTurnJson {
  status: BeginTurnResult['status']
  conversation?: unknown
  profile?: TurnProfile
  userMessage?: unknown
  assistantMessage?: unknown
  history?: { id: string; role: string; content: string; token_count: number; status: string }[]
  budget?: { overridden: boolean; limitMicroUsd: number | string | null } | null
}

/**
 * Opens a chat turn in one round trip (`public.begin_turn`, under the caller's RLS): locks the
 * conversation, stores the user message idempotently and an empty `streaming` reply, and returns
 * the history within `historyTokens`. A replayed id returns the stored messages, writing nothing.
 * It runs only with the caller's claims set (`auth.uid()`), so it may be pipelined behind them
 * (`withUser`'s `pipelined`): were `BEGIN` to fail, it would not run as the connecting role.
 */
export async function beginTurn(tx: Tx, input: BeginTurnInput): Promise<BeginTurnResult> {
  const values = parseInput(beginTurnInput, input)
  const [row] = executedRows<{ result: BeginTurnJson }>(
    await tx.execute(
      sql`select public.begin_turn(${JSON.stringify(values)}::jsonb) as result where auth.uid() is not null`,
    ),
  )
  const result = row?.result
  if (!result) throw new Error("begin_turn ran without the caller's claims, or returned nothing")
  if (result.status === 'replay') {
    return {
      status: 'replay',
      userMessage: rowFromJson(messages, result.userMessage),
      assistantMessage: rowFromJson(messages, result.assistantMessage),
    }
  }
  if (result.status !== 'new') return { status: result.status }
  return {
    status: 'new',
    conversation: rowFromJson(conversations, result.conversation),
    profile: result.profile ?? {
      displayName: null,
      defaultModel: null,
      email: null,
      aboutMe: null,
      replyStyle: null,
    },
    userMessage: rowFromJson(messages, result.userMessage),
    assistantMessage: rowFromJson(messages, result.assistantMessage),
    history: (result.history ?? []).map((m) => ({
      id: m.id,
      role: m.role as ContextMessage['role'],
      content: m.content,
      tokenCount: m.token_count,
      status: m.status as ContextMessage['status'],
    })),
    budget: result.budget
      ? {
          overridden: result.budget.overridden,
          limitMicroUsd:
            result.budget.limitMicroUsd === null ? null : Number(result.budget.limitMicroUsd),
        }
      : null,
  }
}

export const settleTurnInput = z.strictObject({
  messageId: uuid,
  reply: messageUpdate.required(),
  usage: newUsageEvent,
  /** Also release the budget reservations held for the reply, in the same round trip. */
  settleBudget: z.boolean().optional(),
})
export type SettleTurnInput = z.input<typeof settleTurnInput>

export interface SettleTurnResult {
  /** Null when the reply (or its conversation) was deleted while it streamed. */
  assistantMessage: MessageRow | null
  conversation: ConversationRow | null
}

/**
 * Records a turn's outcome in one round trip (`public.settle_turn`, under the caller's RLS): the
 * reply, its usage event (kept even when the conversation is gone) and the conversation's totals;
 * with `settleBudget`, the release of the caller's budget reservations for the reply. Like
 * `beginTurn`, it runs only with the caller's claims set, so it may be pipelined behind them.
 */
export async function settleTurn(tx: Tx, input: SettleTurnInput): Promise<SettleTurnResult> {
  const { messageId, reply, usage, settleBudget } = parseInput(settleTurnInput, input)
  const payload = {
    messageId,
    settleBudget: settleBudget ?? false,
    reply: jsonFromRow(messages, reply),
    usage: jsonFromRow(usageEvents, {
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      costMicroUsd: 0,
      attempts: 1,
      ...usage,
    }),
  }
  const [row] = executedRows<{ result: { assistantMessage: unknown; conversation: unknown } }>(
    await tx.execute(
      sql`select public.settle_turn(${JSON.stringify(payload)}::jsonb) as result where auth.uid() is not null`,
    ),
  )
  const result = row?.result
  if (!result) throw new Error("settle_turn ran without the caller's claims, or returned nothing")
  return {
    assistantMessage: result.assistantMessage
      ? rowFromJson(messages, result.assistantMessage)
      : null,
    conversation: result.conversation ? rowFromJson(conversations, result.conversation) : null,
  }
}
