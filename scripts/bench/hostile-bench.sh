#!/usr/bin/env bash
# Measures how fast careerql refuses hostile requests and runs 200 concurrent clients for a bounded time
# (default 10 s) against it, in a release build; see scripts/bench/hostile_bench.rs. Usage: hostile-bench.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec cargo run --quiet --release --example hostile_bench -- "${1:-10}"
