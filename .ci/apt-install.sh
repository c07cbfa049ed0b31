#!/usr/bin/env bash
# apt-get installs the packages named, without recommends, quietly: nothing on stdout, apt's whole
# output on stderr (exit code non-zero) when apt fails. The install scripts beside it call this.
set -euo pipefail

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -q \
       && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "$@"; } \
       >"$log" 2>&1; then
  echo "apt-install.sh: apt-get install $* failed; its output follows" >&2
  cat "$log" >&2
  exit 1
fi
