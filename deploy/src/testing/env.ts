/**
 * The environment of a build step: the tools on PATH and where pnpm keeps its store, nothing
 * of the test run (no NODE_ENV, VITE_* or VITEST_* leaking into the web build).
 */
export function buildStepEnv(): Record<string, string> {
  const kept = Object.entries(process.env).filter(
    ([name]) => /^(PATH|HOME|TMPDIR|XDG_\w+|PNPM_HOME)$/.test(name) || /^npm_config_/i.test(name),
  )
  return Object.fromEntries(kept.filter((entry): entry is [string, string] => !!entry[1]))
}
