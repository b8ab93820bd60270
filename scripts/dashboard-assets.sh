#!/usr/bin/env bash
# Fetches the front-end libraries the web dashboard (src/Trading.Dashboard) serves from its assembly: Apache ECharts
# (the same charting library as the HTML report) and the ASP.NET Core SignalR browser client, from the npm registry at
# the exact versions and integrities pinned in src/Trading.Dashboard/client/package(-lock).json.
# Installs into .build/npm-dashboard (git-ignored, never committed) and prints the install folder.
# Trading.Dashboard.csproj runs this script when a file is missing, so a fresh clone's `dotnet build` gets them.
# Idempotent: with the pinned versions already installed it only prints the folder.
# Usage: scripts/dashboard-assets.sh [--force]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
client="$root/src/Trading.Dashboard/client"
dest="${DASHBOARD_ASSETS_DIR:-$root/.build/npm-dashboard}"
dest="${dest%/}"
files=("$dest/node_modules/echarts/dist/echarts.min.js" "$dest/node_modules/@microsoft/signalr/dist/browser/signalr.min.js")

installed() {
  # The lock installed last is the one pinned now, and every file is there.
  cmp -s "$client/package-lock.json" "$dest/package-lock.json" || return 1
  local f; for f in "${files[@]}"; do [[ -s "$f" ]] || return 1; done
}

if [[ "${1:-}" != "--force" ]] && installed; then echo "$dest"; exit 0; fi

if ! command -v npm >/dev/null 2>&1; then
  cat >&2 <<MSG
error: dashboard-assets: npm is not on PATH.
  The dashboard embeds Apache ECharts and @microsoft/signalr, installed from the npm registry into $dest.
  Install Node.js and npm (Debian: apt-get install -y nodejs npm), then run scripts/dashboard-assets.sh
  (or build again: Trading.Dashboard.csproj runs it when a file is missing).
MSG
  exit 1
fi

mkdir -p "$dest"
# Builds may run in parallel (several artifacts folders): one installer at a time.
exec 9>"$dest/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [[ "${1:-}" != "--force" ]] && installed; then echo "$dest"; exit 0; fi

cp "$client/package.json" "$client/package-lock.json" "$dest/"
echo "dashboard-assets: npm ci into $dest" >&2
if ! (cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --omit=dev --loglevel=error >&2); then
  rm -f "$dest/package-lock.json"
  echo "error: dashboard-assets: 'npm ci' failed in $dest (is the npm registry reachable?)" >&2
  exit 1
fi
for f in "${files[@]}"; do
  if [[ ! -s "$f" ]]; then
    echo "error: dashboard-assets: npm finished but $f is missing" >&2
    exit 1
  fi
done
echo "$dest"
