#!/usr/bin/env bash
# Channels fan-out benchmark: the same JVM load driver against
#   - its own ceiling (an in-process raw NIO fan-out server),
#   - the Node reference server of the topic-channel protocol (benchmarks/node-reference/, Node and
#     the `ws` library, its dependencies installed by `npm ci` into a scratch copy),
#   - Switchboard as a user runs it: the built distribution zip unpacked, a channels endpoint
#     configured by etc/dev.switchboard.channels-bench.cfg, bin/start with the distribution's
#     default JVM settings, bin/stop at the end (ChannelsDistribution),
# one after the other in one run on this machine. Prints one JSON line per figure, then a summary.
# Loopback only; every process it starts is stopped on exit.
#
# Usage: benchmarks/channels-fanout.sh [--quick] [--only fanout|idle]
#   --only runs one scenario (with Node's figure beside it); the driver ceiling goes with fanout
#   env: PEERS (the Node reference's folder, default benchmarks/node-reference),
#        SWITCHBOARD_ZIP (default distribution/target/switchboard-<version>.zip),
#        BASELINE_ZIP (optional: an earlier build, measured the same way in the same run as
#        "switchboard-before", so that a change's effect is read beside Node's),
#        DRIVER_OPTS (JVM options of the driver)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
peers="${PEERS:-$repo/benchmarks/node-reference}"
jar="$repo/benchmarks/target/switchboard-benchmarks.jar"
version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$repo/pom.xml")
zip="${SWITCHBOARD_ZIP:-$repo/distribution/target/switchboard-${version}.zip}"
driver_opts="${DRIVER_OPTS:--Xmx2g}"
fanout_args=()
idle_connections=10000
only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) fanout_args=(--messages 2000 --paced-seconds 2); idle_connections=2000; shift ;;
    --only) only="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$only" in ""|fanout|idle) ;; *) echo "--only takes fanout or idle, got: $only" >&2; exit 2 ;; esac
runs() { [[ -z "$only" || "$only" == "$1" ]]; }

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if [[ ! -f "$jar" || ! -f "$zip" ]]; then
  (cd "$repo" && mvn -B -q -ntp -pl benchmarks,distribution -am package -DskipTests)
fi

# the reference's dependencies go into a scratch copy: the source tree stays clean
mkdir -p "$work/peers" && cp -r "$peers/." "$work/peers/"
rm -rf "$work/peers/node_modules"
(cd "$work/peers" && npm ci --no-audit --no-fund --silent >/dev/null)

source "$repo/benchmarks/bench-lib.sh"

node "$work/peers/channel-server-reference.mjs" --port 0 --host 127.0.0.1 --max 20000 --quiet >"$work/node.log" 2>&1 &
node_pid=$!; pids+=("$node_pid")
node_port="$(field port "$(ready_line "$work/node.log")")"

# the launcher runs bin/start, prints the endpoint's port and the Karaf JVM's pid, and bin/stop when stopped
launch() {
  java -Xmx64m -cp "$jar" dev.switchboard.benchmarks.ChannelsDistribution --zip "$1" --max-connections 20000 \
    >"$work/$2.log" 2>&1 &
  pids+=("$!")
}
launch "$zip" switchboard
if [[ -n "${BASELINE_ZIP:-}" ]]; then launch "$BASELINE_ZIP" switchboard-before; fi
sb_ready="$(ready_line "$work/switchboard.log" 1200)"
sb_port="$(field port "$sb_ready")"
sb_pid="$(field pid "$sb_ready")"
if [[ -n "${BASELINE_ZIP:-}" ]]; then
  before_ready="$(ready_line "$work/switchboard-before.log" 1200)"
  before_port="$(field port "$before_ready")"
  before_pid="$(field pid "$before_ready")"
fi

driver() {
  # shellcheck disable=SC2086
  java $driver_opts -cp "$jar" dev.switchboard.benchmarks.ChannelsFanoutDriver "$@"
}

results="$work/results.jsonl"
load() { echo "{\"loadAverage\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}"; }
{
  load
  if runs fanout; then
    driver --ceiling --label driver-ceiling --scenario fanout "${fanout_args[@]}"
    driver --url "ws://127.0.0.1:$node_port/" --label node --scenario fanout --pid "$node_pid" "${fanout_args[@]}"
    if [[ -n "${BASELINE_ZIP:-}" ]]; then
      driver --url "ws://127.0.0.1:$before_port/" --label switchboard-before --scenario fanout --pid "$before_pid" \
        "${fanout_args[@]}"
    fi
    driver --url "ws://127.0.0.1:$sb_port/" --label switchboard --scenario fanout --pid "$sb_pid" "${fanout_args[@]}"
  fi
  if runs idle; then
    driver --url "ws://127.0.0.1:$node_port/" --label node --scenario idle --pid "$node_pid" \
      --connections "$idle_connections"
    if [[ -n "${BASELINE_ZIP:-}" ]]; then
      driver --url "ws://127.0.0.1:$before_port/" --label switchboard-before --scenario idle --pid "$before_pid" \
        --heap jcmd --connections "$idle_connections"
    fi
    driver --url "ws://127.0.0.1:$sb_port/" --label switchboard --scenario idle --pid "$sb_pid" \
      --heap jcmd --connections "$idle_connections"
  fi
} | tee "$results"

# summary: Switchboard (and its baseline build) against Node, per scenario and mode; the load average
# tells how busy the machine was (other work inflates every figure, the ratios less)
load | tee -a "$results"
node --input-type=module - "$results" <<'JS'
import fs from 'node:fs';
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.server);
const key = (r) => `${r.scenario} / ${r.mode ?? 'idle'}`;
const summary = {};
for (const r of rows) {
  const s = (summary[key(r)] ??= {});
  s[r.server] = r.deliveredPerSecond !== undefined
    ? { deliveredPerSecond: r.deliveredPerSecond, p50: r.latencyMs.p50, p99: r.latencyMs.p99, lost: r.lost,
        serverCpuMicrosPerDelivery: r.serverCpuMicrosPerDelivery,
        serverSystemCpuMicrosPerDelivery: r.serverSystemCpuMicrosPerDelivery }
    : { open: r.open, rssPerConnectionKiB: r.rssPerConnectionKiB, heapPerConnectionKiB: r.heapPerConnectionKiB };
}
const ratio = (a, b) => Math.round((a / b) * 100) / 100;
for (const s of Object.values(summary)) {
  for (const name of ['switchboard-before', 'switchboard']) {
    const sb = s[name];
    if (sb?.deliveredPerSecond && s.node?.deliveredPerSecond) {
      sb.throughputVsNode = ratio(sb.deliveredPerSecond, s.node.deliveredPerSecond);
      sb.p99VsNode = ratio(sb.p99, s.node.p99);
      sb.cpuPerDeliveryVsNode = ratio(sb.serverCpuMicrosPerDelivery, s.node.serverCpuMicrosPerDelivery);
    }
  }
}
console.log(JSON.stringify({ summary }, null, 1));
JS
