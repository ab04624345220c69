#!/usr/bin/env bash
# careerql's benchmark: each operation against careerql and against its baseline, in one run, as ratios.
#
#   scripts/bench/bench.sh [DURATION_SECONDS] [CONNECTIONS]      (defaults: 10 s, 64 connections)
#   HEAVY_SECONDS=40: the least time each full-import operation runs (64 of them at once take seconds each)
#
# Builds in release, starts careerql and scripts/bench/baseline.rs on the seeded database (and on the full BLS
# import when ../shared/data has it), drives each with wrk, and prints one table: requests/s, p50/p99 latency,
# SQL statements per request and peak RSS. Not part of `cargo test`: timings belong here, not in tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10}
connections=${2:-64}
heavy_duration=${HEAVY_SECONDS:-40}
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y wrk >/dev/null; }

cargo build --release --quiet --bin careerql --example baseline
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

careerql=target/release/careerql
baseline=target/release/examples/baseline

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_for URL [POLL_SECONDS]: polls for up to 10 s.
wait_for() {
  local poll=${2:-0.1}
  local tries
  tries=$(python3 -c "print(int(10 / $poll))")
  for _ in $(seq 1 "$tries"); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep "$poll"; done
  echo "no answer from $1" >&2; exit 1
}

# start NAME COMMAND…: starts a server in the background, remembers its pid as ${NAME}_pid.
start() {
  local name=$1; shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  printf -v "${name}_pid" '%s' $!
}

peak_rss_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# load NAME URL [BODY] [SECONDS]: wrk for the configured time; prints "req/s p50 p99 requests". A BODY of `@FILE` names a
# wrk Lua script that makes each request itself (operation 6 needs a new slug each time).
load() {
  local url=$2 body=${3:-}
  local script="$work/request.lua"
  if [[ $body == @* ]]; then
    cp "${body#@}" "$script"
  elif [[ -n $body ]]; then
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' \
      "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$body")" >"$script"
  else
    printf '' >"$script"
  fi
  cat scripts/bench/refusals.lua >>"$script"
  # Heavy operations take seconds under load: a request wrk gives up on would be lost from the figures.
  wrk -t"$(( connections < 2 ? connections : 2 ))" -c"$connections" -d"${4:-$duration}s" --timeout 60s --latency -s "$script" "$url" >"$work/wrk.out"
  local non2xx
  non2xx=$(awk '/Non-2xx/ { print $NF }' "$work/wrk.out")
  [[ -z $non2xx ]] || { echo "$1: $non2xx non-2xx answers" >&2; cat "$work/wrk.out" >&2; exit 1; }
  if grep -q '^Refused: [1-9]' "$work/wrk.out"; then
    echo "$1: answers with errors" >&2; cat "$work/wrk.out" >&2; exit 1
  fi
  awk '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } / requests in / { n = $1 }
       END { printf "%s %s %s %s", rps, p50, p99, n }' "$work/wrk.out"
}

# statements_total PORT: SQL statements careerql has run, from its own counter.
statements_total() {
  curl -fs "http://127.0.0.1:$1/metrics" | awk '/^careerql_db_statements_total/ { s += $NF } END { printf "%d", s }'
}

source scripts/bench/operations.sh

rows=()
run_suite() {
  local label=$1 database=$2
  local cq_port base_port
  cq_port=$(free_port)
  base_port=$(free_port)
  local started ready_ms
  started=$(date +%s%N)
  # wrk is one client at one address, and the rate limit is per client: off, or it would be what is measured.
  # Heavy operations queue for the pool's connections as the baseline's do (sqlx waits 30 s), not fail fast.
  start careerql_server "$careerql" serve --database-url "sqlite://$database" --addr "127.0.0.1:$cq_port" \
    --rate-limit-per-minute 0 --db-acquire-timeout 60s --request-timeout 60s
  wait_for "http://127.0.0.1:$cq_port/readyz" 0.005
  ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  start baseline_server "$baseline" "$database" "127.0.0.1:$base_port"
  wait_for "http://127.0.0.1:$base_port/raw"
  for op in "${OPERATIONS[@]}"; do
    local name=${op%%|*} rest=${op#*|}
    local body=${rest%%|*} baseline_path=${rest#*|}
    [[ $label == seed && $name == *full* ]] && continue
    [[ $label == full && $name != *full* && $name != typename ]] && continue
    local before sql ratio c_rps c_p50 c_p99 c_n b_rps=- b_p50=- b_p99=- b_n ratio=- seconds=$duration
    # 64 requests of a heavy operation at once take tens of seconds to get through two cores: long enough
    # runs that every connection completes several.
    [[ $name == *full* ]] && seconds=$((duration > heavy_duration ? duration : heavy_duration))
    before=$(statements_total "$cq_port")
    read -r c_rps c_p50 c_p99 c_n <<<"$(load "$name" "http://127.0.0.1:$cq_port/graphql" "$body" "$seconds")"
    [[ $c_n -gt 0 ]] || { echo "$name: no request completed in $seconds s" >&2; exit 1; }
    if [[ $body == @* ]]; then
      # Each request differs: the run's statements over its requests (those cut off at the end add a little).
      sql=$(python3 -c "print(f'{($(statements_total "$cq_port") - $before) / $c_n:.2f}')")
    else
      # One request alone, once the requests wrk left in flight have drained: exactly what it runs.
      before=$(statements_total "$cq_port")
      while sleep 1; [[ $(statements_total "$cq_port") != "$before" ]]; do before=$(statements_total "$cq_port"); done
      curl -fs -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$cq_port/graphql" >/dev/null
      sql=$(( $(statements_total "$cq_port") - before ))
    fi
    if [[ -n $baseline_path ]]; then
      read -r b_rps b_p50 b_p99 b_n <<<"$(load "$name baseline" "http://127.0.0.1:$base_port$baseline_path" "" "$seconds")"
      ratio=$(python3 -c "print(f'{$c_rps / $b_rps:.2f}')")
    fi
    rows+=("$label|$name|$c_rps|$c_p50|$c_p99|$b_rps|$b_p50|$b_p99|$ratio|$sql")
    if [[ $name == typename ]]; then
      # The same request to stock async-graphql-axum (no middleware, a one-field schema), against the same
      # fixed body: what the GraphQL stack alone leaves of the HTTP limit.
      read -r s_rps s_p50 s_p99 _ <<<"$(load "$name stock" "http://127.0.0.1:$base_port/graphql" "$body" "$seconds")"
      ratio=$(python3 -c "print(f'{$s_rps / $b_rps:.2f}')")
      rows+=("$label|$name on stock async-graphql-axum (in the careerql columns)|$s_rps|$s_p50|$s_p99|$b_rps|$b_p50|$b_p99|$ratio|0")
    fi
  done
  rows+=("$label|peak RSS (MiB)|$(peak_rss_mib "$careerql_server_pid")| | |$(peak_rss_mib "$baseline_server_pid")| | | | ")
  rows+=("$label|start-up to ready (ms), existing database|$ready_ms| | | | | | | ")
  kill "$careerql_server_pid" "$baseline_server_pid"
  wait "$careerql_server_pid" "$baseline_server_pid" 2>/dev/null || true
}

seeded="$work/seed.db"
"$careerql" seed --database-url "sqlite://$seeded?mode=rwc" >/dev/null 2>&1
# Operation 6 writes as an editor: its key is made the way an operator makes one.
BENCH_TOKEN=$("$careerql" keys create --name bench --role editor --database-url "sqlite://$seeded" 2>/dev/null | tail -n 1)
export BENCH_TOKEN
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
