import { callApi, expect, sendAndWait, seriousViolations, signUp, test } from './fixtures.ts'

test('a vote on a reply, with its reasons, is saved, changed and still there after a reload', async ({
  page,
  upstream,
  account,
}) => {
  await upstream.replyTo('rate-me', { kind: 'text', text: 'Paris is the capital of France.' })
  await signUp(page, account)
  const reply = await sendAndWait(page, 'What is the capital of France? rate-me')

  await reply.getByRole('button', { name: 'Good reply' }).click()
  const form = page.getByRole('form', { name: 'Feedback on this reply' })
  await form.getByRole('checkbox', { name: 'Accurate' }).check()
  expect(await seriousViolations(page)).toEqual([])
  await form.getByRole('button', { name: 'Send feedback' }).click()
  await expect(form).toBeHidden()
  await expect(reply.getByRole('button', { name: 'Good reply' })).toHaveAttribute(
    'aria-pressed',
    'true',
  )

  await page.reload()
  const stored = page.getByRole('article', { name: 'Reply' }).last()
  await expect(stored.getByRole('button', { name: 'Good reply' })).toHaveAttribute(
    'aria-pressed',
    'true',
  )

  await stored.getByRole('button', { name: 'Bad reply' }).click()
  await form.getByRole('checkbox', { name: 'Too long' }).check()
  await form.getByRole('textbox', { name: 'Comment (optional)' }).fill('Could be one word.')
  const saved = page.waitForResponse(
    (response) => response.url().endsWith('/feedback') && response.request().method() === 'PUT',
  )
  await form.getByRole('button', { name: 'Send feedback' }).click()
  expect((await saved).status()).toBe(200)

  await page.reload()
  const changed = page.getByRole('article', { name: 'Reply' }).last()
  await expect(changed.getByRole('button', { name: 'Bad reply' })).toHaveAttribute(
    'aria-pressed',
    'true',
  )
  await expect(changed.getByRole('button', { name: 'Good reply' })).toHaveAttribute(
    'aria-pressed',
    'false',
  )
  const conversationId = new URL(page.url()).pathname.split('/').at(-1)
  const thread = await callApi<{ items: { feedback?: unknown }[] }>(
    page,
    `/conversations/${conversationId}/messages`,
  )
  expect(thread.items.at(-1)?.feedback).toEqual({
    vote: 'down',
    reasons: ['too_long'],
    comment: 'Could be one word.',
  })

  const cleared = page.waitForResponse(
    (response) => response.url().endsWith('/feedback') && response.request().method() === 'DELETE',
  )
  await changed.getByRole('button', { name: 'Bad reply' }).click()
  expect((await cleared).status()).toBe(204)
  await expect(form).toBeHidden()
  await expect(changed.getByRole('button', { name: 'Bad reply' })).toHaveAttribute(
    'aria-pressed',
    'false',
  )
  await page.reload()
  await expect(
    page.getByRole('article', { name: 'Reply' }).last().getByRole('button', { name: 'Bad reply' }),
  ).toHaveAttribute('aria-pressed', 'false')
})
