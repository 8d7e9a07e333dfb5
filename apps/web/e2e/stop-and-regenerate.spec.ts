import { composer, expect, replies, signUp, test } from './fixtures.ts'

test('Stop keeps the partial reply marked as stopped, and Regenerate writes a new one', async ({
  page,
  upstream,
  account,
}) => {
  await upstream.replyTo('long-story', { kind: 'text', tokens: 400, tokensPerSecond: 8 })
  await signUp(page, account)
  await composer(page).fill('Tell me a long-story please')
  await composer(page).press('Enter')

  const reply = replies(page).last()
  await expect(reply).toContainText('alpha bravo charlie')
  await page.getByRole('button', { name: 'Stop' }).click()

  await expect(reply).toHaveAttribute('data-status', 'incomplete')
  await expect(reply.getByText('Stopped', { exact: true })).toBeVisible()
  await expect(reply).toContainText('alpha bravo charlie')
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible()

  await page.reload()
  const stored = replies(page).last()
  await expect(stored).toHaveAttribute('data-status', 'incomplete')
  await expect(stored.getByText('Stopped', { exact: true })).toBeVisible()
  await expect(stored).toContainText('alpha bravo charlie')

  await stored.getByRole('button', { name: 'Regenerate' }).click()
  await expect(replies(page)).toHaveCount(1)
  const fresh = replies(page).last()
  await expect(fresh).toHaveAttribute('data-status', 'complete')
  await expect(fresh).toContainText('You said: Tell me a long-story please')
  await expect(fresh.getByText('Stopped', { exact: true })).toBeHidden()

  await page.reload()
  await expect(replies(page)).toHaveCount(1)
  await expect(replies(page).last()).toContainText('You said: Tell me a long-story please')
})
