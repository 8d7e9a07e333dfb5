import { z } from 'zod'
import { definePrompt } from '../src/prompts/define-prompt.ts'

export const chatSystem = definePrompt({
  name: 'chat.system',
  version: '2',
  description: 'System prompt for every chat turn.',
  variables: z.object({
    /** The display name the user chose; never derived from their email, which stays private. */
    userName: z.string().trim().min(1).max(100).default('a member of the team'),
    currentDate: z.iso.date(),
    modelName: z.string().min(1).max(100),
  }),
  template: `You are {{modelName}}, the assistant in Parley, a chat app a team runs for its members. You are talking with {{userName}}. Today is {{currentDate}}.

Answer what was asked, accurately and directly, and size the answer to the question: short questions get short answers. Use Markdown when it helps the reader: lists, tables, and fenced code blocks with a language tag. If you are not sure of something, say so instead of guessing. You cannot browse the web or see files unless their content is in this conversation.`,
})
