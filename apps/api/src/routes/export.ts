import { activePath, exportConversation, exportUserData, importConversation } from '@parley/db'
import { countEncodedTokens } from '@parley/llm'
import {
  type ConversationExport,
  conversation,
  conversationExport,
  exportFormatQuery,
  idParam,
  userDataExport,
} from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { notFound } from '../errors.ts'
import { validate } from '../middleware/validate.ts'
import { recordActivity } from '../observability/activity-log.ts'
import { docs } from './docs.ts'

const roleHeadings = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
} as const

/** The shown branch as Markdown: the title, then each message under a heading naming its role. */
export function conversationMarkdown(doc: ConversationExport): string {
  const parts = [`# ${doc.conversation.title ?? 'Untitled conversation'}`]
  for (const message of activePath(doc)) {
    const heading = roleHeadings[message.role]
    parts.push(
      message.role === 'assistant' && message.model
        ? `## ${heading} (${message.model})`
        : `## ${heading}`,
    )
    if (message.content) parts.push(message.content)
    if (message.status !== 'complete') parts.push(`_(${message.status})_`)
  }
  return `${parts.join('\n\n')}\n`
}

/** A file name from a title: lower-case ASCII words joined by hyphens, never empty. */
export function safeSlug(title: string | null): string {
  const slug = (title ?? '')
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  return slug || 'conversation'
}

const attachment = (name: string) => `attachment; filename="${name}"`

/** `/conversations/:id/export` and `/conversations/import`: one conversation as a file and back. */
export const conversationTransfer = new Hono<AppEnv>()
  .get(
    '/:id/export',
    docs(
      'export',
      'Download a conversation: Markdown of the shown branch, or JSON with every branch',
      {
        200: {
          description: 'The file (JSON shown; Markdown is text/markdown)',
          schema: conversationExport,
        },
      },
    ),
    validate('param', idParam),
    validate('query', exportFormatQuery),
    async (c) => {
      const doc = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        exportConversation(tx, c.req.valid('param').id),
      )
      if (!doc) throw notFound('conversation')
      const name = safeSlug(doc.conversation.title)
      if (c.req.valid('query').format === 'markdown') {
        c.header('content-type', 'text/markdown; charset=utf-8')
        c.header('content-disposition', attachment(`${name}.md`))
        return c.body(conversationMarkdown(doc))
      }
      c.header('content-disposition', attachment(`${name}.json`))
      return c.json(doc)
    },
  )
  .post(
    '/import',
    docs('export', 'Import an exported conversation as a new conversation of the caller', {
      201: { description: 'The new conversation', schema: conversation },
    }),
    validate('json', conversationExport),
    async (c) => {
      const doc = c.req.valid('json')
      const offered = new Set(c.var.deps.models.offered)
      // A model this server does not offer falls back to the user's default.
      const model =
        doc.conversation.model && offered.has(doc.conversation.model)
          ? doc.conversation.model
          : null
      const created = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        importConversation(tx, { ...doc, conversation: { ...doc.conversation, model } }, (text) =>
          countEncodedTokens(text),
        ),
      )
      recordActivity(c, 'conversation_created', { targetId: created.id, meta: { via: 'import' } })
      return c.json(created, 201)
    },
  )

/** `/me/export`: everything Parley keeps about the caller, as one JSON file. */
export const userDataTransfer = new Hono<AppEnv>().get(
  '/export',
  docs('export', 'Download all of the caller’s data as one JSON file', {
    200: { description: 'The file', schema: userDataExport },
  }),
  async (c) => {
    const data = await c.var.deps.db.withUser(c.var.claims, exportUserData)
    if (!data) throw notFound('profile')
    c.header('content-disposition', attachment(`parley-data-${data.exportedAt.slice(0, 10)}.json`))
    return c.json(data)
  },
)
