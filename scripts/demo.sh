#!/usr/bin/env bash
# The main job on the bundled sample (real 2024 A-share data, see data/ashare-2024-sample/README.md):
# import it into an embedded store (.store/sample) and summarise the store. No server needed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
store="${STORE:-$root/.store/sample}"
trading="$root/scripts/trading"
"$trading" data import --format tushare --input "$root/data/ashare-2024-sample" --store "$store"
"$trading" data info --store "$store"
