#!/usr/bin/env bash
# Checks that the C libraries the package links (OpenBLAS, libpng, Cairo, cmark-gfm with its
# GFM extensions) are visible to pkg-config or by their headers. When one is missing: installs
# the Debian packages given as arguments if running as root, otherwise prints the exact
# command and exits non-zero.
set -euo pipefail
missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
for pc in openblas libpng cairo; do
  pkg-config --exists "$pc" 2>/dev/null || missing+=("$pc")
done
# cmark-gfm: Debian's libcmark-gfm.pc (libcmark-gfm-dev) and the extensions' header
# (libcmark-gfm-extensions-dev, which ships no .pc file of its own).
pkg-config --exists libcmark-gfm 2>/dev/null || [ -f /usr/include/cmark-gfm.h ] || missing+=(libcmark-gfm)
[ -f /usr/include/cmark-gfm-core-extensions.h ] || missing+=(libcmark-gfm-extensions)
fc-list 2>/dev/null | grep -qi "DejaVu Sans" || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "missing: ${missing[*]}" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@"
else
  echo "install them with:  sudo apt-get install -y $*" >&2
  exit 1
fi
