import { expect, sendAndWait, seriousViolations, signUp, test } from './fixtures.ts'

test('the sign-in and sign-up pages have no serious accessibility problems', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  expect(await seriousViolations(page)).toEqual([])
  await page.getByLabel('Email').fill('nobody@example.test')
  await page.getByLabel('Password').fill('wrong password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toContainText('do not match')
  expect(await seriousViolations(page)).toEqual([])
  await page.getByRole('link', { name: 'Create an account' }).click()
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible()
  expect(await seriousViolations(page)).toEqual([])
})

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the chat view has no serious accessibility problems in the ${colorScheme} theme`, async ({
    page,
    upstream,
    account,
  }) => {
    await page.emulateMedia({ colorScheme })
    await upstream.replyTo('a11y-check', {
      kind: 'text',
      text: 'A **list**:\n\n- one\n- [a link](https://example.com)\n\n```js\nconst x = 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |',
    })
    await signUp(page, account)
    await sendAndWait(page, 'Run the a11y-check')
    await expect(page.locator('.hljs-keyword').first()).toBeVisible()
    expect(await seriousViolations(page)).toEqual([])
  })
}
