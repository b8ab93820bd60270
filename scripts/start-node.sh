#!/usr/bin/env bash
# Starts one node of a trading cluster: scripts/start-node.sh ROLE [--config FILE] [more `trading node` options]
#   ROLE      trader (primary or standby), witness (the third vote, never trades) or worker (sweeps)
#   --config  the node's HOCON (default examples/cluster/ROLE.conf)
# TRADING_CLUSTER_ROLE is set to ROLE; every other variable passes through to the node: TRADING_CLUSTER_HOSTNAME,
# TRADING_CLUSTER_PUBLIC_HOSTNAME, TRADING_CLUSTER_PORT, TRADING_CLUSTER_SEEDS, TRADING_HEALTH_PORT,
# TRADING_HEALTH_HOSTNAME, TRADING_PG_CONNECTION (docs/DEPLOYMENT.md). The CLI is built once in Release by
# scripts/trading (rebuilt only when a source changed); TRADING_CLI names another command to run instead, e.g. a
# published /opt/trading/trading.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fail() { echo "error: start-node: $*" >&2; exit 1; }
role="${1:-}"
case "$role" in
  trader|witness|worker) shift ;;
  "") fail "usage: scripts/start-node.sh trader|witness|worker [--config FILE] [trading node options]" ;;
  *) fail "role '$role' must be trader, witness or worker" ;;
esac
config="$root/examples/cluster/$role.conf"
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) [[ $# -ge 2 ]] || fail "--config needs a file"; config="$2"; shift 2 ;;
    --config=*) config="${1#--config=}"; shift ;;
    *) extra+=("$1"); shift ;;
  esac
done
[[ -f "$config" ]] || fail "config '$config' not found (give one with --config FILE)"
export TRADING_CLUSTER_ROLE="$role"
cli="${TRADING_CLI:-$root/scripts/trading}"
echo "starting a $role node: $config" >&2
exec "$cli" node --config "$config" ${extra[@]+"${extra[@]}"}
