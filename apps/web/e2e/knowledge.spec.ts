import { makeDocx, makePdf } from '@parley/documents/testing'
import type { FileResource, Message } from '@parley/schema/contracts'
import {
  callApi,
  composer,
  expect,
  newChatLink,
  replies,
  sendAndWait,
  seriousViolations,
  signUp,
  test,
} from './fixtures.ts'

test('a chat with an attached PDF and DOCX cites their passages, and each citation opens its passage', async ({
  page,
  upstream,
  account,
}, testInfo) => {
  const pdf = await makePdf([
    { heading: 'Mission handbook', paragraphs: ['Crew quarters are on the upper deck.'] },
    {
      heading: 'Launch',
      paragraphs: ['The launch window for the orbital survey opens on the fourteenth of March.'],
    },
  ])
  const docx = makeDocx([
    { heading: 1, text: 'Crew roster' },
    { text: 'The survey crew is Ada Lovelace and Grace Hopper, with Ada as commander.' },
  ])
  await upstream.replyTo(
    'kn-e2e-cite',
    { kind: 'text', text: 'The window opens on 14 March [1], and Ada commands the crew [2].' },
    'The orbital survey',
  )
  await signUp(page, account)

  const chooser = page.waitForEvent('filechooser')
  await page.getByRole('button', { name: 'Attach files' }).click()
  await (await chooser).setFiles([
    { name: 'handbook.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) },
    {
      name: 'roster.docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      buffer: Buffer.from(docx),
    },
  ])
  const attached = page.getByRole('list', { name: 'Attached files' })
  await expect(attached.getByRole('listitem', { name: 'handbook.pdf: Ready' })).toBeVisible()
  await expect(attached.getByRole('listitem', { name: 'roster.docx: Ready' })).toBeVisible()

  const reply = await sendAndWait(
    page,
    'When does the survey launch window open, and who commands the crew? kn-e2e-cite',
  )

  // Every stored citation points at a real passage that holds its snippet.
  const conversationId = new URL(page.url()).pathname.split('/').pop() ?? ''
  const thread = await callApi<{ items: Message[] }>(
    page,
    `/conversations/${conversationId}/messages`,
  )
  const stored = thread.items.find((message) => message.role === 'assistant')
  expect(stored?.citations.map((citation) => citation.fileName).sort()).toEqual([
    'handbook.pdf',
    'roster.docx',
  ])
  const files = await callApi<{ items: FileResource[] }>(page, '/files')
  expect(files.items.map((file) => file.status)).toEqual(['ready', 'ready'])
  const launch = stored?.citations.find((citation) => citation.fileName === 'handbook.pdf')
  expect(launch).toMatchObject({ page: 2, headingPath: ['Launch'] })
  expect(launch?.snippet).toContain('fourteenth of March')

  const sources = reply.getByRole('region', { name: 'Sources' })
  await expect(sources.getByRole('button', { name: /handbook\.pdf, p\. 2/ })).toBeVisible()
  await expect(sources.getByRole('button', { name: /roster\.docx/ })).toBeVisible()
  const marker = reply.getByRole('button', { name: /^Source \d: handbook\.pdf/ })
  await marker.click()
  const passage = page.getByRole('dialog', { name: /handbook\.pdf/ })
  await expect(passage).toContainText('fourteenth of March')
  await expect(passage).toContainText('Page 2')
  expect(await seriousViolations(page)).toEqual([])
  await testInfo.attach('cited reply', { body: await page.screenshot(), contentType: 'image/png' })
  await passage.getByRole('button', { name: 'Close' }).click()
  await expect(passage).toBeHidden()
})

test('Ctrl+K finds a message in an earlier conversation and jumps to it', async ({
  page,
  upstream,
  account,
}) => {
  await upstream.replyTo(
    'kn-e2e-search',
    { kind: 'text', text: 'Marmalade keeps for a year in a cool cupboard.' },
    'Preserves',
  )
  await signUp(page, account)
  await sendAndWait(page, 'How long does homemade marmalade keep? kn-e2e-search')
  await newChatLink(page).click()
  await expect(composer(page)).toHaveValue('')

  await page.keyboard.press('Control+k')
  const search = page.getByRole('combobox', { name: 'Search' })
  await expect(search).toBeFocused()
  await search.fill('cupboard marmalade')
  const results = page.getByRole('listbox', { name: 'Results' })
  await expect(results.getByRole('option').first()).toContainText('cupboard')
  await expect(results.locator('mark').first()).toBeVisible()
  await page.keyboard.press('Enter')

  await expect(page.getByRole('combobox', { name: 'Search' })).toBeHidden()
  await expect(replies(page).filter({ hasText: 'Marmalade keeps for a year' })).toBeVisible()
})
