import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'prompts/**/*.test.ts'],
    // Only catches hangs; generous, because a loaded machine is slow, not wrong.
    testTimeout: 60_000,
    // No module mocks or global state here, so test files can share workers and the tokenizer load.
    isolate: false,
  },
})
