#!/usr/bin/env bash
# Peak memory under one heavy operation, and how long a small query from another client waits meanwhile.
#
#   scripts/bench/memory.sh [CONNECTIONS] [OPERATION_NUMBER] [SECONDS]   (defaults: 64, 3, 10)
#   CAREERQL_IN_FLIGHT_COST=…: the budget to measure under (the server reads it from the environment)
#
# Builds in release, imports the full BLS file into a throwaway SQLite database, serves it, and drives the
# operation (numbered as in scripts/bench/operations.sh) with wrk while another client sends a small query every
# 0.3 s. Prints the operation's requests/s, non-2xx answers, careerql's peak RSS and the small query's slowest
# round trip. Not part of `cargo test`: timings belong here, not in tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-64}
operation=${2:-3}
seconds=${3:-10}
full_data=../shared/data/oews/oews_may2025_all_areas.csv.gz
[[ -f $full_data ]] || { echo "needs $full_data" >&2; exit 1; }
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y wrk >/dev/null; }

cargo build --release --quiet --bin careerql
careerql=target/release/careerql
work=$(mktemp -d)
server_pid=
cleanup() { [[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

source scripts/bench/operations.sh
op=${OPERATIONS[$((operation - 1))]}
body=${op#*|}
body=${body%%|*}

database="$work/full.db"
"$careerql" seed --database-url "sqlite://$database?mode=rwc" >/dev/null 2>&1
"$careerql" import oews "$full_data" --database-url "sqlite://$database" >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$careerql" serve --database-url "sqlite://$database" --addr "127.0.0.1:$port" --rate-limit-per-minute 0 \
  --db-acquire-timeout 60s --request-timeout 60s >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' \
  "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$body")" >"$work/request.lua"
small='{"query":"{ role(slug: \"senior-backend-engineer\") { title } }"}'
(
  end=$((SECONDS + seconds))
  while ((SECONDS < end)); do
    curl -s -o /dev/null -w '%{time_total}\n' -H 'content-type: application/json' -d "$small" \
      "http://127.0.0.1:$port/graphql"
    sleep 0.3
  done >"$work/small.txt"
) &
small_pid=$!
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 60s -s "$work/request.lua" "http://127.0.0.1:$port/graphql" \
  >"$work/wrk.out"
wait "$small_pid"
awk '/Requests\/sec/ { print "requests/s:", $2 } /Non-2xx/ { print "non-2xx:", $NF }' "$work/wrk.out"
awk '/VmHWM/ { printf "peak RSS: %.0f MiB\n", $2 / 1024 }' "/proc/$server_pid/status"
sort -n "$work/small.txt" | tail -n 1 | awk '{ printf "slowest small query: %.3f s\n", $1 }'
