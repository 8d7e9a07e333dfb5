import type { Page } from '@playwright/test'
import { expect, sendAndWait, signUp, test } from './fixtures.ts'

async function signIn(page: Page, email: string, password: string) {
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

test('a changed password is the one that signs in, and another device is signed out', async ({
  page,
  browser,
  account,
}) => {
  await signUp(page, account)
  const phone = await browser.newPage()
  await phone.goto('/sign-in')
  await signIn(phone, account.email, account.password)
  await expect(phone.getByRole('textbox', { name: 'Message' })).toBeVisible()

  await page.getByRole('link', { name: 'Settings' }).click()
  const account_ = page.getByRole('region', { name: 'Account' })
  await account_.getByLabel('Current password').fill('not my password')
  await account_.getByLabel('New password', { exact: true }).fill('a fresh passphrase')
  await account_.getByLabel('New password, again').fill('a fresh passphrase')
  await account_.getByRole('button', { name: 'Change password' }).click()
  await expect(account_.getByRole('alert')).toHaveText('The current password is not right.')

  await account_.getByLabel('Current password').fill(account.password)
  await account_.getByRole('button', { name: 'Change password' }).click()
  await expect(page.getByText('Password changed. Other devices are signed out.')).toBeVisible()

  // The other device's session is gone: its refresh token no longer gets a new access token.
  const phoneRefreshToken = await phone.evaluate(
    () =>
      (JSON.parse(localStorage.getItem('parley.auth') ?? '{}') as { refresh_token?: string })
        .refresh_token,
  )
  expect(phoneRefreshToken).toBeTruthy()
  const refresh = await phone.request.post('/auth/v1/token?grant_type=refresh_token', {
    data: { refresh_token: phoneRefreshToken },
  })
  expect(refresh.status()).toBe(400)
  await phone.close()

  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await signIn(page, account.email, account.password)
  await expect(page.getByRole('alert')).toContainText('That email and password do not match')
  await page.getByLabel('Password').fill('a fresh passphrase')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible()
})

test('deleting the account asks for its email, then its chats are gone and it cannot sign in', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  await sendAndWait(page, 'something to forget')
  await page.getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('button', { name: 'Delete account…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Delete your account?' })
  const confirm = dialog.getByRole('button', { name: 'Delete account' })
  await expect(confirm).toBeDisabled()
  await dialog.getByLabel('Your email address').fill('someone-else@example.test')
  await expect(confirm).toBeDisabled()
  await dialog.getByLabel('Your email address').fill(account.email)
  await confirm.click()

  await signIn(page, account.email, account.password)
  await expect(page.getByRole('alert')).toContainText('That email and password do not match')
  await expect(page.getByText('something to forget')).toHaveCount(0)
})
