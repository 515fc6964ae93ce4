#!/usr/bin/env bash
# Persisted-query counters and eviction across a crash: `pg_ctl stop -m immediate` (no
# shutdown checkpoint, shared memory discarded), then start. The counters start over;
# eviction decides on last_used_at, so hits written there by an eviction pass before the
# crash keep their query, hits only counted are forgotten, and a query with no hits since
# stays while its last_used_at is recent. Prints "apq_restart: 1 passed, 0 failed".
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

ensure_pg_user
trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster "shared_preload_libraries = 'fraiseql'" >/dev/null

psql -X -q -v ON_ERROR_STOP=1 -o /dev/null <<'SQL'
CREATE EXTENSION fraiseql;
SELECT fraiseql_apq_register(q) FROM unnest(ARRAY['{ saved }', '{ unsaved }', '{ idle }', '{ recent }']) AS q;
UPDATE fraiseql_apq SET last_used_at = now() - interval '10 days' WHERE query <> '{ recent }';
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ saved }'));
-- an eviction pass without limits only writes the last-hit times
SELECT fraiseql_apq_evict(0, interval '0');
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ unsaved }'));
SQL
before=$(psql -X -At -c "SELECT format('%s %s', lookups, total_hits) FROM fraiseql_apq_summary")

as_pg "${PG_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -m immediate -w stop >/dev/null
as_pg "${PG_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -l "${CLUSTER_DIR}/log" \
    -o "-p ${PGPORT} -k ${CLUSTER_DIR} -c listen_addresses=''" -w start >/dev/null

got=$(psql -X -At -v ON_ERROR_STOP=1 <<'SQL'
SELECT format('%s %s %s', lookups, total_hits, stats_reset > now() - interval '1 minute') FROM fraiseql_apq_summary;
SELECT fraiseql_apq_evict(max_entries => 0, max_age => interval '5 days');
SELECT string_agg(query, ' ' ORDER BY query) FROM fraiseql_apq;
SQL
)
want="0 0 t
2
{ recent } { saved }"
note "before the crash: lookups hits = ${before}; after: $(echo "${got}" | tr '\n' '|')"
if [ "${before}" = "2 2" ] && [ "${got}" = "${want}" ]; then
    echo "apq_restart: 1 passed, 0 failed"
else
    echo "apq_restart: 0 passed, 1 failed (expected: ${want//$'\n'/|})"
    exit 1
fi
