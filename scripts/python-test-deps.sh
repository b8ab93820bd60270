#!/usr/bin/env bash
# Installs what the miniQMT bridge's tests need: Python 3.8 or newer (Debian's python3) for scripts/qmt_bridge.py and
# the fake xtquant (scripts/fakextquant); standard library only, nothing from pip.
# Idempotent: does nothing when python3 is there. Needs root (apt-get), or sudo.
# Usage: scripts/python-test-deps.sh
set -euo pipefail
have_python() { command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)'; }

if have_python; then
  echo "python-test-deps: $(python3 --version) present"
  exit 0
fi
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
apt_install python-test-deps python3
if ! have_python; then
  echo "error: python-test-deps: apt-get finished but python3 (>= 3.8) is missing" >&2
  exit 1
fi
echo "python-test-deps: $(python3 --version) installed"
