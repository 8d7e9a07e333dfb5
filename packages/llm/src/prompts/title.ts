import type { ModelSpec } from '../catalog/model-spec.ts'
import type { CallReport, Router, RouterRequest } from '../router/router.ts'
import { renderPrompt } from './render-prompt.ts'

const MAX_TITLE_WORDS = 6
/** Titles are stored with at most 200 characters; a shorter cap keeps them to a sidebar line. */
export const MAX_TITLE_CHARS = 100
const FALLBACK_TITLE = 'New conversation'
const closingPunctuation = new Set('.,;:!?…-')

/**
 * Normalises a model's title: first line, no label, quotes or closing punctuation, at most 6 words
 * and `MAX_TITLE_CHARS` characters (cut at a word boundary where there is one).
 */
export function cleanTitle(raw: string): string {
  const line = raw.trim().split('\n')[0] ?? ''
  const words = line
    .replace(/^\s*title\s*:\s*/i, '')
    .replace(/["'“”‘’«»`*_#]/g, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, MAX_TITLE_WORDS)
  return withoutClosingPunctuation(capLength(words.join(' '), MAX_TITLE_CHARS)).trim()
}

function capLength(text: string, max: number): string {
  if (text.length <= max) return text
  const lastSpace = text.lastIndexOf(' ', max)
  if (lastSpace > 0) return text.slice(0, lastSpace)
  const code = text.charCodeAt(max)
  return text.slice(0, code >= 0xdc00 && code <= 0xdfff ? max - 1 : max)
}

// A loop, not /[.,;:!?…-]+$/: that regex retries from every character of a long run (quadratic).
function withoutClosingPunctuation(text: string): string {
  let end = text.length
  while (end > 0 && closingPunctuation.has(text.charAt(end - 1))) end -= 1
  return text.slice(0, end)
}

/** A title without a model (demo mode): the opening words of the first message. */
export function heuristicTitle(userMessage: string): string {
  return cleanTitle(userMessage.replace(/```[\s\S]*?(```|$)/g, ' ')) || FALLBACK_TITLE
}

/** The model titles use: the first available model marked `fast`, else the first one. */
export function titleModel(models: readonly ModelSpec[]): ModelSpec | undefined {
  return models.find((spec) => spec.capabilities.fast) ?? models[0]
}

export interface GenerateTitleInput {
  router: Router
  userMessage: string
  assistantReply: string
  /** Defaults to `titleModel(router.models)`. */
  model?: string
  signal: AbortSignal
  /** The caller's request id, recorded on the call's trace spans. */
  requestId?: string
  /** Asked before each model the call tries (see `RouterRequest.admitModel`). */
  admitModel?: RouterRequest['admitModel']
}

/**
 * Names a conversation from its first exchange with the `conversation.title` template and a
 * cheap model, falling back to `heuristicTitle` when the call fails or returns nothing usable.
 * The report goes to the usage ledger like any other call; it is null in demo mode, where no
 * model is called.
 */
export async function generateTitle(
  input: GenerateTitleInput,
): Promise<{ title: string; report: CallReport | null }> {
  const spec = input.model
    ? input.router.models.find((candidate) => candidate.id === input.model)
    : titleModel(input.router.models)
  if (!spec || spec.provider === 'demo') {
    return { title: heuristicTitle(input.userMessage), report: null }
  }
  const prompt = renderPrompt('conversation.title', {
    userMessage: input.userMessage,
    assistantReply: input.assistantReply || '(no reply)',
  })
  const { text, report } = await input.router.complete(
    {
      model: spec.id,
      messages: [{ role: 'user', content: prompt.text }],
      // reasoning models spend hidden tokens from the same allowance before the title
      maxOutputTokens: 1_024,
      prompt: { name: prompt.name, version: prompt.version },
      ...(input.requestId ? { requestId: input.requestId } : {}),
      ...(input.admitModel ? { admitModel: input.admitModel } : {}),
    },
    input.signal,
  )
  const title = report.status === 'ok' ? cleanTitle(text) : ''
  return { title: title || heuristicTitle(input.userMessage), report }
}
