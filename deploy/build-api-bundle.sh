#!/usr/bin/env bash
# Builds everything the API image runs into an empty folder (the image copies it to /app), laid
# out as in the repository, so the server finds the web app and the migrations where it
# looks for them by default:
#
#   OUT/apps/api, OUT/packages/*   the API and the workspace packages it imports, as sources
#                                  (Node strips their types), with production dependencies only
#   OUT/apps/web/dist              the built web app the API serves (PARLEY_WEB_DIST)
#   OUT/supabase/migrations        the SQL migrations the API applies at start
#
# Not `pnpm deploy`: it copies workspace packages under node_modules, where Node refuses to
# strip types (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING). This is its equivalent: the
# packages' files, then `pnpm install --prod` of just those packages from the lockfile.
#
# Run at the root of a checkout after `pnpm install --frozen-lockfile`. The Dockerfile's build
# stage runs it, and so does the image-recipe test (deploy/src/image-recipe.test.ts), so the
# two cannot drift. The web build reads the VITE_* variables of its environment.
set -euo pipefail

out="${1:?usage: deploy/build-api-bundle.sh OUT_DIR}"
cd "$(dirname "$0")/.."
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "build-api-bundle: $out is not empty" >&2
  exit 1
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

pnpm --filter @parley/web build

root="$(pwd -P)"
cp package.json pnpm-lock.yaml pnpm-workspace.yaml "$out/"
# The lockfile names patched dependencies; their patches must sit beside it.
cp -R patches "$out/"
for dir in $(pnpm --filter '@parley/api...' ls --depth -1 --parseable); do
  relative="${dir#"$root"/}"
  mkdir -p "$out/$relative"
  tar -C "$dir" --exclude=node_modules --exclude=.turbo --exclude='*.test.ts' \
    --exclude='*.config.ts' --exclude=tsconfig.json -cf - . | tar -C "$out/$relative" -xf -
done
# Only what the store already holds: the install before this fetched every package.
(cd "$out" && pnpm install --frozen-lockfile --offline --prod --filter '@parley/api...')

mkdir -p "$out/apps/web" "$out/supabase/migrations"
cp -R apps/web/dist "$out/apps/web/dist"
cp supabase/migrations/*.sql "$out/supabase/migrations/"

# The dependencies' type declarations and source maps: Node never loads them.
find "$out/node_modules/.pnpm" -type f \
  \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete

du -sk "$out" | awk '{ printf "build-api-bundle: %s (%.1f MB on disk)\n", $2, $1 / 1024 }'
