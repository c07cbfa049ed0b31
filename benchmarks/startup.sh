#!/usr/bin/env bash
# Startup benchmark: seconds from bin/start until every configured endpoint is ONLINE and the Web
# Console answers (the ready check reads the endpoints' states from the Web Console's own
# /system/console/switchboard.json, with the admin credentials), and the process RSS once it is,
# for Switchboard's distribution; beside stock Apache Karaf of the same version
# (org.apache.karaf:apache-karaf zip from Maven Central) started the same way, ready when its boot
# features are done and its ssh port answers; and, when BASELINE_ZIP names an earlier build of the
# distribution, that build too: every figure beside its baseline from one run. Each run starts a
# fresh unpacked copy (a first start, as a user's) and then restarts it once (a warm start, bundle
# cache in place). Free loopback ports for every listener; every process it starts is stopped on exit.
# Also the CPU seconds the JVM used until ready, a figure other load on the machine hardly moves,
# and the load average at each start (wall times measured under load are not comparable).
# Prints one JSON line per run, a summary line per distribution, then a table: each figure's median
# beside the baselines and the goal.
#
# Usage: benchmarks/startup.sh [runs]       (default 5)
#   env: SWITCHBOARD_ZIP (default distribution/target/switchboard-<version>.zip, built if missing)
#        BASELINE_ZIP    (optional: an earlier distribution zip, measured as "switchboard-baseline")
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$repo/pom.xml")
karaf_version=$(sed -n 's:.*<karaf.version>\(.*\)</karaf.version>.*:\1:p' "$repo/pom.xml")
zip="${SWITCHBOARD_ZIP:-$repo/distribution/target/switchboard-${version}.zip}"
work="$(mktemp -d)"
homes=()

