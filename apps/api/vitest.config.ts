import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Time limits only catch hangs: on a machine whose cores are busy, a database build in a hook
    // has taken over a minute.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // A test file spends most of its time waiting on its own database, servers and child
    // processes, so one file per core (not the default: one fewer) keeps both cores busy.
    maxWorkers: '100%',
    // Files share their worker's module cache instead of each importing the app (and compiling
    // PGlite's WebAssembly) again: the suite takes well under half the time. It is safe because
    // every file opens its own database and servers, and no test mocks a module.
    isolate: false,
  },
})
