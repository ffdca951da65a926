#!/bin/sh
# What the tests need beyond Python: a headless Chromium, which the layout tests use to open
# report pages at phone width, and a PostgreSQL server, which the database tests start a
# throwaway copy of (tests/postgres_server.py). Installs the Debian packages that are missing
# when run as root; otherwise says what to do.
set -u
find_chromium() {
  if [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ]; then return 0; fi
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    command -v "$name" >/dev/null 2>&1 && return 0
  done
  return 1
}

# Debian keeps the server programs off PATH, in /usr/lib/postgresql/<version>/bin.
find_initdb() {
  if [ -n "${CUSTREPORT_PG_BIN:-}" ] && [ -x "$CUSTREPORT_PG_BIN/initdb" ]; then return 0; fi
  command -v initdb >/dev/null 2>&1 && return 0
  for bin in /usr/lib/postgresql/*/bin; do
    [ -x "$bin/initdb" ] && return 0
  done
  return 1
}

packages="" what=""
if ! find_chromium; then
  packages="chromium" what="Chromium (headless browser for the layout tests)"
fi
if ! find_initdb; then
  packages="$packages postgresql" what="${what:+$what and }PostgreSQL (server for the database tests)"
fi
if [ -z "$packages" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing $what ..."
  export DEBIAN_FRONTEND=noninteractive
  # $packages unquoted: one word per package
  apt-get update -qq >/dev/null && \
    apt-get install -y -qq --no-install-recommends $packages >/dev/null
  status=0
  if ! find_chromium; then
    echo "Chromium installation failed: run 'apt-get install chromium' and try again" >&2
    status=1
  fi
  if ! find_initdb; then
    echo "PostgreSQL installation failed: run 'apt-get install postgresql' and try again" >&2
    status=1
  fi
  exit $status
fi
if ! find_chromium; then
  echo "WARNING: no Chromium found, so the layout tests (tests/render/test_layout.py) will fail." >&2
  echo "         Install it as an administrator, e.g. 'sudo apt-get install chromium' (Debian/Ubuntu)" >&2
  echo "         or 'sudo dnf install chromium' (Fedora), or set CHROMIUM to a Chrome/Chromium binary." >&2
fi
if ! find_initdb; then
  echo "WARNING: no PostgreSQL server (initdb) found, so the database tests will fail: install it as an administrator, e.g. 'sudo apt-get install postgresql', or set CUSTREPORT_PG_BIN to the folder holding initdb, pg_ctl and postgres." >&2
fi
exit 0
