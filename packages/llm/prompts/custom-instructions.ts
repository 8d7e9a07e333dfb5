import { z } from 'zod'
import { definePrompt } from '../src/prompts/define-prompt.ts'

const instruction = z.string().trim().min(1).max(1500)

export const customInstructions = definePrompt({
  name: 'chat.custom-instructions',
  version: '1',
  description:
    'The user’s custom instructions from their settings, added to the chat system prompt when set.',
  variables: z.object({ aboutUser: instruction, replyStyle: instruction }),
  template: `The user has set custom instructions. Follow them unless they conflict with the instructions above.

What the user wants you to know about them:
{{aboutUser}}

How the user wants you to answer:
{{replyStyle}}`,
})
