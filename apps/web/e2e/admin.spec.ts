import {
  becomeAdmin,
  callApi,
  expect,
  newAccount,
  sendAndWait,
  seriousViolations,
  signUp,
  test,
} from './fixtures.ts'

test('an admin opens the console from the sidebar and reads the team’s feedback', async ({
  page,
  upstream,
  account,
}) => {
  await upstream.replyTo('admin-vote', { kind: 'text', text: 'A reply worth a vote.' })
  await signUp(page, account)
  const reply = await sendAndWait(page, 'Something to vote on admin-vote')
  await reply.getByRole('button', { name: 'Bad reply' }).click()
  const form = page.getByRole('form', { name: 'Feedback on this reply' })
  await form.getByRole('checkbox', { name: 'Off topic' }).check()
  await form.getByRole('textbox', { name: 'Comment (optional)' }).fill('Missed the point.')
  await form.getByRole('button', { name: 'Send feedback' }).click()
  await expect(form).toBeHidden()

  await expect(page.getByRole('link', { name: 'Admin console' })).toHaveCount(0)
  await becomeAdmin(page, account)
  await page.getByRole('link', { name: 'Admin console' }).click()
  const nav = page.getByRole('navigation', { name: 'Admin console' })
  await expect(nav).toBeVisible()
  await nav.getByRole('link', { name: 'Feedback' }).click()
  await expect(page).toHaveURL(/\/admin\/feedback$/)
  const recent = page.getByRole('region', { name: 'Newest votes' })
  const row = recent.getByRole('row', { name: /Missed the point\./ })
  await expect(row).toContainText('Off topic')
  await expect(page.getByRole('region', { name: 'Satisfaction by model' })).toBeVisible()
  expect(await seriousViolations(page)).toEqual([])
})

test('someone without the admin role sees no console link and is told so at /admin', async ({
  page,
}) => {
  await signUp(page, newAccount('Grace'))
  await expect(page.getByRole('link', { name: 'Admin console' })).toHaveCount(0)
  await page.goto('/admin')
  await expect(page.getByRole('alert')).toContainText('This needs the admin role')
  await expect(page.getByRole('navigation', { name: 'Admin console' })).toHaveCount(0)
})

test('an admin disables a member, whose next request is refused, changes a price, and the audit shows both', async ({
  browser,
  page,
  account,
}) => {
  await signUp(page, account)
  await becomeAdmin(page, account)
  const member = newAccount('Lin')
  const theirs = await browser.newContext()
  const memberPage = await theirs.newPage()
  await signUp(memberPage, member)

  await page.goto('/admin')
  await expect(page).toHaveURL(/\/admin\/users$/)
  await page.getByRole('button', { name: `Disable ${member.email}` }).click()
  await page
    .getByRole('dialog', { name: 'Disable this account?' })
    .getByRole('button', { name: 'Disable' })
    .click()
  await expect(page.getByRole('row', { name: new RegExp(member.email) })).toContainText('Disabled')
  // The member's very next request is refused, and the app takes them to the sign-in page.
  const refused = await memberPage.request.get('/api/v1/me', {
    headers: {
      authorization: `Bearer ${await memberPage.evaluate(
        () =>
          (JSON.parse(localStorage.getItem('parley.auth') ?? '{}') as { access_token?: string })
            .access_token,
      )}`,
    },
  })
  expect(refused.status()).toBe(401)
  await memberPage.reload()
  await expect(memberPage.getByRole('button', { name: 'Sign in' })).toBeVisible()
  await theirs.close()

  await page
    .getByRole('navigation', { name: 'Admin console' })
    .getByRole('link', { name: 'Models' })
    .click()
  const astra = page.getByRole('form', { name: 'GPT-6 Astra settings' })
  await astra.getByLabel('Input $/M', { exact: true }).fill('12')
  await astra.getByRole('button', { name: 'Save' }).click()
  await expect(astra.getByRole('button', { name: 'Save' })).toBeEnabled()
  const models = await callApi<{ items: { id: string; inputUsdPerMtok: number | string }[] }>(
    page,
    '/models',
  )
  expect(Number(models.items.find((model) => model.id === 'gpt-6-astra')?.inputUsdPerMtok)).toBe(12)

  await page
    .getByRole('navigation', { name: 'Admin console' })
    .getByRole('link', { name: 'Audit' })
    .click()
  await expect(page.getByRole('row', { name: /model\.update gpt-6-astra/ })).toContainText('12')
  await expect(page.getByRole('row', { name: /user\.change/ }).first()).toContainText('disabled')
  expect(await seriousViolations(page)).toEqual([])
})
