#!/usr/bin/env bash
# Fetches the front-end library that the HTML report (Trading.Reporting.Html) inlines: Apache ECharts, from the npm
# registry, at the exact version and integrity pinned in src/Trading.Reporting/assets/package(-lock).json.
# Installs into .build/npm (git-ignored, never committed) and prints the path of echarts.min.js.
# Trading.Reporting.csproj runs this script when that file is missing, so a fresh clone's `dotnet build` gets it.
# Idempotent: with the pinned version already installed it only prints the path.
# Usage: scripts/report-assets.sh [--force]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
assets="$root/src/Trading.Reporting/assets"
dest="${REPORT_ASSETS_DIR:-$root/.build/npm}"
js="$dest/node_modules/echarts/dist/echarts.min.js"
want="$(sed -n 's/.*"echarts": *"\([^"]*\)".*/\1/p' "$assets/package.json" | head -n1)"

installed_version() {
  local pj="$dest/node_modules/echarts/package.json"
  [[ -f "$pj" ]] && sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pj" | head -n1 || true
}

if [[ "${1:-}" != "--force" && -s "$js" && "$(installed_version)" == "$want" ]]; then
  echo "$js"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  cat >&2 <<MSG
error: report-assets: npm is not on PATH.
  The HTML report embeds Apache ECharts $want, installed from the npm registry into $dest.
  Install Node.js and npm (Debian: apt-get install -y nodejs npm), then run scripts/report-assets.sh
  (or build again: Trading.Reporting.csproj runs it when echarts.min.js is missing).
MSG
  exit 1
fi

mkdir -p "$dest"
# Builds may run in parallel (several artifacts folders): one installer at a time.
exec 9>"$dest/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [[ "${1:-}" != "--force" && -s "$js" && "$(installed_version)" == "$want" ]]; then
  echo "$js"
  exit 0
fi

cp "$assets/package.json" "$assets/package-lock.json" "$dest/"
echo "report-assets: npm ci echarts@$want into $dest" >&2
if ! (cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --omit=dev --loglevel=error >&2); then
  echo "error: report-assets: 'npm ci' failed in $dest (is the npm registry reachable?)" >&2
  exit 1
fi
if [[ ! -s "$js" ]]; then
  echo "error: report-assets: npm finished but $js is missing" >&2
  exit 1
fi
echo "$js"