cleanup() {
  local pid
  for home in "${homes[@]}"; do
    pid=$(cat "$home/karaf.pid" 2>/dev/null) || continue
    # only while that pid is still this home's JVM: a stopped run's pid may be reused by now
    grep -qF -- "$home" "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

if [[ ! -f "$zip" ]]; then
  (cd "$repo" && mvn -B -q -ntp package -DskipTests -pl distribution -am)
fi
stock="$HOME/.m2/repository/org/apache/karaf/apache-karaf/$karaf_version/apache-karaf-$karaf_version.zip"
if [[ ! -f "$stock" ]]; then
  mvn -B -q -ntp dependency:get -Dartifact="org.apache.karaf:apache-karaf:$karaf_version:zip" -Dtransitive=false
fi

now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
set_key() { # file key value: replace "key = ..." (any spacing)
  sed -i "s|^[[:space:]]*$2[[:space:]]*=.*|$2 = $3|" "$1"
}
rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
# CPU seconds (user + system) the process used so far: unlike wall time, barely moved by other load
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

unpack() { # zip -> prints the home folder
  local dir
  dir="$(mktemp -d "$work/run-XXXX")"
  unzip -q "$1" -d "$dir"
  echo "$dir/$(ls "$dir")"
}

switchboard_ports() {
  local home="$1"
  set_key "$home/etc/org.ops4j.pax.web.cfg" org.osgi.service.http.port "$(free_port)"
  set_key "$home/etc/org.apache.karaf.shell.cfg" sshPort "$(free_port)"
  for cfg in "$home"/etc/dev.switchboard.*.cfg; do
    grep -q '^port' "$cfg" && set_key "$cfg" port "$(free_port)"
  done
  return 0
}

stock_ports() {
  local home="$1"
  set_key "$home/etc/org.apache.karaf.shell.cfg" sshPort "$(free_port)"
  set_key "$home/etc/org.apache.karaf.shell.cfg" sshHost 127.0.0.1
  set_key "$home/etc/org.apache.karaf.management.cfg" rmiRegistryPort "$(free_port)"
  set_key "$home/etc/org.apache.karaf.management.cfg" rmiServerPort "$(free_port)"
}

# the Web Console answers, and every endpoint configured in etc/ (not gateways) is ONLINE in its JSON view
switchboard_ready() {
  local home="$1" port password expected json all online
  port=$(sed -n 's/^org.osgi.service.http.port = //p' "$home/etc/org.ops4j.pax.web.cfg")
  password=$(sed -n 's/^admin = \([^,]*\),.*/\1/p' "$home/etc/users.properties")
  expected=$(ls "$home"/etc/dev.switchboard.*.cfg | grep -vc 'dev.switchboard.gateway-' || true)
  json=$(curl -sf -m 2 -u "admin:$password" "http://127.0.0.1:$port/system/console/switchboard.json" 2>/dev/null) \
    || return 1
  # grep, not a JSON parser, to keep each poll cheap: count endpoint states and ONLINE ones
  all=$(grep -o '"state":"[A-Z]*"' <<<"$json" | wc -l)
  online=$(grep -o '"state":"ONLINE"' <<<"$json" | wc -l)
  [[ "$all" -ge "$expected" && "$online" -eq "$all" ]]
}

stock_ready() {
  local home="$1" port
  port=$(sed -n 's/^sshPort = //p' "$home/etc/org.apache.karaf.shell.cfg")
  grep -q 'FeaturesServiceImpl.*| Done\.' "$home/data/log/karaf.log" 2>/dev/null \
    && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# start -> seconds until ready, then CPU seconds used by then, RSS and the 1-minute load average at
# the start; prints "seconds cpu rss_mb load"
measure() {
  local home="$1" ready="$2" t0 t1 pid cpu load
  load=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(now)
  "$home/bin/start" >/dev/null 2>&1
  for _ in $(seq 1 1200); do
    "$ready" "$home" && break
    sleep 0.05
  done
  t1=$(now)
  "$ready" "$home" || { echo "not ready after 60 s: $home" >&2; exit 1; }
  pid=$(cat "$home/karaf.pid")
  cpu=$(cpu_seconds "$pid")
  sleep 2 # let startup work (JIT, deferred activations) settle before reading RSS
  echo "$(echo "$t1 - $t0" | bc) $cpu $(rss_mb "$pid") $load"
}

stop() {
  local home="$1" pid
  pid=$(cat "$home/karaf.pid")
  "$home/bin/stop" >/dev/null 2>&1
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

run_once() { # run name zip ports-function ready-function: one first and one warm start, one JSON line
  local i="$1" name="$2" archive="$3" ports="$4" ready="$5" first warm home out f_s f_cpu f_rss f_load w_s w_cpu w_rss w_load
  home=$(unpack "$archive"); homes+=("$home")
  "$ports" "$home"
  out=$(measure "$home" "$ready"); stop "$home"
  first="$out"
  out=$(measure "$home" "$ready"); stop "$home"
  warm="$out"
  read -r f_s f_cpu f_rss f_load <<<"$first"
  read -r w_s w_cpu w_rss w_load <<<"$warm"
  printf '{"distribution":"%s","run":%d,"firstStartSeconds":%s,"firstStartCpuSeconds":%s,"firstStartRssMb":%s,"firstStartLoad":%s,"warmStartSeconds":%s,"warmStartCpuSeconds":%s,"warmStartRssMb":%s,"warmStartLoad":%s}\n' \
    "$name" "$i" "$f_s" "$f_cpu" "$f_rss" "$f_load" "$w_s" "$w_cpu" "$w_rss" "$w_load" | tee -a "$work/$name.jsonl"
  rm -rf "$(dirname "$home")"
}

summary() { # name: median, min and max of each figure over the runs
  local name="$1"
  python3 - "$work/$name.jsonl" "$name" <<'PY' | tee -a "$work/summaries.jsonl"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def s(k): return {"median": statistics.median(r[k] for r in rows), "min": min(r[k] for r in rows), "max": max(r[k] for r in rows)}
print(json.dumps({"summary": sys.argv[2], "runs": len(rows), **{k: s(k) for k in
      ["firstStartSeconds", "firstStartCpuSeconds", "firstStartRssMb", "firstStartLoad",
       "warmStartSeconds", "warmStartCpuSeconds", "warmStartRssMb", "warmStartLoad"]}}))
PY
}

# one row per figure: Switchboard's median beside each baseline's and the goal
table() {
  python3 - "$work/summaries.jsonl" <<'PY'
import json, sys
rows = {r["summary"]: r for r in map(json.loads, open(sys.argv[1]))}
names = list(rows)
goals = {"firstStartSeconds": 2.0, "firstStartRssMb": 128, "warmStartRssMb": 128}
print("| figure (median, min-max) | " + " | ".join(names) + " | goal |")
print("|---" * (len(names) + 2) + "|")
for k in ["firstStartSeconds", "firstStartCpuSeconds", "firstStartRssMb", "warmStartSeconds",
          "warmStartCpuSeconds", "warmStartRssMb", "firstStartLoad", "warmStartLoad"]:
    cells = ["%g (%g-%g)" % (rows[n][k]["median"], rows[n][k]["min"], rows[n][k]["max"]) for n in names]
    goal = goals.get(k)
    met = "" if goal is None else "<= %g: %s" % (goal, "met" if rows["switchboard"][k]["median"] <= goal else "NOT met")
    print("| %s | %s | %s |" % (k, " | ".join(cells), met))
PY
}

echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)" >&2
stock_name="apache-karaf-$karaf_version"
names=(switchboard)
[[ -n "${BASELINE_ZIP:-}" ]] && names+=(switchboard-baseline)
names+=("$stock_name")
# interleaved, so that the distributions share whatever load the machine has
for i in $(seq 1 "$runs"); do
  run_once "$i" switchboard "$zip" switchboard_ports switchboard_ready
  [[ -n "${BASELINE_ZIP:-}" ]] && run_once "$i" switchboard-baseline "$BASELINE_ZIP" switchboard_ports switchboard_ready
  run_once "$i" "$stock_name" "$stock" stock_ports stock_ready
done
for name in "${names[@]}"; do summary "$name"; done
table
