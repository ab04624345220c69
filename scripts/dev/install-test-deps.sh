#!/usr/bin/env bash
# Installs what the client tests (tests/api/clients.rs) need: node and npm if missing (Debian's), the npm
# packages pinned in tests/clients/package-lock.json, and Chromium (Debian's) for the GraphiQL check.
# Safe to re-run; .ci/run runs it before `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/../.."

apt_updated=false
apt_install() {
  if [[ $apt_updated == false ]]; then
    apt-get update -qq
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-test-deps: installing node and npm" >&2
  apt_install nodejs npm
fi

npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error

if [[ ! -x ${CHROMIUM:-/usr/bin/chromium} ]]; then
  echo "install-test-deps: installing chromium" >&2
  apt_install chromium
fi
