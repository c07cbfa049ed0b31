# Helpers the benchmark scripts share; sourced, not run.

# waits for a server's {"ready":true,...} line in its log and prints it
ready_line() {
  local log="$1" tries="${2:-300}"
  for _ in $(seq 1 "$tries"); do
    # a whole line only: printf reaches the log piece by piece, and a line cut after "port": has none
    if grep -q '"ready":true.*}$' "$log" 2>/dev/null; then grep -m1 '"ready":true.*}$' "$log"; return 0; fi
    sleep 0.1
  done
  echo "server did not start; its log:" >&2; cat "$log" >&2; return 1
}

# the number or "string" value of a field of a one-line JSON object
field() { sed -n -e "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p;t" -e "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"; }

# a scratch folder in $work and a list $pids of the processes a script starts; on exit the processes
# are stopped and the folder is deleted
scratch_folder_stopped_on_exit() {
  work="$(mktemp -d)"
  pids=()
  trap stop_started_and_clean EXIT
}
stop_started_and_clean() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
