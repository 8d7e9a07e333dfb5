import {
  becomeAdmin,
  callApi,
  expect,
  newAccount,
  seriousViolations,
  signIn,
  signUp,
  test,
} from './fixtures.ts'

test('a reset link from an admin lets a person choose a new password and sign in with it', async ({
  browser,
  page,
  account,
}) => {
  await signUp(page, account)
  await becomeAdmin(page, account)

  const forgetful = newAccount('Grace')
  const theirs = await browser.newContext()
  const theirPage = await theirs.newPage()
  await signUp(theirPage, forgetful)
  const { id } = await callApi<{ id: string }>(theirPage, '/me')
  await theirs.close()

  const { link } = await callApi<{ link: string }>(page, `/admin/users/${id}/recovery-link`, {})
  const visitor = await browser.newContext()
  const tab = await visitor.newPage()
  await tab.goto('/sign-in')
  await tab.getByRole('link', { name: 'Forgot your password?' }).click()
  await expect(tab.getByText('Ask one of its admins for a reset link')).toBeVisible()

  await tab.goto(link)
  await expect(tab.getByRole('heading', { name: 'Choose a new password' })).toBeVisible()
  expect(new URL(tab.url()).hash).toBe('')
  expect(await seriousViolations(tab)).toEqual([])
  await tab.getByLabel('New password', { exact: true }).fill('a whole new passphrase')
  await tab.getByLabel('New password again').fill('a whole new passphrase')
  await tab.getByRole('button', { name: 'Set the new password' }).click()
  await expect(tab.getByRole('heading', { name: 'What’s on your mind, Grace?' })).toBeVisible()
  await visitor.close()

  const later = await browser.newContext()
  const again = await later.newPage()
  await signIn(again, { ...forgetful, password: 'a whole new passphrase' })
  await later.close()
})
