import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Each file clones its own database; a cold template build (initdb) takes a few seconds.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
