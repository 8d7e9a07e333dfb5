import { conversationList, expect, signUp, test } from './fixtures.ts'

test('settings change the name, default model and theme, and they stay after a reload', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  await page.getByRole('link', { name: 'Settings' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible()

  await page.getByLabel('Display name').fill('Grace')
  const model = page.getByLabel('Default model')
  const options = await model.locator('option').allTextContents()
  const lastModel = options.at(-1) ?? ''
  await model.selectOption({ label: lastModel })
  await page.getByRole('radio', { name: 'Dark' }).check()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByText('Settings saved.')).toBeVisible()

  await page.reload()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await expect(page.getByLabel('Display name')).toHaveValue('Grace')
  await expect(page.getByLabel('Default model').locator('option:checked')).toHaveText(lastModel)

  await page.getByRole('link', { name: 'New chat' }).click()
  await expect(page.getByRole('heading', { name: 'What’s on your mind, Grace?' })).toBeVisible()
  await expect(page.getByRole('combobox', { name: 'Model' }).locator('option:checked')).toHaveText(
    lastModel,
  )
  await expect(conversationList(page)).toBeVisible()
})

test('a theme picked but not saved is not kept', async ({ page, account }) => {
  await page.emulateMedia({ colorScheme: 'light' })
  await signUp(page, account)
  await page.getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('radio', { name: 'Dark' }).check()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await page.getByRole('link', { name: 'New chat' }).click()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'system')
})
