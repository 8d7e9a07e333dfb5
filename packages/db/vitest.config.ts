import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Each file clones its own database; a cold template build (initdb) takes a few seconds idle,
    // over a minute with both cores taken by other work. Time limits here only catch hangs.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // A test file spends most of its time waiting on its own database, servers and child
    // processes, so one file per core (not the default: one fewer) keeps both cores busy.
    maxWorkers: '100%',
    // Files share their worker's module cache instead of each importing the package (and
    // compiling PGlite's WebAssembly) again: the suite takes well under half the time. It is safe
    // because every file opens its own database, and no test mocks a module.
    isolate: false,
  },
})
