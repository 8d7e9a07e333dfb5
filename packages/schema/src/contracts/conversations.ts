import { createSelectSchema } from 'drizzle-zod'
import { z } from 'zod'
import { conversations, visibilities } from '../tables/conversations.ts'
import { isoDateTime, modelId, page } from './common.ts'
import { fileScope } from './knowledge.ts'

export const conversation = createSelectSchema(conversations, {
  archivedAt: isoDateTime.nullable(),
  titleRequestedAt: isoDateTime.nullable(),
  lastMessageAt: isoDateTime,
  fileScope,
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
})
export type Conversation = z.infer<typeof conversation>

export const conversationPage = page(conversation)

const title = z.string().trim().min(1).max(200)
const systemPrompt = z.string().max(20_000)
const temperature = z.number().min(0).max(2)

export const createConversationBody = z.strictObject({
  title: title.optional(),
  model: modelId.optional(),
  systemPrompt: systemPrompt.optional(),
  temperature: temperature.optional(),
})
export type CreateConversationBody = z.infer<typeof createConversationBody>

export const updateConversationBody = z
  .strictObject({
    title: title.nullable(),
    model: modelId.nullable(),
    systemPrompt: systemPrompt.nullable(),
    temperature: temperature.nullable(),
    visibility: z.enum(visibilities),
    archived: z.boolean(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'nothing to update')
export type UpdateConversationBody = z.infer<typeof updateConversationBody>
