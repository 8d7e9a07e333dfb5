import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'prompts/**/*.test.ts'],
    testTimeout: 10_000,
    // No module mocks or global state here, so test files can share workers and the tokenizer load.
    isolate: false,
  },
})
