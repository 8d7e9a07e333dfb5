import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Each file clones its own database; a cold template build (initdb) takes a few seconds idle,
    // over a minute with both cores taken by other work. Time limits here only catch hangs.
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
})
