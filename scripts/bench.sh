#!/usr/bin/env bash
# End-to-end benchmarks; rewrites BENCHMARKS.md with the numbers and the command that produced them, keeping the
# runs recorded by hand below its marker line ("## Recorded runs and notes").
# Usage: scripts/bench.sh [--runs N] [--micro] [--failover N]
#   --micro adds the BenchmarkDotNet rule benchmarks (~3 min); --failover N runs issue 14's cluster failover driver for
#   N trials (~40 s each: 100 trials ≈ 70 min; its section is then regenerated with the rest).
# The order path's PostgreSQL row uses TRADING_PG_CONNECTION when set, else a throwaway server (scripts/postgres-test.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; micro=0; failover=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --micro) micro=1; shift ;;
    --failover) failover="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out="$root/.build/bench"
dotnet build "$root/bench/Trading.Bench/Trading.Bench.csproj" -c Release -o "$out" --nologo -v quiet -clp:ErrorsOnly >&2
bench() { dotnet "$out/Trading.Bench.dll" "$@"; }
# The order path with the PostgreSQL journal runs against a throwaway local server (fsync on, as a node's would be).
if [[ -z "${TRADING_PG_CONNECTION:-}" ]]; then
  export TRADING_PG_SLOT=bench
  "$root/scripts/postgres-test.sh" stop >/dev/null # a server left by an interrupted run
  "$root/scripts/postgres-test.sh" start >&2
  trap '"$root/scripts/postgres-test.sh" stop >&2' EXIT
  eval "$("$root/scripts/postgres-test.sh" env)"
fi
export TRADING_PG_CONNECTION
tmp="$(mktemp)"
{
  echo "# Benchmarks"
  echo
  echo "Produced by \`scripts/bench.sh --runs $runs$([[ $micro == 1 ]] && echo ' --micro')\` on $(date -u +%Y-%m-%d) at commit $(git -C "$root" rev-parse --short HEAD)."
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(dotnet --version) SDK, $(uname -sr)."
  echo "Each measurement runs in its own process (time from a Stopwatch around the work, peak memory = VmHWM of that process);"
  echo "every target is shown beside a baseline measured in the same run, because this machine is shared and noisy."
  echo
  echo "## Trading.Data (issue 2)"
  echo
  bench import-sample --runs "$runs"
  bench panel-load --runs "$runs"
  echo "## Trading.Runtime and Trading.Backtest (issue 4)"
  echo
  bench backtest-scale --runs 3
  bench backtest-optimised --runs 3
  bench research-loop --runs "$runs"
  bench order-path --orders 100000 --sqlite-orders 10000 --pg-orders 10000
  bench recovery --days 41 --orders-per-day 5000 --runs "$runs"
  echo "## The miniQMT channel (issue 12)"
  echo
  "$root/scripts/python-test-deps.sh" >&2
  bench bridge-path --orders 1000 --warmup 100
  echo "## TuShare refresh (issue 13)"
  echo
  bench tushare-fetch --symbols 5000 --rate 500 --trading "$root/scripts/trading"
  bench tushare-fetch --symbols 5000 --days 20 --rate 500 --trading "$root/scripts/trading"
  "$root/scripts/trading" data import --format tushare --input "$root/data/ashare-2024-sample" --store "$root/.store/sample" >/dev/null
  bench research --sample-store "$root/.store/sample"
  echo "## Web dashboard (issue 15)"
  echo
  "$root/scripts/browser-test-deps.sh" >&2
  bench dashboard-load --clients 10 --rate 50 --seconds 60 --marks 2
  if [[ $failover -gt 0 ]]; then
    echo "## Cluster failover (issue 14)"
    echo
    dotnet build "$root/src/Trading.Node/Trading.Node.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
    bench failover --trials "$failover" --trading "$root/src/Trading.Node/bin/Release/net10.0/trading.dll" --out "$root/.build/failover.csv"
  fi
  if [[ $micro == 1 ]]; then
    echo "### Rule checks (BenchmarkDotNet, ShortRun)"
    echo
    echo "Command: \`dotnet .build/bench/Trading.Bench.dll micro --filter '*' --job short\`"
    echo
    bench micro --filter '*' --job short --exporters github >&2
    cat "$PWD/BenchmarkDotNet.Artifacts/results/Trading.Bench.RuleBenchmarks-report-github.md"
    echo
  fi
} > "$tmp"
# Runs recorded by hand (the kill -9 tallies, long fault-injection runs, first measurements) live below a marker line
# in BENCHMARKS.md; a regenerated file keeps them as they are.
marker='<!-- scripts/bench.sh keeps everything below this line'
if [[ -f "$root/BENCHMARKS.md" ]] && grep -qF "$marker" "$root/BENCHMARKS.md"; then
  { echo; sed -n "/^${marker//\//\\/}/,\$p" "$root/BENCHMARKS.md"; } >> "$tmp"
fi
mv "$tmp" "$root/BENCHMARKS.md"
cat "$root/BENCHMARKS.md"
