import { randomUUID } from 'node:crypto'
import AxeBuilder from '@axe-core/playwright'
import type { Scenario, ScenarioMatch } from '@parley/llm/testing'
import { test as base, expect, type Locator, type Page } from '@playwright/test'
import { bootstrapAdminToken, readStack, type Stack } from './config.ts'

/** Scripts the fake upstream from the test process, over its HTTP controls. */
export class Upstream {
  readonly origin: string

  constructor(origin: string) {
    this.origin = origin
  }

  async enqueue(...entries: { scenario: Scenario; match: ScenarioMatch }[]) {
    const response = await fetch(`${this.origin}/__fake/scenarios`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(entries),
    })
    if (!response.ok)
      throw new Error(`queueing scenarios: ${response.status} ${await response.text()}`)
  }

  /**
   * Queues the reply to a message containing `marker` (chat turns stream), and the conversation
   * title asked for right after the first exchange (a buffered call whose prompt quotes it).
   */
  async replyTo(marker: string, reply: Scenario, title?: string) {
    await this.enqueue(
      { scenario: reply, match: { lastUserMessageIncludes: marker, stream: true } },
      ...(title
        ? [
            {
              scenario: { kind: 'text' as const, text: title },
              match: { lastUserMessageIncludes: marker, stream: false },
            },
          ]
        : []),
    )
  }
}

export interface Account {
  name: string
  email: string
  password: string
}

export const newAccount = (name = 'Ada'): Account => ({
  name,
  email: `${name.toLowerCase()}-${randomUUID()}@example.test`,
  password: 'correct horse battery staple',
})

export const test = base.extend<{
  stack: Stack
  upstream: Upstream
  account: Account
  contentSecurityPolicy: undefined
}>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's needs from this pattern
  stack: async ({}, use) => use(readStack()),
  baseURL: async ({ stack }, use) => use(stack.baseUrl),
  upstream: async ({ stack }, use) => use(new Upstream(stack.upstreamUrl)),
  account: async ({ stack: _ }, use) => use(newAccount()),
  /** Every test also checks that the app works within the API's Content-Security-Policy. */
  contentSecurityPolicy: [
    async ({ page }, use) => {
      const refused: string[] = []
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) refused.push(message.text())
      })
      await use(undefined)
      expect(refused, 'Content-Security-Policy violations').toEqual([])
    },
    { auto: true },
  ],
})

export { expect }

/** Calls the API as the user signed in on `page`, with the token supabase-js stored. */
export async function callApi<T>(page: Page, path: string, body?: unknown): Promise<T> {
  const token = await page.evaluate(() => {
    const stored = localStorage.getItem('parley.auth')
    return stored ? (JSON.parse(stored) as { access_token: string }).access_token : null
  })
  if (!token) throw new Error('nobody is signed in on this page')
  const response = await page.request.fetch(`/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { data: body }),
  })
  if (!response.ok()) throw new Error(`${path}: ${response.status()} ${await response.text()}`)
  return (await response.json()) as T
}

export async function signUp(page: Page, account: Account) {
  await page.goto('/sign-up')
  await page.getByLabel('Name').fill(account.name)
  await page.getByLabel('Email').fill(account.email)
  await page.getByLabel('Password').fill(account.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(
    page.getByRole('heading', { name: `What’s on your mind, ${account.name}?` }),
  ).toBeVisible()
}

export async function signIn(page: Page, account: Account) {
  await page.goto('/sign-in')
  await page.getByLabel('Email').fill(account.email)
  await page.getByLabel('Password').fill(account.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(newChatLink(page)).toBeVisible()
}

/**
 * Makes the signed-in user an admin with the stack's operator token, then signs in again: the
 * role is in the token, which carries it from the next sign-in on.
 */
export async function becomeAdmin(page: Page, account: Account) {
  await callApi(page, '/admin/claim', { token: bootstrapAdminToken })
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
  await signIn(page, account)
}

export const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' })

export const replies = (page: Page) =>
  page.getByRole('region', { name: 'Messages' }).getByRole('article', { name: 'Reply' })

export const userMessages = (page: Page) =>
  page.getByRole('region', { name: 'Messages' }).getByRole('article', { name: 'Your message' })

export const conversationList = (page: Page) =>
  page.getByRole('navigation', { name: 'Conversations' })

/**
 * The sidebar's New chat link. A conversation whose title has not arrived yet is also listed
 * as "New chat", after it, so the first match is always the button.
 */
export const newChatLink = (page: Page) =>
  page.getByRole('link', { name: 'New chat', exact: true }).first()

/** Sends a message from the composer and waits until its reply has finished streaming. */
export async function sendAndWait(
  page: Page,
  text: string,
  status: 'complete' | 'incomplete' | 'error' = 'complete',
): Promise<Locator> {
  const before = await replies(page).count()
  await composer(page).fill(text)
  await composer(page).press('Enter')
  await expect(replies(page)).toHaveCount(before + 1)
  const reply = replies(page).last()
  await expect(reply).toHaveAttribute('data-status', status)
  return reply
}

/** Accessibility problems axe rates serious or critical on the page as it is now. */
export async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze()
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }))
}
