#!/usr/bin/env bash
# Runs every test of the solution (Release). Exit code is non-zero when any test fails.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Store]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dotnet test Trading.Actors.sln -c Release --nologo --results-directory "$root/.build/test-results" "$@"
