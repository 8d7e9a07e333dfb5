import {
  appendMessage,
  getLatestReply,
  getMessage,
  loadContextThread,
  type MessageRow,
  openConversationTurn,
  type TurnOpening,
  type Tx,
} from '@parley/db'
import { countEncodedTokens } from '@parley/llm'
import { AppError, notFound } from '../../errors.ts'
import type { ModelDirectory } from '../model-directory.ts'
import type { PreparedTurn, ReplayedTurn, TurnRequest } from './turn-types.ts'

export type Prepared = { kind: 'new'; turn: PreparedTurn } | ({ kind: 'replay' } & ReplayedTurn)

/**
 * The **prepare** step, inside the caller's transaction: stores the user's message
 * (idempotently) and an empty `streaming` reply, and loads the history, before any model is
 * called. Throws `AppError`s for bad input; the transaction then writes nothing.
 */
export async function prepareTurn(
  tx: Tx,
  models: ModelDirectory,
  request: TurnRequest,
): Promise<Prepared> {
  const opening = await openConversationTurn(tx, request.conversationId)
  if (!opening) throw notFound('conversation')
  const question =
    request.kind === 'send'
      ? await storeQuestion(tx, request, opening)
      : await findQuestion(tx, request, opening)
  if (question.kind === 'replay') return question

  const { conversation, profile } = opening
  const model = request.model
    ? models.resolve(request.model)
    : preferredModel(models, conversation.model, profile.defaultModel)
  const { message: assistantMessage } = await appendMessage(tx, {
    ...(question.replyId ? { id: question.replyId } : {}),
    conversationId: conversation.id,
    parentId: question.message.id,
    role: 'assistant',
    content: '',
    status: 'streaming',
    model,
  })
  const history = question.message.parentId
    ? await loadContextThread(tx, conversation.id, question.message.parentId, {
        maxTokens: models.largestContextWindow(),
      })
    : []
  return {
    kind: 'new',
    turn: {
      conversation,
      profile,
      userMessage: question.message,
      assistantMessage,
      model,
      history,
      untitled: conversation.title === null,
    },
  }
}

type Question =
  | { kind: 'new'; message: MessageRow; replyId?: string | undefined }
  | ({ kind: 'replay' } & ReplayedTurn)

/** A send: the user's message, stored once however often the same id is sent. */
async function storeQuestion(
  tx: Tx,
  request: Extract<TurnRequest, { kind: 'send' }>,
  opening: TurnOpening,
): Promise<Question> {
  const { message, created } = await appendMessage(tx, {
    ...(request.id ? { id: request.id } : {}),
    conversationId: opening.conversation.id,
    parentId: request.parentId ?? opening.latestMessageId,
    role: 'user',
    content: request.content,
    tokenCount: countEncodedTokens(request.content),
  })
  if (created) return { kind: 'new', message }
  if (message.content !== request.content) {
    throw new AppError('conflict', 'id: a different message was already sent with this id')
  }
  const reply = await getLatestReply(tx, message.id)
  return reply
    ? { kind: 'replay', userMessage: message, assistantMessage: reply }
    : { kind: 'new', message }
}

/** A regenerate: the user message the replaced reply answered, and the new reply's id. */
async function findQuestion(
  tx: Tx,
  request: Extract<TurnRequest, { kind: 'regenerate' }>,
  opening: TurnOpening,
): Promise<Question> {
  const target = await getMessage(tx, request.messageId)
  if (!target || target.conversationId !== opening.conversation.id || target.role !== 'assistant') {
    throw notFound('message')
  }
  const question = target.parentId ? await getMessage(tx, target.parentId) : null
  if (question?.role !== 'user') {
    throw new AppError('validation_error', 'messageId: this reply answers no user message')
  }
  const existing = request.id ? await getMessage(tx, request.id) : null
  if (!existing) return { kind: 'new', message: question, replyId: request.id }
  if (existing.parentId !== question.id || existing.role !== 'assistant') {
    throw new AppError('conflict', 'id: a different message already uses this id')
  }
  return { kind: 'replay', userMessage: question, assistantMessage: existing }
}

/** The conversation's or the user's preferred model when it is still offered, else the default. */
function preferredModel(
  models: ModelDirectory,
  ...candidates: (string | null | undefined)[]
): string {
  for (const candidate of candidates) {
    if (!candidate) continue
    try {
      return models.resolve(candidate)
    } catch {
      // a model that is no longer offered falls through to the next preference
    }
  }
  return models.resolve(undefined)
}
