import type { ModelSpec } from '../catalog/model-spec.ts'
import type { ChatMessage } from '../types.ts'

/** A model the call is about to try, with what it could cost: its prompt and output allowance. */
export interface ModelAdmission {
  spec: ModelSpec
  promptTokens: number
  maxOutputTokens: number
}

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
  /**
   * Asked before each model the call is about to try (the chosen one, then each fallback it
   * moves on to; never after a first token): resolves null to go on, or a user-facing reason
   * to end the call there with a `refused` error (a budget that cannot cover that model).
   */
  admitModel?: (next: ModelAdmission) => Promise<{ message: string } | null>
}
