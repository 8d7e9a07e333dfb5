import type { z } from 'zod'

/** A versioned prompt template: `{{name}}` placeholders filled from variables checked by `variables`. */
export interface PromptTemplate<Variables extends z.ZodObject = z.ZodObject> {
  name: string
  /** Bump on any change to the text or variables; usage events record it. */
  version: string
  description: string
  variables: Variables
  template: string
}

export function definePrompt<Variables extends z.ZodObject>(
  prompt: PromptTemplate<Variables>,
): PromptTemplate<Variables> {
  return prompt
}
