import {
  composer,
  conversationList,
  expect,
  replies,
  sendAndWait,
  signUp,
  test,
  userMessages,
} from './fixtures.ts'

test('a new user signs up, watches a reply stream in, and finds the chat again after a reload', async ({
  page,
  upstream,
  account,
}) => {
  const answer =
    'Sure. Here is a careful answer that arrives word by word, so you can read along as it streams.'
  await upstream.replyTo(
    'stream-check',
    { kind: 'text', text: answer, tokensPerSecond: 6 },
    'Streaming check',
  )
  await signUp(page, account)

  await composer(page).fill('Hello Parley, this is a stream-check')
  await composer(page).press('Enter')

  const reply = replies(page).last()
  await expect(userMessages(page)).toHaveText(['Hello Parley, this is a stream-check'])
  // Part of the answer is on screen while the rest is still coming.
  await expect(reply).toContainText('Sure. Here is')
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible()
  await expect(reply).not.toContainText('as it streams.')
  await expect(composer(page)).toBeFocused()

  await expect(reply).toHaveAttribute('data-status', 'complete')
  await expect(reply).toContainText(answer)
  await expect(reply).toContainText(/\d+ in · \d+ out · \$/)
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible()
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Streaming check' })).toBeVisible()

  await page.reload()
  await expect(userMessages(page)).toHaveText(['Hello Parley, this is a stream-check'])
  await expect(replies(page)).toHaveCount(1)
  await expect(replies(page).first()).toContainText(answer)
  await expect(
    conversationList(page).getByRole('link', { name: 'Streaming check' }),
  ).toHaveAttribute('aria-current', 'page')
})

test('a second message continues the same conversation and keeps the order', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  const isSend = (method: string, url: string) => method === 'POST' && url.endsWith('/messages')
  const firstSend = page.waitForResponse((r) => isSend(r.request().method(), r.url()))
  await expect(await sendAndWait(page, 'first question')).toContainText('You said: first question')
  const done = /event: done\ndata: (.*)\n/.exec(await (await firstSend).text())?.[1] ?? '{}'
  const firstReplyId = (JSON.parse(done) as { assistantMessage?: { id: string } }).assistantMessage
    ?.id
  const secondSend = page.waitForRequest((r) => isSend(r.method(), r.url()))
  await expect(await sendAndWait(page, 'second question')).toContainText(
    'You said: second question',
  )
  // It names the reply it follows, so the server can start the model call at once.
  expect(firstReplyId).toBeTruthy()
  expect((await secondSend).postDataJSON()).toMatchObject({
    content: 'second question',
    leafId: firstReplyId,
  })
  await page.reload()
  await expect(userMessages(page)).toHaveText(['first question', 'second question'])
  await expect(replies(page)).toHaveCount(2)
  await expect(conversationList(page).getByRole('listitem')).toHaveCount(1)
})
