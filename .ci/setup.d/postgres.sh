#!/usr/bin/env bash
# Starts Debian's PostgreSQL for the warehouse tests and creates a database owned by the current OS user.
# Tests connect over the Unix socket with peer auth, so no password exists anywhere.
set -euo pipefail
ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  pg_lsclusters -h | grep -q . || pg_createcluster "$ver" main >/dev/null
  pg_ctlcluster "$ver" main start
fi
me=$(id -un)
as_pg() { if [ "$me" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
as_pg psql -qtAc "select 1 from pg_roles where rolname='$me'" | grep -q 1 || as_pg psql -qc "create role \"$me\" login createdb"
as_pg psql -qtAc "select 1 from pg_database where datname='eventlake_test'" | grep -q 1 || as_pg createdb -O "$me" eventlake_test
echo "postgresql $ver running; database eventlake_test (socket /var/run/postgresql)"
