#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's, version 15 here; no pgvector) for `pnpm bench gateway`
# and prints the line to export:
#
#   export "$(bash bench/scripts/start-postgres.sh)"   # sets BENCH_DATABASE_URL
#   bash bench/scripts/start-postgres.sh --stop        # stops it
#
# The cluster lives in $BENCH_PG_DIR (default /tmp/parley-bench-pg), listens on 127.0.0.1 only,
# on a free port (or $BENCH_PG_PORT), and runs as the `postgres` user when started by root.
# Running the script again reuses a running cluster. The bench itself creates (and drops) a fresh
# database on this server for every run; the database printed here is only where it connects.
set -euo pipefail

data_dir="${BENCH_PG_DIR:-/tmp/parley-bench-pg}"
password="parley-bench"
database="parley_bench"

log() { printf '%s\n' "$*" >&2; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local dir
  dir="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && printf '%s\n' "$dir"
}

install_postgres() {
  [ -n "$(pg_bin || true)" ] && return
  log "installing PostgreSQL from Debian (apt)"
  local sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    postgresql >&2
}

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local port
  for port in $(seq 55432 55532); do
    if port_is_free "$port"; then
      printf '%s\n' "$port"
      return
    fi
  done
  log "no free port in 55432-55532"
  exit 1
}

init_cluster() {
  local bin="$1"
  log "initialising a cluster in $data_dir"
  mkdir -p "$data_dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data_dir"; fi
  chmod 700 "$data_dir"
  local pwfile
  pwfile="$(mktemp)"
  printf '%s\n' "$password" >"$pwfile"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pwfile"; fi
  as_owner "$bin/initdb" -D "$data_dir" -U postgres --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >&2
  rm -f "$pwfile"
}

start_cluster() {
  local bin="$1" port="$2"
  printf '%s\n' "$port" >"$data_dir/bench-port"
  # A few settings for a benchmark on a small machine: no fsync wait per commit (the numbers are
  # about the API, not the disk), and enough connections for the API's pool.
  as_owner "$bin/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w start \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data_dir" \
    -o "-c max_connections=100 -c synchronous_commit=off" >&2
}

main() {
  install_postgres
  local bin
  bin="$(pg_bin)"
  if [ "${1:-}" = "--stop" ]; then
    as_owner "$bin/pg_ctl" -D "$data_dir" -m fast stop >&2 || true
    return
  fi
  [ -f "$data_dir/PG_VERSION" ] || init_cluster "$bin"
  local port
  if as_owner "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
    port="$(cat "$data_dir/bench-port")"
    log "PostgreSQL already running on 127.0.0.1:$port"
  else
    port="${BENCH_PG_PORT:-$(free_port)}"
    start_cluster "$bin" "$port"
  fi
  if [ -z "$(as_owner psql -h "$data_dir" -p "$port" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
    as_owner psql -h "$data_dir" -p "$port" -U postgres -qc "CREATE DATABASE $database" >&2
  fi
  log "$("$bin/postgres" --version) on 127.0.0.1:$port (data in $data_dir)"
  printf 'BENCH_DATABASE_URL=postgres://postgres:%s@127.0.0.1:%s/%s\n' \
    "$password" "$port" "$database"
}

main "$@"
