import type { ModelSpec } from '../catalog/model-spec.ts'
import { countEncodedTokens } from '../tokens/count-tokens.ts'
import type { ChatMessage } from '../types.ts'

export interface AutoRoutingOptions {
  /** Public id for short simple turns; defaults to the first available model marked `fast`. */
  small?: string
  /** Public id for demanding turns; defaults to the first available model marked `strong`. */
  strong?: string
  /** A newest message at least this long (o200k tokens) is a demanding turn. Default 600. */
  longMessageTokens?: number
  /** A whole conversation at least this long (o200k tokens) is a demanding turn. Default 12,000. */
  longConversationTokens?: number
}

export interface TurnClassification {
  tier: 'small' | 'strong'
  /** Why, for logs and the call report: e.g. `code`, `reasoning`, `long message`. */
  reasons: string[]
}

const fencedCode = /```|~~~/
const codeLine =
  /^\s*(?:def |class |function |import |export |const |let |var |#include|public |private |fn |func |package |using |SELECT |INSERT |UPDATE |CREATE |return\b|for\s*\(|while\s*\(|if\s*\(|}\s*else)|[{};]\s*$|=>/m
const reasoningWords =
  /\b(?:prove|proof|derive|step[- ]by[- ]step|analy[sz]e|analysis|debug|optimi[sz]e|algorithm|complexity|theorem|trade-?offs?|architecture|refactor|calculate|solve|equation|why does|why is|compare)\b/i

function codeLines(text: string): number {
  let count = 0
  for (const line of text.split('\n')) if (codeLine.test(line)) count += 1
  return count
}

/**
 * The `auto` heuristic. A turn is demanding, and goes to the strong model, when any of these holds:
 * the newest message contains fenced code or at least 3 code-looking lines; it asks for reasoning
 * (prove, derive, debug, optimise, step by step, ...); it is at least `longMessageTokens` long; or
 * the conversation sent with it is at least `longConversationTokens`. Everything else is a short
 * simple turn for the small model.
 */
export function classifyTurn(
  messages: readonly ChatMessage[],
  options: AutoRoutingOptions = {},
  system?: string,
): TurnClassification {
  const newest = messages.findLast((message) => message.role === 'user')?.content ?? ''
  const reasons: string[] = []
  if (fencedCode.test(newest) || codeLines(newest) >= 3) reasons.push('code')
  if (reasoningWords.test(newest)) reasons.push('reasoning')
  const newestTokens = countEncodedTokens(newest)
  if (newestTokens >= (options.longMessageTokens ?? 600)) reasons.push('long message')
  let total = system ? countEncodedTokens(system) : 0
  for (const message of messages) {
    total += message.tokenCount ?? countEncodedTokens(message.content)
    if (total >= (options.longConversationTokens ?? 12_000)) {
      reasons.push('long conversation')
      break
    }
  }
  return reasons.length > 0
    ? { tier: 'strong', reasons }
    : { tier: 'small', reasons: ['short simple turn'] }
}

/** The concrete model `auto` stands for, among the available ones. */
export function pickAutoModel(
  tier: TurnClassification['tier'],
  models: readonly ModelSpec[],
  options: AutoRoutingOptions,
  fallback: ModelSpec,
): ModelSpec {
  const byId = (id: string | undefined) => (id ? models.find((spec) => spec.id === id) : undefined)
  if (tier === 'small') {
    return byId(options.small) ?? models.find((spec) => spec.capabilities.fast) ?? fallback
  }
  return byId(options.strong) ?? models.find((spec) => spec.capabilities.strong) ?? fallback
}
