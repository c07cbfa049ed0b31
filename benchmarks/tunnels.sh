#!/usr/bin/env bash
# Tunnel benchmarks of the relay and of the proxy, each figure beside its baselines from the same run.
# One JVM load driver (TunnelDriver) and one WebSocket echo + HTTP service (EchoService), and between
# them, one after the other:
#   - nothing (direct to the service);
#   - the same two hops made by socat (socat TCP-LISTEN:…,fork,reuseaddr TCP:… chained twice): a C
#     byte relay, the practical limit of a user-space relay on this machine;
#   - Switchboard as a user runs it: the built distribution unzipped, relay server + client (or proxy
#     controller + agent) configured by files in etc/, bin/start with its default JVM settings, both
#     halves in one JVM and then each in a distribution of its own (two processes);
#   - for the relay, the base64-in-JSON "simple approach" (Base64Relay, benchmark code only).
# Figures: WebSocket echo with 10 connections x 16 messages in flight, 1 KiB and 64 KiB (messages/s,
# MB/s one way, p50/p99, CPU seconds per GB moved of the processes in between, from /proc); connect
# time; keep-alive HTTP GETs at 64 concurrent; heap per idle WebSocket at 1 000 (jcmd); for the proxy
# also one connection's MB/s and CPU at 100 idle connections. Prints one JSON line per figure, then a
# table: figure | baselines | goal | met?. Loopback only; every process it starts is stopped on exit.
#
# Switchboard is measured as a long-running server is used: each started distribution first carries
# traffic of every kind measured for --jit-warmup seconds (default 30, quick 10), not counted, so that
# the JIT has compiled its hot paths (a JVM's first seconds run interpreted and in C1: relayed HTTP
# measured 2 000 requests/s three seconds after start and 8 000 once warm). The baselines need none.
#
# Usage: benchmarks/tunnels.sh relay|proxy [--quick] [--only http|echo] [--jit-warmup SECONDS]
#   --quick: shorter runs; --only http: only the keep-alive HTTP GETs (direct, socat, 1 JVM);
#   --only echo: only the WebSocket echo figures, in one JVM, beside direct and socat (to iterate fast)
#   env: SWITCHBOARD_ZIP (default distribution/target/switchboard-<version>.zip),
#        DRIVER_OPTS (JVM options of the driver), RESULTS (also keep the JSON lines in this file)
set -euo pipefail

kind="${1:-}"
if [[ "$kind" != relay && "$kind" != proxy ]]; then
  echo "usage: $0 relay|proxy [--quick] [--only http|echo]" >&2; exit 2
fi
shift
quick=""; only=""; jit_warmup=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --only) only="${2:-}"; shift 2 ;;
    --jit-warmup) jit_warmup="${2:-}"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$only" in ""|http|echo) ;; *) echo "--only takes http or echo, got: $only" >&2; exit 2 ;; esac
repo="$(cd "$(dirname "$0")/.." && pwd)"
jar="$repo/benchmarks/target/switchboard-benchmarks.jar"
version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$repo/pom.xml")
zip="${SWITCHBOARD_ZIP:-$repo/distribution/target/switchboard-${version}.zip}"
driver_opts="${DRIVER_OPTS:--Xmx1g}"
warmup=3; seconds=8; connects=300; idle=1000; idle_cpu=30; jit_default=30
if [[ -n "$quick" ]]; then
  warmup=1; seconds=3; connects=100; idle=300; idle_cpu=10; jit_default=10
fi
jit_warmup="${jit_warmup:-$jit_default}"

