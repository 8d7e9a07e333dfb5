import type { Page } from '@playwright/test'
import {
  callApi,
  composer,
  conversationList,
  expect,
  newChatLink,
  replies,
  sendAndWait,
  signUp,
  test,
  userMessages,
} from './fixtures.ts'

test('keyboard: Esc stops a reply, Up edits the last message, ? lists shortcuts, Ctrl+Shift+O starts a new chat', async ({
  page,
  upstream,
  account,
}) => {
  await upstream.replyTo('slow-keys', { kind: 'text', tokens: 400, tokensPerSecond: 8 })
  await signUp(page, account)
  await composer(page).fill('Tell me slow-keys')
  await composer(page).press('Enter')
  const reply = replies(page).last()
  await expect(reply).toContainText('alpha bravo')
  await page.keyboard.press('Escape')
  await expect(reply).toHaveAttribute('data-status', 'incomplete')
  await expect(reply.getByText('Stopped', { exact: true })).toBeVisible()

  await composer(page).focus()
  await page.keyboard.press('ArrowUp')
  const editor = userMessages(page).last().getByRole('textbox', { name: 'Edit message' })
  await expect(editor).toBeFocused()
  await expect(editor).toHaveValue('Tell me slow-keys')
  await page.keyboard.press('Escape')
  await expect(editor).toBeHidden()

  await page.getByRole('region', { name: 'Messages' }).focus()
  await page.keyboard.press('?')
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await expect(help).toContainText('New chat')
  await page.keyboard.press('Escape')
  await expect(help).toBeHidden()

  await page.keyboard.press('Control+Shift+O')
  await expect(page).toHaveURL(/\/$/)
  await expect(page.getByRole('heading', { name: /What’s on your mind/ })).toBeVisible()
})

test('on a phone a wide table in a reply scrolls sideways instead of breaking its words', async ({
  page,
  upstream,
  account,
}) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await upstream.replyTo('wide-table', {
    kind: 'text',
    text: [
      '| Identifier | Meaning | Owner |',
      '|---|---|---|',
      '| conversation_active_leaf_identifier | the_branch_the_thread_ends_at | platform_team_members |',
    ].join('\n'),
  })
  await signUp(page, account)
  const reply = await sendAndWait(page, 'Show the wide-table')
  const scroller = reply.locator('.md-table')
  const sizes = await scroller.evaluate((node) => ({
    scroll: node.scrollWidth,
    client: node.clientWidth,
  }))
  expect(sizes.scroll).toBeGreaterThan(sizes.client)
  const cell = reply.getByRole('cell', { name: 'conversation_active_leaf_identifier' })
  const lines = await cell.evaluate((node) => {
    const range = document.createRange()
    range.selectNodeContents(node)
    return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size
  })
  expect(lines).toBe(1)
})

test('a malformed conversation address shows the not-found page', async ({ page, account }) => {
  await signUp(page, account)
  await page.goto('/c/not-a-conversation')
  await expect(page.getByRole('heading', { name: 'Conversation not found' })).toBeVisible()
  await expect(page.getByText(/Invalid UUID/)).toBeHidden()
  await expect(page.getByRole('button', { name: 'Try again' })).toBeHidden()
})

async function noticeCoversSend(page: Page) {
  const notice = page.getByRole('region', { name: 'Notifications' }).getByText('Settings saved.')
  await expect(notice).toBeVisible()
  const send = await page.getByRole('button', { name: 'Send' }).boundingBox()
  const toast = await notice.boundingBox()
  if (!send || !toast) throw new Error('both are on screen')
  return (
    toast.x < send.x + send.width &&
    send.x < toast.x + toast.width &&
    toast.y < send.y + send.height &&
    send.y < toast.y + toast.height
  )
}

test('the “Settings saved.” notice leaves Send uncovered, on a wide screen and a phone', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 })
    await page.goto('/settings')
    await page.getByLabel('Display name').fill(`Lin ${width}`)
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(page.getByText('Settings saved.')).toBeVisible()
    if (width < 768) {
      await page.getByRole('button', { name: 'Open conversations' }).click()
      await page
        .getByRole('dialog', { name: 'Conversations' })
        .getByRole('link', { name: /New chat/ })
        .click()
    } else {
      await newChatLink(page).click()
    }
    expect(await noticeCoversSend(page)).toBe(false)
  }
})

test('a first message refused with 429 leaves no empty chat behind and keeps the text', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  await page.route('**/api/v1/conversations/*/messages', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '30' },
          body: JSON.stringify({
            error: { code: 'rate_limited', message: 'Too many messages', requestId: 'r-429' },
          }),
        })
      : route.fallback(),
  )
  await composer(page).fill('Refused question')
  await composer(page).press('Enter')
  await expect(page.getByRole('alert')).toContainText('The chat was not started')
  await expect(composer(page)).toHaveValue('Refused question')
  await expect(page).toHaveURL(/\/$/)
  await expect(conversationList(page).getByRole('listitem')).toHaveCount(0)
  await expect
    .poll(async () => (await callApi<{ items: unknown[] }>(page, '/conversations')).items.length)
    .toBe(0)

  await page.unroute('**/api/v1/conversations/*/messages')
  await composer(page).press('Enter')
  await expect(replies(page).last()).toHaveAttribute('data-status', 'complete')
  await expect(conversationList(page).getByRole('listitem')).toHaveCount(1)
})
