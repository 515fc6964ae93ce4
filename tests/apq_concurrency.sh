#!/usr/bin/env bash
# Several sessions registering and looking up persisted queries at once (pgbench, 4
# clients), on a cluster with the library preloaded: the shared counters must come out
# exact. Prints "apq_concurrency: 1 passed, 0 failed" or fails.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

ensure_pg_user
trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster "shared_preload_libraries = 'fraiseql'" >/dev/null

CLIENTS=4
TXNS=250
psql -X -q -v ON_ERROR_STOP=1 -o /dev/null <<'SQL'
CREATE EXTENSION fraiseql;
SELECT count(fraiseql_apq_register('{ q' || i || ' }')) FROM generate_series(1, 10) i;
SELECT fraiseql_apq_stats_reset();
SQL
WORK="$(mktemp -d)"
cat >"${WORK}/apq.sql" <<'SQL'
\set k random(1, 10)
\set r random(11, 20)
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ q' || :k || ' }'));
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ missing' || :k || ' }'));
SELECT fraiseql_apq_register('{ q' || :r || ' }');
SQL
"${PG_BIN}/pgbench" -n -c "${CLIENTS}" -j 2 -t "${TXNS}" -f "${WORK}/apq.sql" >"${WORK}/pgbench.log" 2>&1 \
    || { cat "${WORK}/pgbench.log"; die "pgbench failed"; }
rm -rf "${WORK}"

N=$(( CLIENTS * TXNS ))
got=$(psql -X -At -c "SELECT format('%s %s %s %s %s', lookups, total_hits, misses, registrations, entries) FROM fraiseql_apq_summary")
per_hash=$(psql -X -At -c "SELECT sum(hits) FROM fraiseql_apq_stats")
stored=$(psql -X -At -c "SELECT count(*) FROM fraiseql_apq")
want="$(( 2 * N )) ${N} ${N} $(( stored - 10 )) ${stored}"
note "after ${N} transactions: lookups hits misses registrations entries = ${got} (expected ${want}); per-hash hits ${per_hash}"
if [ "${got}" = "${want}" ] && [ "${per_hash}" = "${N}" ]; then
    echo "apq_concurrency: 1 passed, 0 failed"
else
    echo "apq_concurrency: 0 passed, 1 failed"
    exit 1
fi
