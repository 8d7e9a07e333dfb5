import { z } from 'zod'
import { definePrompt } from '../src/prompts/define-prompt.ts'

// Long first messages are cut: the opening is enough to name a conversation, and it keeps titles cheap.
const excerpt = z
  .string()
  .trim()
  .min(1)
  .transform((text) => (text.length > 2_000 ? `${text.slice(0, 2_000)}...` : text))

export const conversationTitle = definePrompt({
  name: 'conversation.title',
  version: '1',
  description: 'Names a conversation from its first exchange; sent as the only user message.',
  variables: z.object({ userMessage: excerpt, assistantReply: excerpt }),
  template: `Write a title for the conversation below.

Rules: at most 6 words; no quotation marks; no punctuation at the end; name the topic, not the people; write it in the language of the conversation. Reply with the title and nothing else.

<user>
{{userMessage}}
</user>

<assistant>
{{assistantReply}}
</assistant>`,
})
