import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import {
  composer,
  conversationList,
  expect,
  replies,
  sendAndWait,
  signUp,
  test,
} from './fixtures.ts'

const screenshotDir = path.join(import.meta.dirname, '..', 'test-results', 'screenshots')

const richReply = [
  'Here is a plan with **three** steps:',
  '',
  '1. Measure the current latency',
  '2. Cache the hot path',
  '3. Verify with a benchmark',
  '',
  '```ts',
  'export function cacheKey(id: string): string {',
  "  return 'conversation:' + id",
  '}',
  '```',
  '',
  '| Step | Owner |',
  '|------|-------|',
  '| Measure | Ada |',
  '| Cache | Lin |',
].join('\n')

test('the chat view at desktop and phone widths, saved as screenshots', async ({
  page,
  upstream,
  account,
}, testInfo) => {
  await mkdir(screenshotDir, { recursive: true })
  await upstream.replyTo('layout-shot', { kind: 'text', text: richReply }, 'Latency plan')
  await signUp(page, account)
  await sendAndWait(page, 'How should we approach the layout-shot latency work?')
  await expect(replies(page).last().locator('.hljs-keyword').first()).toBeVisible()

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width > 800 ? 800 : 844 })
    await expect(composer(page)).toBeVisible()
    const file = path.join(screenshotDir, `chat-${width}.png`)
    await page.screenshot({ path: file, fullPage: false })
    await testInfo.attach(`chat view at ${width} px`, { path: file, contentType: 'image/png' })
  }
})

test('on a phone the conversations open in a drawer that holds focus and closes with Escape', async ({
  page,
  account,
}) => {
  await page.setViewportSize({ width: 360, height: 740 })
  await signUp(page, account)
  await sendAndWait(page, 'a question from a small screen')
  await expect(conversationList(page)).toBeHidden()

  const menu = page.getByRole('button', { name: 'Open conversations' })
  await menu.click()
  const drawer = page.getByRole('dialog', { name: 'Conversations' })
  await expect(drawer).toBeVisible()
  await expect(drawer.getByRole('link', { name: /New chat/ })).toBeVisible()
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab')
    expect(await drawer.evaluate((node) => node.contains(document.activeElement))).toBe(true)
  }
  await page.keyboard.press('Escape')
  await expect(drawer).toBeHidden()
  await expect(menu).toBeFocused()

  await menu.click()
  await page
    .getByRole('dialog', { name: 'Conversations' })
    .getByRole('link', { name: /New chat/ })
    .click()
  await expect(page.getByRole('dialog', { name: 'Conversations' })).toBeHidden()
  await expect(page).toHaveURL(/\/$/)
})
