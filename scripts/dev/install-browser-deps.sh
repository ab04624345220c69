#!/usr/bin/env bash
# What the /explore browser test needs (tests/api/explore.rs): Debian's chromium and the pinned node modules in
# tests/browser. Safe to repeat; installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
(cd tests/browser && npm ci --no-audit --no-fund --silent)
