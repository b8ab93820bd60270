#!/usr/bin/env bash
# Runs every test of the solution (Release). Exit code is non-zero when any test fails.
# First installs what the tests need and a fresh machine lacks: Debian's Chromium for the real-browser tests of
# the HTML report (scripts/browser-test-deps.sh, idempotent). The report's chart library (Apache ECharts from npm)
# is fetched by the build itself (scripts/report-assets.sh).
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Store]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/browser-test-deps.sh"
dotnet test Trading.Actors.sln -c Release --nologo --results-directory "$root/.build/test-results" "$@"
