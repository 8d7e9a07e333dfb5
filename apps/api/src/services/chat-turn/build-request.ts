import type { ContextMessage, MessageRow } from '@parley/db'
import {
  buildContext,
  type ChatMessage,
  countTokens,
  defaultMargin,
  defaultOutputReserve,
  type ModelSpec,
  type RouterRequest,
  renderPrompt,
} from '@parley/llm'
import type { ContextPassage, PreparedTurn } from './turn-types.ts'

/** What a turn's request is built from: a prepared turn, or the one a held thread says is likely. */
export type TurnRequestSource = Pick<
  PreparedTurn,
  'conversation' | 'profile' | 'model' | 'history'
> & {
  userMessage: Pick<MessageRow, 'role' | 'content' | 'tokenCount'>
}

export interface TurnModelRequest {
  request: RouterRequest
  /** History messages left out to fit the model's context window. */
  droppedMessages: number
  /** The passages given to the model: those that fitted its budget, in their order. */
  passages: ContextPassage[]
}

/** At most this share of the prompt budget left by the instructions and the question goes to passages. */
const passageShare = 0.5

/**
 * Builds what the router is asked: the versioned system prompt (with the conversation's own
 * instructions and any retrieved passages), and the history trimmed to the model's budget.
 */
export function buildTurnRequest(
  turn: TurnRequestSource,
  options: { models: readonly ModelSpec[]; today: string; passages: readonly ContextPassage[] },
): TurnModelRequest {
  const spec = budgetSpec(options.models, turn.model)
  const passages = fittingPassages(turn, spec, options.passages)
  const system = systemPrompt(turn, spec, options.today, passages)
  const context = buildContext({
    system: system.text,
    history: turn.history.filter(usableInContext).map(toChatMessage),
    newUserMessage: toChatMessage(turn.userMessage),
    model: spec,
  })
  return {
    request: {
      model: turn.model,
      system: context.system,
      messages: context.messages,
      ...(turn.conversation.temperature === null
        ? {}
        : { temperature: turn.conversation.temperature }),
      prompt: { name: system.name, version: system.version },
    },
    droppedMessages: context.droppedMessages,
    passages,
  }
}

/**
 * The best-ranked passages that fit their share of the model's prompt budget; the history gets
 * the rest, trimmed by `buildContext` as usual.
 */
function fittingPassages(
  turn: TurnRequestSource,
  spec: ModelSpec,
  passages: readonly ContextPassage[],
): ContextPassage[] {
  if (passages.length === 0) return []
  const budget = spec.contextWindow - defaultOutputReserve(spec) - defaultMargin(spec)
  const question = countTokens(turn.userMessage.content, spec)
  const room = Math.floor(
    (budget -
      question -
      (turn.conversation.systemPrompt ? countTokens(turn.conversation.systemPrompt, spec) : 0)) *
      passageShare,
  )
  const kept: ContextPassage[] = []
  let used = 0
  for (const passage of passages) {
    // Its number and the blank line around it.
    const cost = countTokens(passage.text, spec) + 8
    if (used + cost > room) break
    used += cost
    kept.push(passage)
  }
  return kept
}

/** The model whose window the context is budgeted for. */
function budgetSpec(models: readonly ModelSpec[], model: string): ModelSpec {
  const exact = models.find((spec) => spec.id === model)
  if (exact) return exact
  // `auto`: budget for the largest window; the router falls back if its pick is smaller.
  return models.reduce((a, b) => (b.contextWindow > a.contextWindow ? b : a))
}

function systemPrompt(
  turn: TurnRequestSource,
  spec: ModelSpec,
  today: string,
  passages: readonly ContextPassage[],
) {
  const rendered = renderPrompt('chat.system', {
    ...(turn.profile.displayName ? { userName: turn.profile.displayName } : {}),
    currentDate: today,
    modelName: turn.model === 'auto' ? 'an AI assistant' : spec.displayName,
  })
  const custom = turn.conversation.systemPrompt?.trim()
  const parts = [rendered.text]
  const { aboutMe, replyStyle } = turn.profile
  if (aboutMe || replyStyle) {
    const notGiven = 'Nothing given.'
    parts.push(
      renderPrompt('chat.custom-instructions', {
        aboutUser: aboutMe || notGiven,
        replyStyle: replyStyle || notGiven,
      }).text,
    )
  }
  if (custom) parts.push(`Instructions for this conversation, from the user:\n${custom}`)
  if (passages.length > 0) {
    const numbered = passages.map((passage, i) => `[${i + 1}] ${passage.text}`).join('\n\n')
    parts.push(`Passages from the user's files; cite them as [n] where you use them:\n${numbered}`)
  }
  return { ...rendered, text: parts.join('\n\n') }
}

const usableInContext = (message: ContextMessage) =>
  (message.role === 'user' || message.role === 'assistant') && message.content.length > 0

const toChatMessage = (
  message: Pick<MessageRow, 'role' | 'content' | 'tokenCount'>,
): ChatMessage => ({
  role: message.role === 'assistant' ? 'assistant' : 'user',
  content: message.content,
  tokenCount: message.tokenCount,
})
