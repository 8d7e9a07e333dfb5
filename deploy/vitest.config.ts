import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Time limits only catch hangs: the recipe builds the web app and installs the API's
    // dependencies, which a machine whose cores are busy does slowly.
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
})
