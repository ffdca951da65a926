#!/bin/sh
# What the tests need beyond Python: a headless Chromium, which the layout tests use to open
# report pages at phone width. Installs the Debian package when run as root; otherwise says what to do.
set -u
find_chromium() {
  if [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ]; then return 0; fi
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    command -v "$name" >/dev/null 2>&1 && return 0
  done
  return 1
}

if find_chromium; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Chromium (headless browser for the layout tests) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && \
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
  if find_chromium; then exit 0; fi
  echo "Chromium installation failed: run 'apt-get install chromium' and try again" >&2
  exit 1
fi
echo "WARNING: no Chromium found, so the layout tests (tests/render/test_layout.py) will fail." >&2
echo "         Install it as an administrator, e.g. 'sudo apt-get install chromium' (Debian/Ubuntu)" >&2
echo "         or 'sudo dnf install chromium' (Fedora), or set CHROMIUM to a Chrome/Chromium binary." >&2
exit 0
