import type { Message, ModelList } from '@parley/schema/contracts'
import { createContext, use } from 'react'

/** The model catalog, for names in replies; without it replies name models by id. */
export const ModelCatalogContext = createContext<ModelList | undefined>(undefined)

/** Why the first model did not answer, as the end of "because X …". */
const reasons: Record<string, string> = {
  rate_limited: 'was rate limited',
  timeout: 'did not answer in time',
  circuit_open: 'has been failing and is paused for a moment',
  context_too_long: 'cannot fit this conversation',
  context_length_exceeded: 'cannot fit this conversation',
  unavailable: 'has no provider configured',
  provider_unavailable: 'was unavailable',
  provider_error: 'was unavailable',
}

const nameOf = (models: ModelList | undefined, id: string) =>
  models?.items.find((model) => model.id === id)?.displayName ?? id

/** The sentence saying which model answered and why, when it was not the one asked for. */
export function routingNote(message: Message, models: ModelList | undefined): string | null {
  const { fallbackFrom, fallbackReason, autoReasons } = message.metadata ?? {}
  const answeredBy = message.model ? nameOf(models, message.model) : null
  if (typeof fallbackFrom === 'string' && answeredBy) {
    const why = (typeof fallbackReason === 'string' && reasons[fallbackReason]) || 'was unavailable'
    return `Answered by ${answeredBy} because ${nameOf(models, fallbackFrom)} ${why}.`
  }
  if (Array.isArray(autoReasons) && answeredBy) {
    const said = autoReasons.filter((reason): reason is string => typeof reason === 'string')
    return `Auto chose ${answeredBy}${said.length ? `: ${said.join(', ')}` : ''}.`
  }
  return null
}

/** Says in words when a reply came from another model than the one asked for. */
export function ReplyRouting({ message }: { message: Message }) {
  const note = routingNote(message, use(ModelCatalogContext))
  return note ? <p className="message__notice message__notice--quiet">{note}</p> : null
}
