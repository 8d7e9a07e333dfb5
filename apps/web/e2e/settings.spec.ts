import {
  conversationList,
  expect,
  newChatLink,
  sendAndWait,
  seriousViolations,
  signUp,
  test,
} from './fixtures.ts'

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

  await newChatLink(page).click()
  await expect(page.getByRole('heading', { name: 'What’s on your mind, Grace?' })).toBeVisible()
  // The picker names the model with its context window and prices.
  const picked = page.getByRole('combobox', { name: 'Model' }).locator('option:checked')
  await expect(picked).toContainText(`${lastModel} · `)
  await expect(picked).toContainText(' context · ')
  await expect(conversationList(page)).toBeVisible()
})

test('a theme picked but not saved is not kept', async ({ page, account }) => {
  await page.emulateMedia({ colorScheme: 'light' })
  await signUp(page, account)
  await page.getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('radio', { name: 'Dark' }).check()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await newChatLink(page).click()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'system')
})

test('custom instructions and a chat’s own settings are saved and still there after a reload', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  await page.getByRole('link', { name: 'Settings' }).click()
  await page.getByLabel('What should Parley know about you?').fill('I run a bakery.')
  await page.getByLabel('How should Parley answer?').fill('Short answers, metric units.')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByText('Settings saved.')).toBeVisible()
  await page.reload()
  await expect(page.getByLabel('What should Parley know about you?')).toHaveValue('I run a bakery.')
  await expect(page.getByLabel('How should Parley answer?')).toHaveValue(
    'Short answers, metric units.',
  )

  await newChatLink(page).click()
  await sendAndWait(page, 'How long should dough rest?')
  await page.getByRole('button', { name: 'Chat settings' }).click()
  const dialog = page.getByRole('dialog', { name: 'Chat settings' })
  await dialog.getByLabel('Instructions for this chat').fill('Answer as a pastry chef.')
  await dialog.getByLabel('Temperature').fill('0.3')
  expect(await seriousViolations(page)).toEqual([])
  await dialog.getByRole('button', { name: 'Save' }).click()
  await expect(dialog).toBeHidden()

  await page.reload()
  await page.getByRole('button', { name: 'Chat settings' }).click()
  await expect(dialog.getByLabel('Instructions for this chat')).toHaveValue(
    'Answer as a pastry chef.',
  )
  await expect(dialog.getByLabel('Temperature')).toHaveValue('0.3')
})
