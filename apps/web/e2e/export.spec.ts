import { readFile } from 'node:fs/promises'
import type { Download, Page } from '@playwright/test'
import {
  expect,
  replies,
  sendAndWait,
  seriousViolations,
  signUp,
  test,
  userMessages,
} from './fixtures.ts'

/** Clicks what starts a download and returns the file's name and text. */
async function downloaded(page: Page, start: () => Promise<void>) {
  const [download] = await Promise.all([page.waitForEvent('download'), start()])
  return { name: download.suggestedFilename(), text: await textOf(download), download }
}

async function textOf(download: Download): Promise<string> {
  return readFile(await download.path(), 'utf8')
}

async function exportAs(
  page: Page,
  format: 'Markdown' | 'JSON',
  { checkAccessibility = false } = {},
) {
  await page.getByRole('button', { name: 'Export conversation' }).click()
  const dialog = page.getByRole('dialog', { name: 'Export conversation' })
  if (checkAccessibility) {
    await expect(dialog.getByRole('button', { name: 'Export as JSON' })).toBeVisible()
    expect(await seriousViolations(page)).toEqual([])
  }
  const file = await downloaded(page, () =>
    dialog.getByRole('button', { name: `Export as ${format}` }).click(),
  )
  await expect(dialog).toBeHidden()
  return file
}

const openSettings = (page: Page) => page.getByRole('link', { name: 'Settings' }).click()

test('a conversation exports as Markdown and JSON, and the JSON imports back with its branches', async ({
  page,
  upstream,
  account,
}) => {
  await signUp(page, account)
  await upstream.replyTo(
    'rome-export',
    { kind: 'text', text: 'Start at the Colosseum.' },
    'Rome plan',
  )
  await sendAndWait(page, 'Plan three days in Rome rome-export')
  await expect(page.getByRole('heading', { level: 1, name: 'Rome plan' })).toBeVisible()
  await sendAndWait(page, 'What about food?')
  const second = userMessages(page).nth(1)
  await second.hover()
  await second.getByRole('button', { name: 'Edit message' }).click()
  await second.getByRole('textbox', { name: 'Edit message' }).fill('What about museums?')
  await second.getByRole('button', { name: 'Send' }).click()
  await expect(replies(page).last()).toContainText('You said: What about museums?')
  await expect(replies(page).last()).toHaveAttribute('data-status', 'complete')
  const originalUrl = page.url()

  const markdown = await exportAs(page, 'Markdown', { checkAccessibility: true })
  expect(markdown.name).toBe('rome-plan.md')
  expect(markdown.text.startsWith('# Rome plan\n')).toBe(true)
  expect(markdown.text).toContain('Start at the Colosseum.')
  expect(markdown.text).toContain('What about museums?')
  expect(markdown.text).not.toContain('What about food?')

  const json = await exportAs(page, 'JSON')
  expect(json.name).toBe('rome-plan.json')
  const doc = JSON.parse(json.text) as {
    format: string
    messages: { role: string; content: string }[]
  }
  expect(doc.format).toBe('parley.conversation')
  expect(doc.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
    'Plan three days in Rome rome-export',
    'What about food?',
    'What about museums?',
  ])

  await openSettings(page)
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Import conversation' }).click(),
  ])
  await chooser.setFiles(await json.download.path())
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/)
  expect(page.url()).not.toBe(originalUrl)
  await expect(page.getByRole('heading', { level: 1, name: 'Rome plan' })).toBeVisible()
  await expect(userMessages(page)).toHaveCount(2)
  await expect(userMessages(page).nth(1)).toContainText('What about museums?')
  await expect(userMessages(page).nth(1)).toContainText('Version 2 of 2')
  await expect(replies(page).first()).toContainText('Start at the Colosseum.')

  await userMessages(page).nth(1).getByRole('button', { name: 'Previous version' }).click()
  await expect(userMessages(page).nth(1)).toContainText('What about food?')
  await expect(userMessages(page).nth(1)).toContainText('Version 1 of 2')
  await expect(replies(page).last()).toContainText('You said: What about food?')
})

test('"Download all my data" saves one JSON file holding the conversations', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  await sendAndWait(page, 'Remember the lighthouse keeper')
  await openSettings(page)
  await expect(page.getByRole('heading', { name: 'Your data' })).toBeVisible()
  expect(await seriousViolations(page)).toEqual([])

  const file = await downloaded(page, () =>
    page.getByRole('button', { name: 'Download all my data' }).click(),
  )
  expect(file.name).toMatch(/^parley-data-\d{4}-\d{2}-\d{2}\.json$/)
  const data = JSON.parse(file.text) as {
    format: string
    profile: { email: string }
    conversations: { messages: { content: string }[] }[]
  }
  expect(data.format).toBe('parley.user-data')
  expect(data.profile.email).toBe(account.email)
  expect(data.conversations).toHaveLength(1)
  expect(data.conversations[0]?.messages.map((m) => m.content)).toEqual([
    'Remember the lighthouse keeper',
    'You said: Remember the lighthouse keeper',
  ])
})

test('a file that is not an exported conversation is refused with a message, and nothing is added', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  await openSettings(page)
  for (const [name, content, message] of [
    ['notes.json', 'not json at all', 'notes.json is not a JSON file.'],
    ['other.json', '{"format":"something.else"}', 'format'],
  ] as const) {
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Import conversation' }).click(),
    ])
    await chooser.setFiles({ name, mimeType: 'application/json', buffer: Buffer.from(content) })
    await expect(page.getByRole('alert').filter({ hasText: 'was not imported' })).toContainText(
      message,
    )
  }
  await expect(page).toHaveURL(/\/settings$/)
  await expect(
    page.getByRole('navigation', { name: 'Conversations' }).getByRole('link'),
  ).toHaveCount(0)
})
