"""The summary of tunnels.sh: its JSON lines as a table, figure | baselines | goal | met?

Usage: python3 tunnels-table.py relay|proxy results.jsonl
Each figure is given with the 1-minute load average at the moment it was taken.
"""
import json
import sys

kind, path = sys.argv[1], sys.argv[2]
rows = [json.loads(line) for line in open(path) if line.startswith("{")]
one, two = f"{kind} (1 JVM)", f"{kind} (2 processes)"


def find(target, scenario, **match):
    for r in rows:
        if r["target"] == target and r["scenario"] == scenario and all(r.get(k) == v for k, v in match.items()):
            return r
    return None


def load(r):
    return r["loadAverage"].split()[0] if r else "?"


def echo_text(r):
    if not r:
        return "—"
    text = f'{r["messagesPerSecond"]:,} msg/s, {r["mbPerSecond"]:.1f} MB/s, p50 {r["p50Ms"]:.2f} / p99 {r["p99Ms"]:.2f} ms'
    if "cpuSecondsPerGB" in r:
        text += f', {r["cpuSecondsPerGB"]:.2f} CPU s/GB'
    return text + f' (load {load(r)})'


def verdict(ok):
    return "—" if ok is None else ("yes" if ok else "**no**")


table = []


def row(figure, ours, baselines, goal, ok):
    table.append((figure, ours, baselines, goal, verdict(ok)))


def ratio(a, b):
    return a / b if a is not None and b else None


for size, label in ((1024, "1 KiB"), (65536, "64 KiB")):
    direct, socat = find("direct", "echo", size=size, connections=10), find("socat", "echo", size=size, connections=10)
    base64 = find("base64", "echo", size=size)
    for target in (one, two):
        r = find(target, "echo", size=size, connections=10)
        if not r:
            continue
        baselines = f"direct: {echo_text(direct)}<br>socat: {echo_text(socat)}"
        if base64:
            baselines += f"<br>base64: {echo_text(base64)}"
        share = 0.8 if kind == "proxy" and size == 65536 else 1.0
        vs = ratio(r["messagesPerSecond"], socat and socat["messagesPerSecond"])
        goal = f"≥ {share:.0%} of socat's msg/s" if share < 1 else "≥ socat's msg/s"
        row(f"WebSocket echo {label}, {target}", echo_text(r), baselines,
            f"{goal} (is {vs:.2f}×)" if vs else goal, vs is not None and vs >= share)
        if kind == "relay":
            cpu = ratio(r.get("cpuSecondsPerGB"), socat and socat.get("cpuSecondsPerGB"))
            row(f"CPU per GB {label}, {target}", f'{r.get("cpuSecondsPerGB", "?")} s/GB',
                f'socat {socat and socat.get("cpuSecondsPerGB")} s/GB', f"≤ socat's (is {cpu:.2f}×)" if cpu else "≤ socat's",
                cpu is not None and cpu <= 1.0)
            b = ratio(r["messagesPerSecond"], base64 and base64["messagesPerSecond"])
            if b:
                row(f"vs base64 {label}, {target}", f'{r["messagesPerSecond"]:,} msg/s',
                    f'base64 {base64["messagesPerSecond"]:,} msg/s', f"≥ 2× (is {b:.2f}×)", b >= 2)

if kind == "proxy":
    single = find(one, "echo", connections=1)
    d1, s1 = find("direct", "echo", connections=1), find("socat", "echo", connections=1)
    if single:
        row(f"one connection, 64 KiB × 16 in flight, {one}", echo_text(single),
            f"direct: {echo_text(d1)}<br>socat: {echo_text(s1)}", "≥ 50 MB/s", single["mbPerSecond"] >= 50)

direct_connect = find("direct", "connect")
for target in (one, two):
    r = find(target, "connect")
    if r and direct_connect:
        added = r["p50Ms"] - direct_connect["p50Ms"]
        socat = find("socat", "connect")
        row(f"connect time p50, {target}", f'{r["p50Ms"]:.2f} ms (p99 {r["p99Ms"]:.2f}; load {load(r)})',
            f'direct {direct_connect["p50Ms"]:.2f} ms (p99 {direct_connect["p99Ms"]:.2f}; load {load(direct_connect)})'
            + (f'<br>socat {socat["p50Ms"]:.2f} ms' if socat else ""),
            f"added ≤ 2 ms (is {added:.2f})", added <= 2)

http, direct_http, socat_http = find(one, "http"), find("direct", "http"), find("socat", "http")
if http and direct_http:
    share = http["requestsPerSecond"] / direct_http["requestsPerSecond"]
    stuck = f', {http["waitingOverOneSecond"]} of {http["connections"]} connections left waiting' \
        if http.get("waitingOverOneSecond") else ""
    row(f"keep-alive HTTP GETs, 64 concurrent, {one}",
        f'{http["requestsPerSecond"]:,} req/s, p50 {http["p50Ms"]:.2f} / p99 {http["p99Ms"]:.2f} ms{stuck} (load {load(http)})',
        f'direct {direct_http["requestsPerSecond"]:,} req/s (load {load(direct_http)})'
        + (f'<br>socat {socat_http["requestsPerSecond"]:,} req/s' if socat_http else ""),
        f"≥ 60 % of direct (is {share:.0%})" if kind == "relay" else f"— (is {share:.0%} of direct)",
        share >= 0.6 if kind == "relay" else None)

idle = next((r for r in rows if r["target"] == one and r["scenario"] == "idle" and "heapPerConnectionKiB" in r
             and r["connections"] >= 300), None)
if idle:
    limit = 16 if kind == "relay" else 8
    row(f'heap per idle WebSocket at {idle["connections"]:,} ({idle["open"]:,} open), {one}',
        f'{idle["heapPerConnectionKiB"]:.1f} KiB (RSS {idle["rssPerConnectionKiB"]:.1f} KiB; load {load(idle)})',
        f'heap {idle["heapBeforeMiB"]:.1f} → {idle["heapAfterMiB"]:.1f} MiB', f"≤ {limit} KiB",
        # a heap that fell while connections opened was still freeing the previous scenario's: no figure
        None if idle["heapPerConnectionKiB"] < 0 else idle["heapPerConnectionKiB"] <= limit)
quiet = find(one, "idle", connections=100)
if quiet and "cpuPercentWith" in quiet:
    extra = quiet["cpuPercentWith"] - quiet["cpuPercentWithout"]
    row(f"CPU at 100 idle WebSockets, {one}", f'{quiet["cpuPercentWith"]:.2f} % of a core (load {load(quiet)})',
        f'no connections: {quiet["cpuPercentWithout"]:.2f} %', f"nothing measurable added (≤ 0.5 points; is {extra:+.2f})",
        extra <= 0.5)

print()
print("| figure | Switchboard | baselines (same run) | goal | met? |")
print("|---|---|---|---|---|")
for r in table:
    print("| " + " | ".join(r) + " |")
