import type { Browser, BrowserContext, Page, TestInfo } from '@playwright/test'
import {
  callApi,
  conversationList,
  expect,
  replies,
  sendAndWait,
  seriousViolations,
  signUp,
  test,
} from './fixtures.ts'

const widths = [1280, 390] as const
const schemes = ['light', 'dark'] as const

/** Saves the page as a named artifact of this test and checks it with axe. */
async function capture(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path, fullPage: true })
  await testInfo.attach(name, { path, contentType: 'image/png' })
  expect(await seriousViolations(page), name).toEqual([])
}

type SignedIn = Awaited<ReturnType<BrowserContext['storageState']>>

async function variant(
  browser: Browser,
  width: number,
  colorScheme: 'light' | 'dark',
  storageState?: SignedIn,
) {
  return browser.newContext({
    viewport: { width, height: 844 },
    colorScheme,
    ...(storageState ? { storageState } : {}),
  })
}

// One test per width and scheme: each pictures three pages and runs axe on each, which under a
// busy machine took one test of all twelve past its time limit.
for (const width of widths) {
  for (const scheme of schemes) {
    test(`chat, settings and a shared conversation at ${width} px, ${scheme}`, async ({
      browser,
      page,
      upstream,
      account,
    }, testInfo) => {
      const key = `screenshot-${width}-${scheme}`
      await upstream.replyTo(
        key,
        {
          kind: 'text',
          text: 'Here is a table:\n\n| Step | What to do |\n| --- | --- |\n| 1 | Pack light |\n| 2 | Bring a map |\n\nAnd some code:\n\n```ts\nconst trail = plan({ km: 12 })\n```',
        },
        'Trip planning',
      )
      await signUp(page, account)
      await sendAndWait(page, `Plan a short hike for me ${key}`)
      await expect(
        conversationList(page).getByRole('link', { name: 'Trip planning' }),
      ).toBeVisible()
      const conversationId = new URL(page.url()).pathname.split('/').at(-1) ?? ''
      const share = await callApi<{ id: string }>(
        page,
        `/conversations/${conversationId}/shares`,
        {},
      )
      const signedIn = await page.context().storageState()

      const context = await variant(browser, width, scheme, signedIn)
      const tab = await context.newPage()
      await tab.goto(`/c/${conversationId}`)
      await expect(replies(tab).last()).toHaveAttribute('data-status', 'complete')
      // The Markdown renderer is loaded on demand: the picture shows the reply rendered.
      await expect(replies(tab).last().getByRole('table')).toBeVisible()
      await capture(tab, testInfo, `chat-${width}-${scheme}`)
      await tab.goto('/settings')
      await expect(tab.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible()
      await capture(tab, testInfo, `settings-${width}-${scheme}`)
      await context.close()

      const visitor = await variant(browser, width, scheme)
      const shared = await visitor.newPage()
      await shared.goto(`/s/${share.id}`)
      await expect(shared.getByRole('heading', { name: 'Trip planning', level: 2 })).toBeVisible()
      await capture(shared, testInfo, `share-${width}-${scheme}`)
      await visitor.close()
    })
  }
}
