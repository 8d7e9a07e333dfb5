import { readFile } from 'node:fs/promises'
import type { Budget, UsageReport } from '@parley/schema/contracts'
import { formatUsd } from '../src/lib/format.ts'
import {
  callApi,
  conversationList,
  expect,
  sendAndWait,
  seriousViolations,
  signUp,
  test,
} from './fixtures.ts'

test('the Usage page shows this period’s spend, a chart of cost by day and the tables, as the API counts them', async ({
  page,
  upstream,
  account,
}, testInfo) => {
  await upstream.replyTo(
    'usage-first',
    { kind: 'text', text: 'A first reply that costs a little.' },
    'Counting the cost',
  )
  await upstream.replyTo('usage-second', { kind: 'text', text: 'A second reply, a bit longer.' })
  await signUp(page, account)
  await sendAndWait(page, 'How much does this cost? usage-first')
  // The title is a model call of its own, recorded with the title.
  await expect(
    conversationList(page).getByRole('link', { name: 'Counting the cost' }),
  ).toBeVisible()
  await sendAndWait(page, 'And this one? usage-second')

  await page.getByRole('link', { name: 'Usage' }).click()
  await expect(page.getByRole('heading', { name: 'Usage', level: 1 })).toBeVisible()
  const budget = await callApi<Budget>(page, '/usage/budget')
  const byDay = await callApi<UsageReport>(page, '/usage?groupBy=day')
  const byConversation = await callApi<UsageReport>(page, '/usage?groupBy=conversation')
  expect(byDay.total.requests).toBe(3)
  expect(byDay.total.costUsd).toBe(budget.spentUsd)

  await expect(page.getByTestId('usage-spent')).toHaveText(formatUsd(budget.spentUsd))
  await expect(page.getByText(/resets on/)).toBeVisible()
  const chart = page.getByRole('img', { name: /^Cost by day/ })
  await expect(chart.locator('canvas').first()).toBeVisible()

  const conversations = page.getByRole('region', { name: 'By conversation' })
  const row = conversations.getByRole('row', { name: /Counting the cost/ })
  await expect(row).toBeVisible()
  const [only] = byConversation.items
  expect(only).toMatchObject({ label: 'Counting the cost', requests: 3 })
  await expect(row.getByRole('cell').nth(3)).toHaveText(formatUsd(only?.costUsd ?? ''))
  const models = page.getByRole('region', { name: 'By model' })
  await expect(models.getByRole('row')).not.toHaveCount(0)
  expect(await seriousViolations(page)).toEqual([])

  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Download CSV' }).click()
  const file = await (await download).path()
  const lines = (await readFile(file, 'utf8')).trim().split('\r\n')
  expect(lines[0]?.startsWith('key,label,requests,')).toBe(true)
  expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(byDay.items.map((r) => r.key))

  const screenshot = testInfo.outputPath('usage-page.png')
  await page.screenshot({ path: screenshot, fullPage: true })
  await testInfo.attach('usage page', { path: screenshot, contentType: 'image/png' })
})

test('a new account’s Usage page has nothing spent, no limit to fill and empty tables', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  await page.goto('/usage')
  await expect(page.getByTestId('usage-spent')).toHaveText('$0')
  // The test stack sets no team budget.
  await expect(page.getByText('No spending limit')).toBeVisible()
  await expect(page.getByRole('progressbar')).toHaveCount(0)
  for (const table of ['By model', 'By conversation']) {
    await expect(page.getByRole('region', { name: table })).toContainText(
      'No usage in this period yet.',
    )
  }
})
