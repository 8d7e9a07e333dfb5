import type { ChatMessage } from '../types.ts'

export interface RouterRequest {
  /** A public model id, `auto`, or empty for the default model. */
  model?: string
  system?: string
  messages: readonly ChatMessage[]
  /** Defaults to the model's cap, at most 16,000 (`defaultOutputReserve`). */
  maxOutputTokens?: number
  /** Ignored for models that do not accept sampling parameters. */
  temperature?: number
  /** The template that produced `system` (or the prompt), recorded in the report. */
  prompt?: { name: string; version: string }
  /** The caller's request id, recorded on the trace span of each attempt. */
  requestId?: string
}
