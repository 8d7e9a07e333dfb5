import {
  conversationList,
  expect,
  newAccount,
  replies,
  sendAndWait,
  signUp,
  test,
  userMessages,
} from './fixtures.ts'

test('another user sees none of the first user’s conversations, even at their address', async ({
  browser,
  page,
  upstream,
  account,
}) => {
  await upstream.replyTo(
    'private-plans',
    { kind: 'text', text: 'Your private plans are safe.' },
    'Private plans',
  )
  await signUp(page, account)
  await sendAndWait(page, 'Here are my private-plans')
  await expect(conversationList(page).getByRole('link', { name: 'Private plans' })).toBeVisible()
  const address = new URL(page.url()).pathname

  const other = await browser.newContext()
  try {
    const intruder = await other.newPage()
    await signUp(intruder, newAccount('Mallory'))
    await expect(conversationList(intruder)).toContainText('Your conversations will appear here.')
    await expect(conversationList(intruder).getByRole('listitem')).toHaveCount(0)

    await intruder.goto(address)
    await expect(intruder.getByRole('heading', { name: 'Conversation not found' })).toBeVisible()
    await expect(userMessages(intruder)).toHaveCount(0)
    await expect(replies(intruder)).toHaveCount(0)
    await expect(intruder.getByText('private-plans')).toHaveCount(0)
  } finally {
    await other.close()
  }

  await page.reload()
  await expect(replies(page).last()).toContainText('Your private plans are safe.')
})

test('signing out leaves nothing of the conversation on screen', async ({ page, account }) => {
  await signUp(page, account)
  await sendAndWait(page, 'a note to myself')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await expect(page.getByText('a note to myself')).toHaveCount(0)

  await page.getByLabel('Email').fill(account.email)
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toContainText('That email and password do not match')

  await page.getByLabel('Password').fill(account.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(userMessages(page)).toHaveText(['a note to myself'])
})
