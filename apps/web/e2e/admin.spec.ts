import {
  becomeAdmin,
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
