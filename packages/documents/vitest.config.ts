import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Only catches hangs; generous, because a loaded machine is slow, not wrong.
    testTimeout: 60_000,
  },
})
