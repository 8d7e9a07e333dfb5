import {
  callApi,
  conversationList,
  expect,
  replies,
  signUp,
  test,
  userMessages,
} from './fixtures.ts'

test('a long conversation opens at its end and loads older messages as the reader scrolls up', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  const conversation = await callApi<{ id: string }>(page, '/conversations', {})
  const turns = 40
  for (let turn = 1; turn <= turns; turn++) {
    await callApi(page, `/conversations/${conversation.id}/messages`, {
      content: `question number ${turn}`,
    })
  }

  await page.goto(`/c/${conversation.id}`)
  const thread = page.getByRole('region', { name: 'Messages' })
  await expect(userMessages(page).last()).toHaveText(`question number ${turns}`)
  await expect(replies(page).last()).toContainText(`You said: question number ${turns}`)
  await expect(thread.getByText('question number 1', { exact: true })).toHaveCount(0)

  // Scroll up until the first message arrives; older pages load on the way.
  await expect(async () => {
    await thread.evaluate((element) => {
      element.scrollTop = 0
    })
    await expect(thread.getByText('question number 1', { exact: true })).toBeVisible({
      timeout: 1_000,
    })
  }).toPass()
  await expect(thread.getByText('Beginning of the conversation')).toBeVisible()
  await expect(conversationList(page).getByRole('listitem')).toHaveCount(1)
})

test('the conversation list loads more conversations as it scrolls', async ({ page, account }) => {
  await signUp(page, account)
  const total = 45
  for (let i = 1; i <= total; i++) {
    await callApi(page, '/conversations', { title: `Topic ${String(i).padStart(2, '0')}` })
  }
  await page.reload()
  const items = conversationList(page).getByRole('listitem')
  await expect(items.first()).toHaveText('Topic 45')
  await expect(async () => {
    await items.last().scrollIntoViewIfNeeded()
    await expect(items).toHaveCount(total, { timeout: 1_000 })
  }).toPass()
  await expect(items.last()).toHaveText('Topic 01')
})
