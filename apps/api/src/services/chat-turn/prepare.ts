import { type BeginTurnResult, beginTurn, type Tx } from '@parley/db'
import { AppError, notFound } from '../../errors.ts'
import type { ModelDirectory } from '../model-directory.ts'
import type { PreparedTurn, ReplayedTurn, TurnRequest } from './turn-types.ts'

export type Prepared = { kind: 'new'; turn: PreparedTurn } | ({ kind: 'replay' } & ReplayedTurn)

/**
 * The **prepare** step, one round trip inside the caller's transaction: stores the user's
 * message (idempotently) and an empty `streaming` reply, and loads the history, before any model
 * is called. `tokenCount` is a send's content counted (0 for a regenerate). Throws `AppError`s for
 * bad input; the transaction then writes nothing.
 */
export async function prepareTurn(
  tx: Tx,
  models: ModelDirectory,
  request: TurnRequest,
  tokenCount: number,
): Promise<Prepared> {
  const choice = {
    model: request.model ? models.resolve(request.model) : null,
    offered: [...models.offered],
    defaultModel: models.resolve(undefined),
    historyTokens: models.largestContextWindow(),
  }
  const result = await beginTurn(
    tx,
    request.kind === 'send'
      ? {
          kind: 'send',
          conversationId: request.conversationId,
          ...(request.id ? { id: request.id } : {}),
          ...(request.parentId !== undefined ? { parentId: request.parentId } : {}),
          content: request.content,
          tokenCount,
          ...choice,
        }
      : {
          kind: 'regenerate',
          conversationId: request.conversationId,
          messageId: request.messageId,
          ...(request.id ? { replyId: request.id } : {}),
          ...choice,
        },
  )
  return preparedFrom(result)
}

function preparedFrom(result: BeginTurnResult): Prepared {
  switch (result.status) {
    case 'new':
      return {
        kind: 'new',
        turn: {
          conversation: result.conversation,
          profile: result.profile,
          userMessage: result.userMessage,
          assistantMessage: result.assistantMessage,
          model: result.assistantMessage.model ?? '',
          history: result.history,
          untitled:
            result.conversation.title === null && result.conversation.titleRequestedAt === null,
          budget: result.budget,
        },
      }
    case 'replay':
      return {
        kind: 'replay',
        userMessage: result.userMessage,
        assistantMessage: result.assistantMessage,
      }
    case 'conversation_not_found':
      throw notFound('conversation')
    case 'message_not_found':
      throw notFound('message')
    case 'no_question':
      throw new AppError('validation_error', 'messageId: this reply answers no user message')
    case 'id_resent_differently':
      throw new AppError('conflict', 'id: a different message was already sent with this id')
    case 'id_taken':
      throw new AppError('conflict', 'id: a different message already uses this id')
  }
}
