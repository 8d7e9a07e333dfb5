import { composer, expect, replies, signUp, test } from './fixtures.ts'

const story =
  'Once upon a time a small boat crossed a wide lake. The wind was kind, the water was calm, and by evening the boat reached the far shore where a lantern was waiting.'

test('a reply still being written when the page reloads carries on to its end', async ({
  page,
  upstream,
  account,
}) => {
  await upstream.replyTo('reload-mid-reply', { kind: 'text', text: story, tokensPerSecond: 8 })
  await signUp(page, account)
  await composer(page).fill('Tell me a short story reload-mid-reply')
  await composer(page).press('Enter')
  const reply = replies(page).last()
  await expect(reply).toContainText('Once upon a time')
  await expect(reply).toHaveAttribute('data-status', 'streaming')

  await page.reload()
  const followed = replies(page).last()
  await expect(followed).toHaveAttribute('data-status', 'complete')
  await expect(followed).toContainText('where a lantern was waiting.')
  await expect(followed).not.toContainText('Stopped')
})
