import { defineConfig, devices } from '@playwright/test'
import { chromiumArgs, chromiumPath } from './e2e/config.ts'

/**
 * End-to-end tests: the production build served by the real API (PGlite in a temp folder, the
 * fake upstream as its OpenAI provider), driven in Debian's Chromium. `e2e/global-setup.ts`
 * starts the stack; `pnpm test:e2e` at the root builds the SPA first.
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/e2e',
  globalSetup: './e2e/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  // One API process serves every test; one worker keeps this 2-core machine responsive.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1280, height: 800 },
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
})
