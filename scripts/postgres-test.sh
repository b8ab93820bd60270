#!/usr/bin/env bash
# A throwaway PostgreSQL server for the journal tests and the order-path bench.
#   start [--no-fsync]  install Debian's postgresql if missing (idempotent), initdb a cluster in a new temp dir, start
#                       it on a free port of 127.0.0.1 (its unix socket inside that dir), create the database and user
#                       `trading` (allowed to create databases: each test takes its own) with a random password, and
#                       write the connection string to DIR/connection (owner-only). --no-fsync: the server never
#                       syncs to disk (tests: nothing there outlives the run); the bench keeps the default.
#   env                 print `export TRADING_PG_CONNECTION='…'` for the running server (eval it)
#   stop                stop the server and delete its dir
# One server per checkout and slot (TRADING_PG_SLOT, default `default`; scripts/test.sh uses `test`, scripts/bench.sh
# `bench`): .build/postgres-test/SLOT names its temp dir. As root the server runs as the `postgres` system user
# (PostgreSQL refuses root); otherwise as the caller (installing still needs root or sudo).
# Usage: [TRADING_PG_SLOT=NAME] scripts/postgres-test.sh start [--no-fsync] | env | stop
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
slot="${TRADING_PG_SLOT:-default}"
[[ "$slot" =~ ^[A-Za-z0-9_-]+$ ]] || { echo "error: postgres-test: TRADING_PG_SLOT must be letters, digits, _ or -" >&2; exit 2; }
state="$root/.build/postgres-test/$slot"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
fail() { echo "error: postgres-test: $*" >&2; exit 1; }
# The newest installed server (a client-only version has no initdb).
bindir() { local d; for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do [[ -x "$d/initdb" ]] && { echo "$d"; return; }; done; }
current() { [[ -f "$state/dir" ]] && cat "$state/dir" || true; }

as_root=()
[[ "$(id -u)" == "0" ]] || { command -v sudo >/dev/null 2>&1 && as_root=(sudo); }
# The server's user: `postgres` when we are root, else ourselves.
as_server=()
[[ "$(id -u)" == "0" ]] && as_server=(runuser -u postgres --)

install() {
  if [[ -n "$(bindir)" ]]; then return 0; fi
  [[ "$(id -u)" == "0" || ${#as_root[@]} -gt 0 ]] || fail "installing Debian's postgresql needs root (apt-get); rerun as root"
  local t0; t0=$(now)
  export DEBIAN_FRONTEND=noninteractive
  # No default cluster (/var/lib/postgresql/N/main on port 5432): the tests make their own.
  "${as_root[@]}" mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = off" | "${as_root[@]}" tee /etc/postgresql-common/createcluster.d/trading-no-main.conf >/dev/null
  # Package lists another script just refreshed (browser-test-deps.sh) are used as they are; stale or missing ones
  # are refreshed and the install tried again.
  if ! { apt-cache show postgresql >/dev/null 2>&1 && "${as_root[@]}" apt-get install -y -q --no-install-recommends postgresql >"${TMPDIR:-/tmp}/postgres-test-apt.log" 2>&1; }; then
    "${as_root[@]}" apt-get update -q >/dev/null
    "${as_root[@]}" apt-get install -y -q --no-install-recommends postgresql >"${TMPDIR:-/tmp}/postgres-test-apt.log" 2>&1 \
      || { tail -n 20 "${TMPDIR:-/tmp}/postgres-test-apt.log" >&2; fail "apt-get install postgresql failed (above)"; }
  fi
  [[ -n "$(bindir)" ]] || fail "apt-get finished but no /usr/lib/postgresql/*/bin/initdb"
  echo "postgres-test: installed $("$(bindir)/postgres" --version) in $(since "$t0")"
}

start() {
  local fsync=on
  [[ "${1:-}" == "--no-fsync" ]] && fsync=off
  local old; old="$(current)"
  if [[ -n "$old" && -d "$old" ]]; then
    if "${as_server[@]}" "$(bindir)/pg_ctl" status -D "$old/data" >/dev/null 2>&1; then
      fail "a server of slot '$slot' is already running in $old (scripts/postgres-test.sh stop first)"
    fi
    rm -rf "$old"
  fi
  install
  local bin t0 dir port password
  bin="$(bindir)"
  t0=$(now)
  dir="$(mktemp -d "${TMPDIR:-/tmp}/trading-pg.XXXXXX")"
  mkdir -p "$state"
  echo "$dir" > "$state/dir"
  chmod 711 "$dir" # the server's user reaches data/ and run/, reads nothing else here
  mkdir -m 700 "$dir/data" "$dir/run"
  [[ ${#as_server[@]} -eq 0 ]] || chown postgres:postgres "$dir/data" "$dir/run"
  # Superuser `postgres`, trusted only on the unix socket inside run/ (mode 700: this user and root); TCP needs a password.
  "${as_server[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; fail "initdb failed (log above)"; }
  local tries=0
  while :; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    # Taken ports answer on 127.0.0.1; a port that does not is tried (a race with another process fails the start and we try again).
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    if "${as_server[@]}" "$bin/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/data/server.log" \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/run -c fsync=$fsync -c synchronous_commit=$fsync -c full_page_writes=$fsync -c max_connections=200" >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if (( tries >= 5 )) || ! grep -q "could not bind\|Address already in use" "$dir/data/server.log" 2>/dev/null; then
      cat "$dir/data/server.log" >&2 2>/dev/null || true
      fail "the server did not start (log above)"
    fi
  done
  password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  # Through stdin, so the password shows in no process list.
  printf "CREATE ROLE trading LOGIN CREATEDB PASSWORD '%s';\nCREATE DATABASE trading OWNER trading;\n" "$password" \
    | "${as_server[@]}" "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U postgres -d postgres >/dev/null \
    || fail "creating the user and database failed"
  (umask 077; printf 'Host=127.0.0.1;Port=%s;Database=trading;Username=trading;Password=%s\n' "$port" "$password" > "$dir/connection")
  echo "postgres-test: $("$bin/postgres" --version | sed 's/^postgres (PostgreSQL) /PostgreSQL /') on 127.0.0.1:$port (database trading, user trading, fsync $fsync) started in $(since "$t0"); connection in $dir/connection"
}

env_() {
  local dir; dir="$(current)"
  [[ -n "$dir" && -f "$dir/connection" ]] || fail "no server of slot '$slot' running for this checkout (scripts/postgres-test.sh start)"
  printf "export TRADING_PG_CONNECTION='%s'\n" "$(cat "$dir/connection")"
}

stop() {
  local dir; dir="$(current)"
  [[ -n "$dir" ]] || { echo "postgres-test: no server to stop"; return 0; }
  if [[ -d "$dir/data" ]]; then
    "${as_server[@]}" "$(bindir)/pg_ctl" stop -D "$dir/data" -m immediate -w >/dev/null 2>&1 || true
  fi
  rm -rf "$dir" "$state/dir"
  echo "postgres-test: stopped, $dir deleted"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  env) env_ ;;
  stop) stop ;;
  *) echo "usage: scripts/postgres-test.sh start [--no-fsync] | env | stop" >&2; exit 2 ;;
esac
