#!/usr/bin/env bash
# The soak: an hour (or MINUTES) of mixed traffic against careerql serving the full BLS OEWS import, with
# the server's RSS, open file descriptors and latency sampled each minute, then a verdict on whether they
# stayed flat. Not part of the tests. Loopback only; it stops by itself. See scripts/bench/soak.rs.
#
#   scripts/bench/soak.sh [MINUTES]                  default 60
#   SOAK_CLIENTS=16                                  concurrent clients (besides 5 websocket subscribers)
#   SOAK_PROFILE=release                             or `debug` to skip the release build
#   SOAK_DATABASE_URL=postgres://…/empty_db          default: a new SQLite file in a temporary folder
#   SOAK_SAMPLE_SECONDS=60                           how often to sample
#
# Exits non-zero if RSS, descriptors or latency grew, if any request failed or answered 5xx, if a hostile
# request was not refused, if a subscriber missed a change, or if the server logged an error.
set -euo pipefail
cd "$(dirname "$0")/../.."

minutes=${1:-60}
profile=${SOAK_PROFILE:-release}
case $profile in
  release) cargo build --quiet --release --bin careerql --example soak; target=target/release ;;
  debug) cargo build --quiet --bin careerql --example soak; target=target/debug ;;
  *) echo "SOAK_PROFILE must be release or debug" >&2; exit 2 ;;
esac
data=${SOAK_OEWS:-../shared/data/oews/oews_may2025_all_areas.csv.gz}
[[ -f $data ]] || { echo "soak: $data not found (set SOAK_OEWS)" >&2; exit 2; }

work=$(mktemp -d)
server=""
cleanup() {
  if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; wait "$server" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
url=${SOAK_DATABASE_URL:-"sqlite://$work/soak.db?mode=rwc"}
bin=$target/careerql

echo "soak: importing $data ($profile build)" >&2
started=$SECONDS
"$bin" --database-url "$url" import oews "$data" >"$work/import.log"
echo "soak: imported in $((SECONDS - started)) s" >&2
key=$("$bin" --database-url "$url" keys create --name "soak-$$" --role admin 2>/dev/null)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The rate limit is off: the soak is one client machine, and it measures the server, not the limiter.
# Started directly (not through a function), so that $! is the server's own pid, whose /proc is sampled.
RUST_LOG=${RUST_LOG:-careerql=info} "$bin" --database-url "$url" --addr "127.0.0.1:$port" --log-format json \
  --rate-limit-per-minute 0 serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }

status=0
"$target/examples/soak" --url "http://127.0.0.1:$port" --pid "$server" --key "$key" --minutes "$minutes" \
  --clients "${SOAK_CLIENTS:-16}" --sample-seconds "${SOAK_SAMPLE_SECONDS:-60}" || status=$?

errors=$(grep -c '"level":"ERROR"' "$work/server.log" || true)
echo "server log: $errors errors"
if ((errors > 0)); then
  grep '"level":"ERROR"' "$work/server.log" | head -5
  status=1
fi
exit $status
