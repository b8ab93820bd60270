#!/usr/bin/env bash
# Installs what the real-browser tests of the HTML report need: Debian's Chromium (/usr/bin/chromium) and a CJK
# font (fonts-noto-cjk: Noto Sans CJK SC, the report's Linux face for Chinese names — without it they show as boxes,
# and BrowserRenderTests.Chinese_names_are_drawn_with_a_cjk_font fails).
# Idempotent: does nothing when both are there. Needs root (apt-get), or sudo.
# Usage: scripts/browser-test-deps.sh
set -euo pipefail
have_chromium() { [[ -x /usr/bin/chromium ]]; }
have_cjk_font() { command -v fc-list >/dev/null 2>&1 && fc-list ':lang=zh' family 2>/dev/null | grep -qi 'Noto Sans CJK'; }

if have_chromium && have_cjk_font; then
  echo "browser-test-deps: /usr/bin/chromium present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown')), Noto Sans CJK present"
  exit 0
fi

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
apt_install browser-test-deps chromium fonts-noto-cjk fontconfig
if ! have_chromium; then
  echo "error: browser-test-deps: apt-get finished but /usr/bin/chromium is missing" >&2
  exit 1
fi
if ! have_cjk_font; then
  echo "error: browser-test-deps: apt-get finished but fontconfig lists no Noto Sans CJK font" >&2
  exit 1
fi
echo "browser-test-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) at /usr/bin/chromium, Noto Sans CJK installed"
