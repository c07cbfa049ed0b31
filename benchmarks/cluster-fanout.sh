#!/usr/bin/env bash
# Cluster fan-out benchmark: Switchboard's channels endpoint on one node alone against three nodes
# sharing it through Redis (cluster = true, docs/cluster.md), in one run on this machine:
#   - fan-out: the same subscribers on one node, then spread over three nodes (the publishers on
#     node 1), at full speed and paced; deliveries/s in all and server CPU per delivery (for the
#     cluster: the three Karaf JVMs and redis-server together);
#   - latency at 5 000 messages/s: 2 subscribers of one topic on one node alone, then on nodes 2
#     and 3 with the publisher on node 1, so that every delivery crosses Redis (p50, p99).
# Every node is the built distribution unpacked and started with bin/start (ChannelsDistribution);
# redis-server runs on a free loopback port without persistence. Prints one JSON line per figure,
# then a summary. Every process it starts is stopped on exit.
#
# Usage: benchmarks/cluster-fanout.sh [--quick]
#   env: SWITCHBOARD_ZIP (default distribution/target/switchboard-<version>.zip),
#        DRIVER_OPTS (JVM options of the driver)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
jar="$repo/benchmarks/target/switchboard-benchmarks.jar"
version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$repo/pom.xml")
zip="${SWITCHBOARD_ZIP:-$repo/distribution/target/switchboard-${version}.zip}"
driver_opts="${DRIVER_OPTS:--Xmx2g}"
fanout_args=()
latency_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) fanout_args=(--messages 2000 --paced-seconds 2); latency_args=(--paced-seconds 2); shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if ! command -v redis-server >/dev/null; then
  echo "cluster-fanout.sh needs redis-server: bash .ci/install-redis.sh" >&2
  exit 2
fi

source "$repo/benchmarks/bench-lib.sh"
scratch_folder_stopped_on_exit
if [[ ! -f "$jar" || ! -f "$zip" ]]; then
  (cd "$repo" && mvn -B -q -ntp -pl benchmarks,distribution -am package -DskipTests)
fi

redis_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!; pids+=("$redis_pid")
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then break; fi
  sleep 0.1
done

# the launcher runs bin/start, prints the endpoint's port and the Karaf JVM's pid, and bin/stop when stopped
launch() {
  local label="$1"; shift
  java -Xmx64m -cp "$jar" dev.switchboard.benchmarks.ChannelsDistribution --zip "$zip" --max-connections 20000 "$@" \
    >"$work/$label.log" 2>&1 &
  pids+=("$!")
}
launch alone
for n in 1 2 3; do launch "node$n" --cluster "redis://127.0.0.1:$redis_port" --node-id "node$n"; done
declare -A port pid
for label in alone node1 node2 node3; do
  ready="$(ready_line "$work/$label.log" 3000)"
  port[$label]="$(field port "$ready")"
  pid[$label]="$(field pid "$ready")"
done
url() { echo "ws://127.0.0.1:${port[$1]}/"; }
cluster_pids="${pid[node1]},${pid[node2]},${pid[node3]},$redis_pid"

driver() {
  # shellcheck disable=SC2086
  java $driver_opts -cp "$jar" dev.switchboard.benchmarks.ChannelsFanoutDriver "$@"
}

results="$work/results.jsonl"
load() { echo "{\"loadAverage\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}"; }
{
  load
  driver --url "$(url alone)" --label one-node --scenario fanout --pid "${pid[alone]}" "${fanout_args[@]}"
  driver --url "$(url node1),$(url node2),$(url node3)" --label three-nodes --scenario fanout --pid "$cluster_pids" \
    "${fanout_args[@]}"
  driver --url "$(url alone)" --label one-node --scenario latency --pid "${pid[alone]}" "${latency_args[@]}"
  driver --url "$(url node2),$(url node3)" --publish-url "$(url node1)" --label three-nodes --scenario latency \
    --pid "$cluster_pids" "${latency_args[@]}"
  load
} | tee "$results"

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if '"server"' in line]
summary = {}
for r in rows:
    summary.setdefault(f"{r['scenario']} / {r['mode']}", {})[r['server']] = {
        'deliveredPerSecond': r['deliveredPerSecond'], 'lost': r['lost'], 'p50': r['latencyMs']['p50'],
        'p99': r['latencyMs']['p99'], 'serverCpuMicrosPerDelivery': r.get('serverCpuMicrosPerDelivery')}
for s in summary.values():
    one, three = s.get('one-node'), s.get('three-nodes')
    if one and three:
        three['throughputVsOneNode'] = round(three['deliveredPerSecond'] / one['deliveredPerSecond'], 2)
        if one['serverCpuMicrosPerDelivery'] and three['serverCpuMicrosPerDelivery']:
            three['cpuPerDeliveryVsOneNode'] = round(three['serverCpuMicrosPerDelivery'] / one['serverCpuMicrosPerDelivery'], 2)
        three['p50AddedMs'] = round(three['p50'] - one['p50'], 3)
        three['p99AddedMs'] = round(three['p99'] - one['p99'], 3)
print(json.dumps({'summary': summary}, indent=1))
PY