work="$(mktemp -d)"
pids=()
cleanup() {
  # the launchers run bin/stop on SIGTERM; wait for them
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if [[ ! -f "$jar" || ! -f "$zip" ]]; then
  (cd "$repo" && mvn -B -q -ntp -pl benchmarks,distribution -am package -DskipTests)
fi
if ! command -v socat >/dev/null; then
  apt-get update -qq && apt-get install -y -qq socat >/dev/null
fi
source "$repo/benchmarks/bench-lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

java -Xmx512m -cp "$jar" dev.switchboard.benchmarks.EchoService >"$work/echo.log" 2>&1 &
pids+=("$!")
echo_port="$(field port "$(ready_line "$work/echo.log")")"

# socat: two hops, as the relay's server and client (or the proxy's controller and agent) make them
socat_far="$(free_port)"; socat_near="$(free_port)"
socat -b 131072 "TCP-LISTEN:$socat_far,bind=127.0.0.1,fork,reuseaddr,nodelay" "TCP:127.0.0.1:$echo_port,nodelay" &
socat_pids="$!"; pids+=("$!")
socat -b 131072 "TCP-LISTEN:$socat_near,bind=127.0.0.1,fork,reuseaddr,nodelay" "TCP:127.0.0.1:$socat_far,nodelay" &
socat_pids="$socat_pids,$!"; pids+=("$!")
await_port "$socat_far"; await_port "$socat_near"

if [[ "$kind" == relay && "$only" != http ]]; then
  java -Xmx512m -cp "$jar" dev.switchboard.benchmarks.Base64Relay --service "$echo_port" >"$work/base64.log" 2>&1 &
  pids+=("$!")
  base64_ready="$(ready_line "$work/base64.log")"
fi

# starts Switchboard with the tunnel in 1 or 2 processes; sets sb_launcher, sb_port, sb_pids
start_switchboard() {
  java -Xmx64m -cp "$jar" dev.switchboard.benchmarks.TunnelDistribution "$kind" --zip "$zip" \
    --service "$echo_port" --processes "$1" >"$work/switchboard-$1.log" 2>&1 &
  sb_launcher="$!"; pids+=("$!")
  local ready
  ready="$(ready_line "$work/switchboard-$1.log" 2400)"
  sb_port="$(field port "$ready")"; sb_pids="$(field pids "$ready")"
  warm_switchboard
}
# traffic of every kind measured, split over --jit-warmup seconds, its figures thrown away
warm_switchboard() {
  local share=$(( (jit_warmup + 2) / 3 ))
  [[ "$jit_warmup" -gt 0 ]] || return 0
  if [[ "$only" == http ]]; then
    driver_for "$jit_warmup" --scenario http --label warm-up --url "http://127.0.0.1:$sb_port/hello" >/dev/null
    return 0
  fi
  driver_for "$share" --scenario http --label warm-up --url "http://127.0.0.1:$sb_port/hello" >/dev/null
  driver_for "$share" --scenario echo --size 1024 --label warm-up --url "$(ws "$sb_port")" >/dev/null
  driver_for "$share" --scenario echo --size 65536 --label warm-up --url "$(ws "$sb_port")" >/dev/null
}
stop_switchboard() { kill "$sb_launcher"; wait "$sb_launcher" 2>/dev/null || true; }

driver() { driver_for "$seconds" "$@"; }
driver_for() { # seconds args...
  local for_seconds="$1"; shift
  # shellcheck disable=SC2086
  java $driver_opts -cp "$jar" dev.switchboard.benchmarks.TunnelDriver --warmup "$warmup" --seconds "$for_seconds" "$@"
}
ws() { echo "ws://127.0.0.1:$1/echo"; }

results="${RESULTS:-$work/results.jsonl}"
: >"$results"
echo "# $kind: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)," \
  "Switchboard warmed up for $jit_warmup s before it is measured" >&2
start_switchboard 1
one="$kind (1 JVM)"
declare -A port=([direct]="$echo_port" [socat]="$socat_near" ["$one"]="$sb_port")
declare -A pid=([direct]="" [socat]="$socat_pids" ["$one"]="$sb_pids")
if [[ "$only" == http ]]; then
  for label in direct socat "$one"; do
    driver --scenario http --label "$label" --url "http://127.0.0.1:${port[$label]}/hello"
  done | tee -a "$results"
  stop_switchboard
  python3 "$repo/benchmarks/tunnels-table.py" "$kind" "$results"
  exit 0
fi
{
  for size in 1024 65536; do
    for label in direct socat "$one"; do
      driver --scenario echo --size "$size" --label "$label" --url "$(ws "${port[$label]}")" --pid "${pid[$label]}"
    done
    if [[ "$kind" == relay ]]; then
      driver --scenario echo --size "$size" --label base64 --url "$(ws "$(field port "$base64_ready")")" \
        --pid "$(field pid "$base64_ready")"
    fi
  done
  if [[ "$kind" == proxy ]]; then
    for label in direct socat "$one"; do
      driver --scenario echo --size 65536 --connections 1 --label "$label" --url "$(ws "${port[$label]}")" \
        --pid "${pid[$label]}"
    done
  fi
  if [[ -z "$only" ]]; then
    for label in direct socat "$one"; do
      driver --scenario connect --count "$connects" --label "$label" --url "$(ws "${port[$label]}")"
      driver --scenario http --label "$label" --url "http://127.0.0.1:${port[$label]}/hello"
    done
    driver --scenario idle --connections "$idle" --label "$one" --url "$(ws "$sb_port")" --pid "$sb_pids"
    if [[ "$kind" == proxy ]]; then
      driver --scenario idle --connections 100 --cpu-seconds "$idle_cpu" --label "$one" --url "$(ws "$sb_port")" \
        --pid "$sb_pids"
    fi
  fi
} | tee -a "$results"
stop_switchboard

if [[ -z "$only" ]]; then
start_switchboard 2
two="$kind (2 processes)"
{
  for size in 1024 65536; do
    driver --scenario echo --size "$size" --label "$two" --url "$(ws "$sb_port")" --pid "$sb_pids"
  done
  driver --scenario connect --count "$connects" --label "$two" --url "$(ws "$sb_port")"
} | tee -a "$results"
stop_switchboard
fi

python3 "$repo/benchmarks/tunnels-table.py" "$kind" "$results"
