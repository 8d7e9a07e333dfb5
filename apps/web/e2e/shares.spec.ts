import {
  conversationList,
  expect,
  replies,
  sendAndWait,
  seriousViolations,
  signUp,
  test,
} from './fixtures.ts'

test('a share link shows the conversation as it was to a signed-out visitor, until it is revoked', async ({
  browser,
  page,
  upstream,
  account,
}) => {
  await upstream.replyTo(
    'share-me',
    { kind: 'text', text: 'Pack **light** and bring a map.' },
    'Hiking advice',
  )
  await upstream.replyTo('after-sharing', { kind: 'text', text: 'This came later.' })
  await signUp(page, account)
  await sendAndWait(page, 'How should I prepare for a hike? share-me')
  await expect(conversationList(page).getByRole('link', { name: 'Hiking advice' })).toBeVisible()

  await page.getByRole('button', { name: 'Share', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Share conversation' })
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused()
  await dialog.getByRole('button', { name: 'Create link' }).click()
  const link = dialog.getByRole('textbox', { name: 'Share link' })
  await expect(link).toBeFocused()
  const url = await link.inputValue()
  expect(new URL(url).pathname).toMatch(/^\/s\/[A-Za-z0-9_-]{24}$/)
  await expect(dialog.getByRole('button', { name: 'Copy link' })).toBeVisible()
  await expect(dialog.getByRole('listitem')).toHaveCount(1)
  expect(await seriousViolations(page)).toEqual([])
  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByRole('button', { name: 'Share', exact: true })).toBeFocused()

  await sendAndWait(page, 'One more thing after-sharing')

  const visitorContext = await browser.newContext()
  try {
    const visitor = await visitorContext.newPage()
    const refused: string[] = []
    visitor.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) refused.push(message.text())
    })
    const opened = await visitor.goto(url)
    expect(opened?.headers()['x-robots-tag']).toBe('noindex')
    await expect(visitor.getByRole('heading', { name: 'Shared conversation' })).toBeVisible()
    await expect(visitor.getByRole('heading', { name: 'Hiking advice' })).toBeVisible()
    await expect(visitor.locator('meta[name="robots"]')).toHaveAttribute('content', 'noindex')
    await expect(visitor.getByRole('article', { name: 'User message' })).toHaveText(
      'How should I prepare for a hike? share-me',
    )
    await expect(replies(visitor)).toHaveCount(1)
    await expect(replies(visitor).locator('strong')).toHaveText('light')
    await expect(visitor.getByRole('link', { name: 'Sign in to Parley' })).toBeVisible()
    const text = await visitor.content()
    expect(text).not.toContain(account.email)
    expect(text).not.toContain(account.name)
    expect(text).not.toContain('after-sharing')
    expect(text).not.toContain('This came later.')
    expect(await seriousViolations(visitor)).toEqual([])

    await page.getByRole('button', { name: 'Share', exact: true }).click()
    await dialog.getByRole('button', { name: /^Revoke the link/ }).click()
    await expect(dialog.getByRole('listitem')).toContainText('Revoked')
    await expect(dialog.getByRole('heading', { name: 'Links to this conversation' })).toBeFocused()

    await visitor.reload()
    await expect(visitor.getByRole('heading', { name: 'This link was revoked' })).toBeVisible()
    await expect(visitor.getByText('Pack')).toHaveCount(0)
    expect(await seriousViolations(visitor)).toEqual([])
    const api = await visitor.request.get(`/api/v1/shares/${new URL(url).pathname.slice(3)}`)
    expect(api.status()).toBe(410)
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('share_revoked')

    await visitor.goto('/s/AAAAAAAAAAAAAAAAAAAAAAAA')
    await expect(
      visitor.getByRole('heading', { name: 'Shared conversation not found' }),
    ).toBeVisible()
    expect(refused, 'Content-Security-Policy violations').toEqual([])
  } finally {
    await visitorContext.close()
  }
})
