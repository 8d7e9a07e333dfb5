import type { Page } from '@playwright/test'
import {
  composer,
  conversationList,
  expect,
  newChatLink,
  sendAndWait,
  signUp,
  test,
} from './fixtures.ts'

/** A conversation's Rename or Delete button, which shows when the pointer is over its row. */
async function rowAction(page: Page, action: 'Rename' | 'Delete', title: string) {
  const row = conversationList(page).getByRole('listitem').filter({ hasText: title })
  await row.hover()
  return row.getByRole('button', { name: `${action} “${title}”` })
}

test('conversations are listed newest first, renamed in place, and deleted after confirming', async ({
  page,
  upstream,
  account,
}) => {
  await signUp(page, account)
  await upstream.replyTo('about-tea', { kind: 'text', text: 'Tea, then.' }, 'Green tea')
  await sendAndWait(page, 'Tell me about-tea')
  await newChatLink(page).click()
  await upstream.replyTo('about-maps', { kind: 'text', text: 'Maps, then.' }, 'Old maps')
  await sendAndWait(page, 'Tell me about-maps')

  const items = conversationList(page).getByRole('listitem')
  await expect(items).toHaveText(['Old maps', 'Green tea'])
  await expect(conversationList(page).getByRole('link', { name: 'Old maps' })).toHaveAttribute(
    'aria-current',
    'page',
  )

  await (await rowAction(page, 'Rename', 'Green tea')).click()
  const title = conversationList(page).getByRole('textbox', { name: 'Conversation title' })
  await expect(title).toBeFocused()
  await title.fill('Tea ceremonies')
  await title.press('Enter')
  await expect(items).toHaveText(['Old maps', 'Tea ceremonies'])

  await (await rowAction(page, 'Rename', 'Old maps')).click()
  await title.fill('Something else')
  await title.press('Escape')
  await expect(items).toHaveText(['Old maps', 'Tea ceremonies'])

  await page.reload()
  await expect(items).toHaveText(['Old maps', 'Tea ceremonies'])

  await (await rowAction(page, 'Delete', 'Old maps')).click()
  const dialog = page.getByRole('dialog', { name: 'Delete conversation?' })
  await expect(dialog).toContainText('“Old maps” and all its messages will be deleted')
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
  await expect(items).toHaveText(['Old maps', 'Tea ceremonies'])

  await (await rowAction(page, 'Delete', 'Old maps')).click()
  await dialog.getByRole('button', { name: 'Delete' }).click()
  await expect(items).toHaveText(['Tea ceremonies'])
  // The open conversation was the one deleted: the app goes back to a new chat.
  await expect(page).toHaveURL(/\/$/)
  await expect(composer(page)).toBeVisible()

  await page.reload()
  await expect(items).toHaveText(['Tea ceremonies'])
})

test('the header shows the new title of the open conversation as soon as it is renamed', async ({
  page,
  upstream,
  account,
}) => {
  await signUp(page, account)
  await upstream.replyTo('about-bees', { kind: 'text', text: 'Bees, then.' }, 'Honey bees')
  await sendAndWait(page, 'Tell me about-bees')
  await expect(page.getByRole('heading', { level: 1, name: 'Honey bees' })).toBeVisible()
  await (await rowAction(page, 'Rename', 'Honey bees')).click()
  const title = conversationList(page).getByRole('textbox', { name: 'Conversation title' })
  await title.fill('Bumblebees')
  await title.press('Enter')
  await expect(page.getByRole('heading', { level: 1, name: 'Bumblebees' })).toBeVisible()
})
