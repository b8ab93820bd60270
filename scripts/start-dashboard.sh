#!/usr/bin/env bash
# A paper node with the web dashboard, for a newcomer: scripts/start-dashboard.sh [--config FILE] [more `trading node` options]
#   --config  the node's HOCON (default examples/paper-node-dashboard.conf: the bundled sample's last rebalance day
#             replayed at 60x, the dashboard on http://127.0.0.1:8080/)
# Builds the CLI once like scripts/trading, imports the bundled 2024 sample into .store/sample when it is missing (as
# scripts/demo.sh does), creates the first admin when the dashboard has no user yet — its random password goes to an
# owner-only file under the node's data folder and only that file's PATH is printed — then starts the node.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fail() { echo "error: start-dashboard: $*" >&2; exit 1; }
config="$root/examples/paper-node-dashboard.conf"
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) [[ $# -ge 2 ]] || fail "--config needs a file"; config="$2"; shift 2 ;;
    --config=*) config="${1#--config=}"; shift ;;
    *) extra+=("$1"); shift ;;
  esac
done
[[ -f "$config" ]] || fail "config '$config' not found (give one with --config FILE)"
cli="${TRADING_CLI:-$root/scripts/trading}"
store="$root/.store/sample"
if [[ "$config" == "$root/examples/paper-node-dashboard.conf" && ! -d "$store" ]]; then
  echo "importing the bundled 2024 sample into $store…" >&2
  "$cli" data import --format tushare --input "$root/data/ashare-2024-sample" --store "$store" >&2
fi
# Prints where the password is (DATA-DIR/dashboard-admin-password.txt), never the password.
"$cli" dashboard-user first-admin --config "$config" --name admin
echo "starting the paper node with the dashboard: $config (the URL is printed below once it listens)" >&2
exec "$cli" node --config "$config" ${extra[@]+"${extra[@]}"}
