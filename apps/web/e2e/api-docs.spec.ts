import { expect, test } from './fixtures.ts'

test('the API reference renders in the browser with no content-policy violation', async ({
  page,
}) => {
  const violations: string[] = []
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      ;(window as unknown as { cspViolations: string[] }).cspViolations ??= []
      ;(window as unknown as { cspViolations: string[] }).cspViolations.push(
        `${event.violatedDirective} ${event.blockedURI}`,
      )
    })
  })
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
  })

  await page.goto('/api/v1/docs')
  await expect(page.getByRole('heading', { name: /Parley/ }).first()).toBeVisible()
  await expect(page.getByText('/conversations/{id}/messages').first()).toBeVisible()

  const reported = await page.evaluate(
    () => (window as unknown as { cspViolations?: string[] }).cspViolations ?? [],
  )
  expect([...violations, ...reported]).toEqual([])
})
