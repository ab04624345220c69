#!/usr/bin/env bash
# Instructions per request, careerql against its baseline, counted by callgrind: unlike requests a second on
# this shared 2-core machine, whose speed drifts by a third within the hour, the count is the same run after
# run, so it shows what a change did to the CPU work of one request.
#
#   scripts/bench/instructions.sh [OPERATION_NUMBER] [REQUESTS]   (defaults: 2, 200; operations 1 and 2 run on
#                                                                  the seed, as in scripts/bench/operations.sh)
#
# Builds in release, seeds a throwaway SQLite database, and runs each server under valgrind with
# instrumentation off; after 30 requests to warm up it counts the next REQUESTS, sent one after another on
# one keep-alive connection, over every thread (the SQLite workers too). The kernel's share (syscalls,
# loopback TCP) is not counted. Not part of `cargo test`: timings belong here, not in tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
operation=${1:-2}
requests=${2:-200}
command -v valgrind >/dev/null || { echo "installing valgrind"; apt-get install -y valgrind >/dev/null; }

cargo build --release --quiet --bin careerql --example baseline
work=$(mktemp -d)
server_pid=
cleanup() { [[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

source scripts/bench/operations.sh
op=${OPERATIONS[$((operation - 1))]}
name=${op%%|*}
rest=${op#*|}
body=${rest%%|*}
baseline_path=${rest#*|}
[[ $name != *full* && $body != @* ]] || { echo "operation $operation needs the full import or a script" >&2; exit 1; }
database="$work/seed.db"
target/release/careerql seed --database-url "sqlite://$database?mode=rwc" >/dev/null 2>&1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# drive PORT COUNT METHOD PATH BODY: COUNT requests on one connection; any answer but a 200 without
# errors fails the run.
drive() {
  python3 - "$@" <<'PY'
import http.client, sys
port, count, method, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
body = sys.argv[5] or None
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
for _ in range(count):
    connection.request(method, path, body, {"content-type": "application/json"} if body else {})
    answer = connection.getresponse()
    data = answer.read()
    if answer.status != 200 or b'"errors"' in data:
        sys.exit(f"{method} {path}: {answer.status} {data[:200]!r}")
PY
}

# count LABEL METHOD PATH BODY -- SERVER ARGS…: instructions per request of the server started by the rest.
count() {
  local label=$1 method=$2 path=$3 body=$4 port
  shift 5
  port=$(free_port)
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/$label.cg.%p" \
    "${@//PORT/$port}" >"$work/$label.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do drive "$port" 1 "$method" "$path" "$body" 2>/dev/null && break; sleep 0.2; done
  drive "$port" 30 "$method" "$path" "$body"
  callgrind_control -i on "$server_pid" >/dev/null 2>&1
  drive "$port" "$requests" "$method" "$path" "$body"
  callgrind_control -i off "$server_pid" >/dev/null 2>&1
  callgrind_control -d "$server_pid" >/dev/null 2>&1
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
  cat "$work/$label".cg.* | awk -v n="$requests" '/^totals:/ { s += $2 } END { printf "%d", s / n }'
}

careerql=$(count careerql POST /graphql "$body" -- target/release/careerql serve --database-url "sqlite://$database" \
  --addr 127.0.0.1:PORT --rate-limit-per-minute 0)
baseline=$(count baseline GET "$baseline_path" "" -- target/release/examples/baseline "$database" 127.0.0.1:PORT)
echo "operation $operation ($name), instructions per request over $requests requests:"
echo "  careerql $careerql, baseline $baseline, careerql / baseline $(python3 -c "print(f'{$careerql / $baseline:.2f}')")"
