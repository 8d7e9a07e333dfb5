import { composer, expect, replies, signUp, test } from './fixtures.ts'

test('a provider failing mid-stream keeps the partial reply, and Retry brings a whole one', async ({
  page,
  upstream,
  account,
}) => {
  await upstream.replyTo('flaky-topic', {
    kind: 'cut',
    text: 'The first words made it through before the line went dead',
    afterTokens: 5,
  })
  await signUp(page, account)
  await composer(page).fill('Explain the flaky-topic')
  await composer(page).press('Enter')

  const reply = replies(page).last()
  await expect(reply).toHaveAttribute('data-status', 'incomplete')
  await expect(reply).toContainText('The first words made it')
  await expect(reply).not.toContainText('line went dead')
  await expect(reply.getByRole('alert')).toContainText('The reply was interrupted')

  await reply.getByRole('button', { name: 'Retry' }).click()
  await expect(replies(page)).toHaveCount(1)
  const retried = replies(page).last()
  await expect(retried).toHaveAttribute('data-status', 'complete')
  await expect(retried).toContainText('You said: Explain the flaky-topic')
  await expect(retried.getByRole('alert')).toHaveCount(0)

  await page.reload()
  await expect(replies(page)).toHaveCount(1)
  await expect(replies(page).last()).toContainText('You said: Explain the flaky-topic')
})

test('a provider refusing before any text shows the failed reply, and Retry works', async ({
  page,
  upstream,
  account,
}) => {
  await upstream.replyTo('refused-topic', { kind: 'status', status: 400, message: 'bad request' })
  await signUp(page, account)
  await composer(page).fill('Explain the refused-topic')
  await composer(page).press('Enter')

  const reply = replies(page).last()
  await expect(reply).toHaveAttribute('data-status', 'error')
  await expect(reply.getByRole('alert')).toContainText('The reply failed')

  await reply.getByRole('button', { name: 'Retry' }).click()
  await expect(replies(page).last()).toHaveAttribute('data-status', 'complete')
  await expect(replies(page).last()).toContainText('You said: Explain the refused-topic')
  await expect(replies(page)).toHaveCount(1)
})
