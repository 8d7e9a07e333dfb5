#!/usr/bin/env bash
# The tests only a real Postgres server can run (PGlite runs one transaction at a time): two API
# processes or servers on one database sharing budgets, rate limits and the model catalog; two
# turns sent at once to one conversation; connections cut under a streaming reply; the driver's
# writes. Every test file in packages/db and apps/api that asks for `TEST_DATABASE_URL` runs here,
# one file at a time (they share the database), on a throwaway cluster of Debian's PostgreSQL
# that is removed afterwards.
#
# Part of `pnpm test`. Without PostgreSQL installed (`apt install postgresql`) it says so and
# skips; `.ci/run` installs it, so CI always runs these tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "$(find /usr/lib/postgresql -maxdepth 3 -name initdb -type f -print -quit 2>/dev/null)" ]; then
  echo "test:postgres: PostgreSQL is not installed (apt install postgresql): the Postgres-only tests are skipped" >&2
  exit 0
fi

data_dir="$(mktemp -d "${TMPDIR:-/tmp}/parley-test-pg.XXXXXX")"
cluster() { BENCH_PG_DIR="$data_dir" bash bench/scripts/start-postgres.sh "$@"; }
cleanup() {
  cluster --stop 2>/dev/null || true
  rm -rf "$data_dir"
}
trap cleanup EXIT

started="$(cluster)"
export TEST_DATABASE_URL="${started#BENCH_DATABASE_URL=}"

# The test files that use TEST_DATABASE_URL: a `describe.skipIf(!testDatabaseUrl)` or a case
# added when it is set.
postgres_tests() {
  grep -rlE 'skipIf\(!testDatabaseUrl\)|testDatabaseUrl \?' --include='*.test.ts' src | sort
}

for package in packages/db apps/api; do
  echo "test:postgres: $package" >&2
  (
    cd "$package"
    mapfile -t files < <(postgres_tests)
    pnpm exec vitest run --no-file-parallelism "${files[@]}"
  )
done
