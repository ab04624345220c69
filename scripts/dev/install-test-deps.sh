#!/usr/bin/env bash
# Installs what the tests need besides cargo and PostgreSQL (`scripts/test` runs it first): node and npm
# (Debian's) if missing; the npm packages pinned in each package-lock.json, for
#   tests/clients       the real clients, the GraphQL-over-HTTP audit, GraphiQL and the schema check
#   tests/browser       the /explore page test
#   clients/typescript  the typed client: GraphQL Code Generator, tsc, relay-compiler
#   tests/federation    @apollo/gateway and a test-only subgraph, composed with careerql
#   tests/tools         the API tools: @redocly/cli, openapi-to-postmanv2 and newman
# the analytics tools pinned in tests/tools/requirements.txt (pandas, DuckDB) in a venv at tests/tools/.venv,
# and Debian's Chromium for the browser tests. Safe to re-run: `npm ci` runs only where node_modules is
# missing or older than its lock file, pip only where the venv is older than its requirements, apt only for
# what is missing.
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

for dir in tests/clients tests/browser clients/typescript tests/federation tests/tools; do
  # npm writes node_modules/.package-lock.json when it installs: older than the lock file means stale.
  installed=$dir/node_modules/.package-lock.json
  if [[ ! -f $installed || $dir/package-lock.json -nt $installed ]]; then
    echo "install-test-deps: npm ci in $dir" >&2
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
done

# The marker is written once pip has installed everything: older than the requirements means stale.
venv=tests/tools/.venv
if [[ ! -f $venv/installed || tests/tools/requirements.txt -nt $venv/installed ]]; then
  echo "install-test-deps: pip install -r tests/tools/requirements.txt in $venv" >&2
  if ! python3 -m venv "$venv" 2>/dev/null; then
    apt_install python3 python3-venv
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/tools/requirements.txt
  touch "$venv/installed"
fi

if [[ ! -x ${CHROMIUM:-/usr/bin/chromium} ]]; then
  echo "install-test-deps: installing chromium" >&2
  apt_install chromium
fi
