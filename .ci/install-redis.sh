#!/usr/bin/env bash
# Installs Debian's redis-server for the cluster tests (they start it themselves on a free
# loopback port), when it is missing. Quiet when it is there, one line after an install.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
  exit 0
fi
start=$(date +%s)
bash "$(dirname "$0")/apt-install.sh" redis-server
# the tests start their own servers: the one the package runs as a service is not needed
service redis-server stop >/dev/null 2>&1 || true
echo "install-redis.sh: installed $(redis-server --version | cut -d' ' -f3) in $(( $(date +%s) - start )) s"
