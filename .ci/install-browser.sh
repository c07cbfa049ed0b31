#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver (/usr/bin/chromium, /usr/bin/chromedriver) for the
# browser tests, when either is missing or their major versions differ. Idempotent and quiet:
# prints nothing when both are already there, one line after an install, and apt's whole output
# on stderr (exit code non-zero) when apt fails.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

major() { # first dotted version number in the input, major part only
  grep -oE '[0-9]+(\.[0-9]+)+' | head -n1 | cut -d. -f1
}
versions_match() {
  # Debian's /usr/bin/chromium is a shell wrapper that may print a harmless "[: ... unexpected
  # operator" on stderr (two /dev/shm mounts): ignore stderr.
  local b d
  b=$("$CHROMIUM" --version 2>/dev/null | major) || return 1
  d=$("$CHROMEDRIVER" --version 2>/dev/null | major) || return 1
  [ -n "$b" ] && [ "$b" = "$d" ]
}

if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ] && versions_match; then
  exit 0
fi

start=$(date +%s)
# One apt-get install for both, so chromium and chromium-driver come from the same suite and
# version (bookworm-security carries the current one, bookworm itself an older one).
bash "$(dirname "$0")/apt-install.sh" chromium chromium-driver

for bin in "$CHROMIUM" "$CHROMEDRIVER"; do
  if [ ! -x "$bin" ]; then
    echo "install-browser.sh: $bin is still missing after apt-get install" >&2
    exit 1
  fi
done
if ! versions_match; then
  echo "install-browser.sh: version mismatch: $("$CHROMIUM" --version 2>/dev/null) vs $("$CHROMEDRIVER" --version)" >&2
  exit 1
fi
echo "install-browser.sh: installed $("$CHROMIUM" --version 2>/dev/null) and ChromeDriver in $(( $(date +%s) - start )) s"
