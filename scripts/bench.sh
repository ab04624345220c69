#!/usr/bin/env bash
# careerql's benchmark: each operation against careerql and against its baseline, in one run, as ratios.
#
#   scripts/bench.sh [DURATION_SECONDS] [CONNECTIONS]      (defaults: 10 s, 64 connections)
#
# Builds in release, starts careerql and examples/baseline.rs on the seeded database (and on the full BLS
# import when ../shared/data has it), drives each with wrk, and prints one table: requests/s, p50/p99 latency,
# SQL statements per request and peak RSS. Not part of `cargo test`: timings belong here, not in tests.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-64}
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y wrk >/dev/null; }

cargo build --release --quiet --bin careerql --example baseline
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

careerql=target/release/careerql
baseline=target/release/examples/baseline

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

# start NAME COMMAND…: starts a server in the background, remembers its pid as ${NAME}_pid.
start() {
  local name=$1; shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  printf -v "${name}_pid" '%s' $!
}

peak_rss_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# load NAME URL [BODY]: wrk for the configured time; prints "req/s p50 p99".
load() {
  local url=$2 body=${3:-}
  local script="$work/request.lua"
  if [[ -n $body ]]; then
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' \
      "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$body")" >"$script"
  else
    printf '' >"$script"
  fi
  wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$script" "$url" >"$work/wrk.out"
  local non2xx
  non2xx=$(awk '/Non-2xx/ { print $NF }' "$work/wrk.out")
  [[ -z $non2xx ]] || { echo "$1: $non2xx non-2xx answers" >&2; cat "$work/wrk.out" >&2; exit 1; }
  awk '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } END { printf "%s %s %s", rps, p50, p99 }' "$work/wrk.out"
}

# statements DB_URL_PORT BODY: SQL statements one request runs, from careerql's own counter.
statements() {
  local port=$1 body=$2
  local before after
  before=$(curl -fs "http://127.0.0.1:$port/metrics" | awk '/^careerql_db_statements_total/ { s += $NF } END { print s + 0 }')
  curl -fs -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$port/graphql" >/dev/null
  after=$(curl -fs "http://127.0.0.1:$port/metrics" | awk '/^careerql_db_statements_total/ { s += $NF } END { print s + 0 }')
  echo $((after - before))
}

source scripts/bench/operations.sh

rows=()
run_suite() {
  local label=$1 database=$2
  local cq_port base_port
  cq_port=$(free_port)
  base_port=$(free_port)
  start careerql_server "$careerql" serve --database-url "sqlite://$database" --addr "127.0.0.1:$cq_port"
  start baseline_server "$baseline" "$database" "127.0.0.1:$base_port"
  wait_for "http://127.0.0.1:$cq_port/healthz"
  wait_for "http://127.0.0.1:$base_port/raw"
  for op in "${OPERATIONS[@]}"; do
    local name=${op%%|*} rest=${op#*|}
    local body=${rest%%|*} baseline_path=${rest#*|}
    [[ $label == seed && $name == *full* ]] && continue
    [[ $label == full && $name != *full* && $name != typename ]] && continue
    read -r c_rps c_p50 c_p99 <<<"$(load "$name" "http://127.0.0.1:$cq_port/graphql" "$body")"
    read -r b_rps b_p50 b_p99 <<<"$(load "$name baseline" "http://127.0.0.1:$base_port$baseline_path")"
    local sql ratio
    sql=$(statements "$cq_port" "$body")
    ratio=$(python3 -c "print(f'{$c_rps / $b_rps:.2f}')")
    rows+=("$label|$name|$c_rps|$c_p50|$c_p99|$b_rps|$b_p50|$b_p99|$ratio|$sql")
  done
  rows+=("$label|peak RSS (MiB)|$(peak_rss_mib "$careerql_server_pid")| | |$(peak_rss_mib "$baseline_server_pid")| | | | ")
  kill "$careerql_server_pid" "$baseline_server_pid"
  wait "$careerql_server_pid" "$baseline_server_pid" 2>/dev/null || true
}

seeded="$work/seed.db"
"$careerql" seed --database-url "sqlite://$seeded?mode=rwc" >/dev/null 2>&1
run_suite seed "$seeded"

full_data=../shared/data/oews/oews_may2025_all_areas.csv.gz
if [[ -f $full_data ]] && "$careerql" import --help >/dev/null 2>&1; then
  full="$work/full.db"
  cp "$seeded" "$full"
  "$careerql" import oews "$full_data" --database-url "sqlite://$full" >/dev/null 2>&1
  run_suite full "$full"
else
  echo "SKIPPED: full-import operations ($full_data or the importer is missing)" >&2
fi

echo
echo "careerql vs baseline: ${duration}s per run, $connections connections, $(nproc) cores"
printf '%s\n' "data|operation|careerql req/s|p50|p99|baseline req/s|p50|p99|careerql/baseline|SQL/request" "${rows[@]}" |
  column -t -s '|'
