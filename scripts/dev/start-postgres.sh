#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the tests: starts the machine's cluster if it is
# down. Exits non-zero if none can be had.
set -u
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
ready && exit 0
command -v pg_ctlcluster >/dev/null 2>&1 || { echo "start-postgres: PostgreSQL is not installed" >&2; exit 1; }
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
[[ -n $version ]] || { echo "start-postgres: no cluster under /etc/postgresql" >&2; exit 1; }
pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "start-postgres: PostgreSQL did not come up" >&2
exit 1
