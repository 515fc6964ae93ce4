#!/usr/bin/env bash
# Persisted-query lookups on a hot standby: they read the replicated table and count in
# the standby's own shared memory, writing nothing. Prints "apq_standby: 1 passed, 0 failed".
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

ensure_pg_user
STANDBY_DIR=""
cleanup() {
    if [ -n "${STANDBY_DIR}" ] && [ -d "${STANDBY_DIR}/data" ]; then
        as_pg "${PG_BIN}/pg_ctl" -D "${STANDBY_DIR}/data" -m fast -w stop >/dev/null 2>&1 || true
        as_root rm -rf "${STANDBY_DIR}"
    fi
    stop_cluster
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_cluster "shared_preload_libraries = 'fraiseql'" >/dev/null
PRIMARY_HOST="${PGHOST}" PRIMARY_PORT="${PGPORT}"
psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -c "CREATE EXTENSION fraiseql" -c "SELECT fraiseql_apq_register('{ standbyQuery }')"

STANDBY_DIR="$(mktemp -d /tmp/fraiseql-standby.XXXXXX)"
chmod 755 "${STANDBY_DIR}"
as_root chown "${FRAISEQL_PG_USER}" "${STANDBY_DIR}"
as_pg "${PG_BIN}/pg_basebackup" -h "${PRIMARY_HOST}" -p "${PRIMARY_PORT}" -U "${FRAISEQL_PG_USER}" -D "${STANDBY_DIR}/data" -R -X stream >/dev/null
STANDBY_PORT="$(free_port)"
as_pg "${PG_BIN}/pg_ctl" -D "${STANDBY_DIR}/data" -l "${STANDBY_DIR}/log" \
    -o "-p ${STANDBY_PORT} -k ${STANDBY_DIR} -c listen_addresses=''" -w start >/dev/null
export PGHOST="${STANDBY_DIR}" PGPORT="${STANDBY_PORT}"
for _ in $(seq 50); do
    [ "$(psql -X -At -c "SELECT count(*) FROM fraiseql_apq" 2>/dev/null || echo 0)" = "1" ] && break
    sleep 0.2
done
got=$(psql -X -At -v ON_ERROR_STOP=1 <<'SQL'
SELECT pg_is_in_recovery()
    || ' ' || (fraiseql_apq_lookup(fraiseql_sha256_hex('{ standbyQuery }'))->>'kind')
    || ' ' || (fraiseql_apq_lookup(repeat('0', 64)) IS NULL);
SELECT format('%s %s %s %s', lookups, total_hits, misses, shared_memory) FROM fraiseql_apq_summary;
SQL
)
want="true Document true
2 1 1 t"
note "on the standby: $(echo "${got}" | tr '\n' ' ')"
if [ "${got}" = "${want}" ]; then
    echo "apq_standby: 1 passed, 0 failed"
else
    echo "apq_standby: 0 passed, 1 failed (expected: ${want})"
    exit 1
fi
