#!/usr/bin/env bash
# Installs what the real-browser tests of the HTML report need: Debian's Chromium (/usr/bin/chromium).
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root (apt-get), or sudo.
# The tests (tests/Trading.Reporting.Tests/Html/BrowserRenderTests.cs) fail, naming this script, without it.
# Usage: scripts/browser-test-deps.sh [--cjk-fonts]   (--cjk-fonts also installs fonts-noto-cjk, so that Chinese
#        names show in screenshots and PDFs; the tests do not need it)
set -euo pipefail
packages=(chromium)
[[ "${1:-}" == "--cjk-fonts" ]] && packages+=(fonts-noto-cjk)

if [[ -x /usr/bin/chromium && ${#packages[@]} -eq 1 ]]; then
  echo "browser-test-deps: /usr/bin/chromium present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

as_root=()
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "error: browser-test-deps: installing Debian's chromium needs root (apt-get); rerun as root" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q "${packages[@]}"
if [[ ! -x /usr/bin/chromium ]]; then
  echo "error: browser-test-deps: apt-get finished but /usr/bin/chromium is missing" >&2
  exit 1
fi
echo "browser-test-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) at /usr/bin/chromium"
