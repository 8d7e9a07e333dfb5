import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'prompts/**/*.test.ts'],
    testTimeout: 10_000,
  },
})
