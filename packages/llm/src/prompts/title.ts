import type { ModelSpec } from '../catalog/model-spec.ts'
import type { CallReport, Router } from '../router/router.ts'
import { renderPrompt } from './render-prompt.ts'

const MAX_TITLE_WORDS = 6
const FALLBACK_TITLE = 'New conversation'

/** Normalises a model's title: first line, no label, quotes or closing punctuation, at most 6 words. */
export function cleanTitle(raw: string): string {
  const line = raw.trim().split('\n')[0] ?? ''
  const words = line
    .replace(/^\s*title\s*:\s*/i, '')
    .replace(/["'“”‘’«»`*_#]/g, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, MAX_TITLE_WORDS)
  return words
    .join(' ')
    .replace(/[.,;:!?…-]+$/u, '')
    .trim()
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
    },
    input.signal,
  )
  const title = report.status === 'ok' ? cleanTitle(text) : ''
  return { title: title || heuristicTitle(input.userMessage), report }
}
