#!/usr/bin/env bash
# The main job on the bundled sample (real 2024 A-share data, see data/ashare-2024-sample/README.md):
# import it into an embedded store (.store/sample), summarise it, then backtest the bundled momentum +
# multi-factor strategy (examples/momentum-multifactor.conf) through the actor runtime into out/demo.
# No server needed: the store is Parquet files, the backtest journal is in memory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
store="${STORE:-$root/.store/sample}"
out="${OUT:-$root/out/demo}"
trading="$root/scripts/trading"
"$trading" data import --format tushare --input "$root/data/ashare-2024-sample" --store "$store"
"$trading" data info --store "$store"
"$trading" backtest --config "$root/examples/momentum-multifactor.conf" --store "$store" --out "$out"
