#!/bin/sh
# Chinese fonts for charts and PDFs, and HarfBuzz's subsetter so WeasyPrint embeds
# them quickly. Installs Debian packages when run as root; otherwise says what to do.
set -u
has_cjk() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -q .; }
has_subset() { ls /usr/lib/*/libharfbuzz-subset.so.0 >/dev/null 2>&1; }

if has_cjk && has_subset; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Chinese fonts (fonts-noto-cjk) and libharfbuzz-subset0 ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && \
    apt-get install -y -qq --no-install-recommends fonts-noto-cjk libharfbuzz-subset0 fontconfig >/dev/null && \
    fc-cache -f >/dev/null 2>&1
  if has_cjk; then exit 0; fi
  echo "font installation failed: run 'apt-get install fonts-noto-cjk libharfbuzz-subset0' and try again" >&2
  exit 1
fi
if ! has_cjk; then
  echo "WARNING: no Chinese font found, so Chinese text in charts and PDFs will show as boxes." >&2
  echo "         Install one as an administrator, e.g. 'sudo apt-get install fonts-noto-cjk libharfbuzz-subset0'" >&2
  echo "         (Debian/Ubuntu), 'sudo dnf install google-noto-sans-cjk-fonts' (Fedora), or Noto Sans CJK SC." >&2
fi
exit 0
