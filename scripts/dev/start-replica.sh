#!/usr/bin/env bash
# Makes sure a hot standby of the PostgreSQL server on 127.0.0.1:5432 answers on 127.0.0.1:5433, for the read
# replica tests: a second cluster (`replica`) made by `pg_basebackup -R` from the first, streaming from it.
# Idempotent: a streaming standby is left alone, a stopped one started, a broken one (say, one that stopped
# streaming because the WAL it needs is gone) made anew. It streams through a replication slot, so the
# primary keeps the WAL a standby paused by a test still needs, however much a test writes meanwhile. Changes the primary only as needed: a `replication` trust line for 127.0.0.1 in its
# pg_hba.conf (WAL level `replica` and WAL senders are PostgreSQL 15's defaults). Run as root or postgres.
# Exits non-zero if no standby can be had.
set -u
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PORT=${REPLICA_PORT:-5433}
CLUSTER=replica

as_postgres() {
  if [[ $(id -un) == postgres ]]; then "$@"; else runuser -u postgres -- "$@"; fi
}
fail() { echo "start-replica: $*" >&2; exit 1; }
in_recovery() {
  [[ $(psql -XAtq -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null) == t ]]
}
streaming() {
  [[ $(psql -XAtq -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c 'SELECT status FROM pg_stat_wal_receiver' 2>/dev/null) == streaming ]]
}
wait_for_standby() {
  for _ in $(seq 1 30); do in_recovery && streaming && return 0; sleep 1; done
  return 1
}
SLOT=careerql_replica

# A standby may be between reconnects for a moment: give it a few seconds before judging it broken.
if in_recovery; then
  for _ in $(seq 1 5); do streaming && exit 0; sleep 1; done
fi
bash "$(dirname "$0")/start-postgres.sh" || fail "the primary is not running"
command -v pg_basebackup >/dev/null 2>&1 || fail "pg_basebackup is not installed"
version=$(ls /etc/postgresql | sort -V | tail -n 1)
primary_conf=/etc/postgresql/$version/main

# The primary must let 127.0.0.1 connect for replication.
if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$primary_conf/pg_hba.conf"; then
  echo "host replication all 127.0.0.1/32 trust" >>"$primary_conf/pg_hba.conf"
  as_postgres pg_ctlcluster --skip-systemctl-redirect "$version" main reload || fail "cannot reload the primary"
fi

# A stopped standby whose WAL is still on the primary just starts.
if pg_lsclusters -h | awk '{print $2}' | grep -qx "$CLUSTER"; then
  if in_recovery; then
    echo "start-replica: the standby is not streaming; making it anew" >&2
    as_postgres pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" stop -m immediate >/dev/null 2>&1
  fi
  as_postgres pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" start >/dev/null 2>&1
  wait_for_standby && exit 0
  echo "start-replica: the standby did not come up; making it anew" >&2
  as_postgres pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" stop -m immediate >/dev/null 2>&1
  pg_dropcluster "$version" "$CLUSTER" || fail "cannot drop the broken standby"
fi

pg_createcluster "$version" "$CLUSTER" -p "$PORT" >/dev/null || fail "cannot create the standby cluster"
replica_conf=/etc/postgresql/$version/$CLUSTER
data=/var/lib/postgresql/$version/$CLUSTER
# The same access rules and settings as the primary, on its own port.
cp "$primary_conf/pg_hba.conf" "$replica_conf/pg_hba.conf"
mkdir -p "$replica_conf/conf.d"
cp "$primary_conf"/conf.d/*.conf "$replica_conf/conf.d/" 2>/dev/null
echo "port = $PORT" >"$replica_conf/conf.d/95-replica.conf"
# pg_basebackup fills the empty data directory pg_createcluster made (with the right owner and mode).
find "$data" -mindepth 1 -delete
psql -XAtq -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres \
  -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null \
  || fail "cannot drop the old replication slot on the primary"
as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$data" -R -X stream -c fast -C -S "$SLOT" \
  || fail "pg_basebackup from 127.0.0.1:$PRIMARY_PORT failed"
as_postgres pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" start || fail "cannot start the standby"
wait_for_standby || fail "the standby on 127.0.0.1:$PORT did not come up"
