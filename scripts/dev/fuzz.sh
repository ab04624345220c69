#!/usr/bin/env bash
# A long run of the generated-request fuzzer (tests/api/fuzz.rs) against the built server, on SQLite and
# PostgreSQL (half as many cases there). `cargo test` runs 3,000 cases from a fixed seed; this runs more,
# from a seed of its own unless given one, and prints the seed so a failure can be replayed.
#
#   scripts/dev/fuzz.sh [CASES] [SEED]       e.g. scripts/dev/fuzz.sh 200000
#   FUZZ_BACKEND=sqlite scripts/dev/fuzz.sh  only one backend (sqlite or postgres)
#
# A failure prints the case, shrunk, and the line to re-run it. Once understood, add the shrunk request to
# `regressions()` in tests/api/fuzz.rs, so that it runs in every `cargo test`. Loopback only; it stops
# when its cases are done (a few thousand a minute on a quiet 2-core machine in debug).
set -euo pipefail
cd "$(dirname "$0")/../.."

cases=${1:-50000}
seed=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
case ${FUZZ_BACKEND:-both} in
  sqlite) filter=fuzz::sqlite_generated ;;
  postgres) filter=fuzz::postgres_generated ;;
  both) filter=fuzz:: ;;
  *) echo "FUZZ_BACKEND must be sqlite, postgres or both" >&2; exit 2 ;;
esac
bash scripts/dev/start-postgres.sh >/dev/null
echo "fuzz: $cases cases from seed $seed (re-run: scripts/dev/fuzz.sh $cases $seed)" >&2
CAREERQL_FUZZ_CASES=$cases CAREERQL_FUZZ_SEED=$seed exec cargo test --test api "$filter" -- --nocapture
