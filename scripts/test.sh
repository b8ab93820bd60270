#!/usr/bin/env bash
# Runs every test of the solution (Release). Exit code is non-zero when any test fails.
# First installs what the tests need and a fresh machine lacks: Debian's Chromium for the real-browser tests of
# the HTML report (scripts/browser-test-deps.sh, idempotent). The report's chart library (Apache ECharts from npm)
# is fetched by the build itself (scripts/report-assets.sh). The PostgreSQL journal tests get a throwaway server
# (scripts/postgres-test.sh: Debian's postgresql, installed if missing; stopped and deleted when the tests end, also
# on failure) unless TRADING_PG_CONNECTION already names one; it reaches them through that variable. The miniQMT
# bridge and the fake xtquant have their own tests (Python's unittest, scripts/tests), run first when no arguments
# are given; python3 is installed if missing (scripts/python-test-deps.sh). The C# contract tests run the bridge too.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Store]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/browser-test-deps.sh"
"$root/scripts/python-test-deps.sh"
if [[ $# -eq 0 ]]; then
  echo "== Python: the miniQMT bridge and the fake xtquant (scripts/tests)"
  PYTHONDONTWRITEBYTECODE=1 python3 -m unittest discover -s "$root/scripts/tests"
fi
if [[ -z "${TRADING_PG_CONNECTION:-}" ]]; then
  export TRADING_PG_SLOT=test
  "$root/scripts/postgres-test.sh" stop >/dev/null # a server left by an interrupted run
  "$root/scripts/postgres-test.sh" start --no-fsync
  trap '"$root/scripts/postgres-test.sh" stop' EXIT
  eval "$("$root/scripts/postgres-test.sh" env)"
fi
export TRADING_PG_CONNECTION
dotnet test Trading.Actors.sln -c Release --nologo --results-directory "$root/.build/test-results" "$@"
