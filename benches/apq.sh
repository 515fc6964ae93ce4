#!/usr/bin/env bash
# Benchmark of persisted queries under load (pgbench, 8 clients, DURATION seconds each,
# side by side in one run on one throwaway cluster with the library preloaded):
#   protocol  fraiseql_apq_request: 90% hash-only requests of a hot set of 100 queries
#             (hits), 10% new queries (a miss, then hash + query: registration)
#   lookup    fraiseql_apq_lookup of the hot set (counted)
#   plain     SELECT ast FROM fraiseql_apq WHERE hash = … (the same probe, not counted)
#   parse     fraiseql_graphql_parse(<query text>): the client sends and the server parses
#             the text every time instead of a hash
# plus Python graphql-core's parse() of the same query texts. Reports transactions/s,
# p50/p99 latency, the hit rate the summary view shows, and appends to benches/results.md.
#   DURATION=30 CLIENTS=8 ./benches/apq.sh
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

DURATION="${DURATION:-30}"
CLIENTS="${CLIENTS:-8}"
ensure_prereqs
install_extension_release
trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster "shared_preload_libraries = 'fraiseql'
max_connections = 50
jit = off" >/dev/null

phase "registering 1,000 queries of about 2.5 kB"
psql -X -q -v ON_ERROR_STOP=1 -o /dev/null <<'SQL'
CREATE EXTENSION fraiseql;
CREATE TABLE bench_query AS
SELECT i AS k,
       format('query Q%s($first: Int = 10) { routerConfigs(first: $first) { id configName isCurrent %s } }', i,
              (SELECT string_agg(format('field%s: machine { id name location { city rack } }', f), ' ')
               FROM generate_series(1, 40) f)) AS query
FROM generate_series(1, 1000) i;
SELECT count(fraiseql_apq_register(query)) FROM bench_query;
CREATE TABLE bench_hot AS
SELECT k, fraiseql_sha256_hex(query) AS hash, query,
       jsonb_build_object('extensions', jsonb_build_object('persistedQuery',
           jsonb_build_object('version', 1, 'sha256Hash', fraiseql_sha256_hex(query)))) AS request
FROM bench_query WHERE k <= 100;
ALTER TABLE bench_hot ADD PRIMARY KEY (k);
VACUUM ANALYZE;
SQL
note "average query size: $(psql -X -At -c "SELECT avg(octet_length(query))::int || ' bytes, AST ' || avg(pg_column_size(ast))::int || ' bytes stored' FROM fraiseql_apq")"

WORK="$(mktemp -d)"
cat >"${WORK}/protocol.sql" <<'SQL'
\set r random(1, 100)
\set k random(1, 100)
\set n random(1, 1000000000)
\if :r <= 90
SELECT fraiseql_apq_request(request) FROM bench_hot WHERE k = :k;
\else
SELECT fraiseql_apq_request(jsonb_build_object('extensions', jsonb_build_object('persistedQuery', jsonb_build_object('version', 1, 'sha256Hash', fraiseql_sha256_hex(q))))) FROM (SELECT 'query New' || :n || ' { routerConfigs { id configName } }' AS q) s;
SELECT fraiseql_apq_request(jsonb_build_object('query', q, 'extensions', jsonb_build_object('persistedQuery', jsonb_build_object('version', 1, 'sha256Hash', fraiseql_sha256_hex(q))))) FROM (SELECT 'query New' || :n || ' { routerConfigs { id configName } }' AS q) s;
\endif
SQL
cat >"${WORK}/lookup.sql" <<'SQL'
\set k random(1, 100)
SELECT fraiseql_apq_lookup(hash) FROM bench_hot WHERE k = :k;
SQL
cat >"${WORK}/plain.sql" <<'SQL'
\set k random(1, 100)
SELECT a.ast FROM fraiseql_apq a JOIN bench_hot b ON a.hash = b.hash WHERE b.k = :k;
SQL
cat >"${WORK}/parse.sql" <<'SQL'
\set k random(1, 100)
SELECT fraiseql_graphql_parse(query) FROM bench_hot WHERE k = :k;
SQL

run() { # name → "tps p50_ms p99_ms"
    local name="$1"
    rm -f "${WORK}"/log.*
    "${PG_BIN}/pgbench" -n -M prepared -c "${CLIENTS}" -j 2 -T "${DURATION}" -f "${WORK}/${name}.sql" \
        -l --log-prefix="${WORK}/log" >"${WORK}/${name}.out" 2>&1 || { cat "${WORK}/${name}.out"; die "pgbench ${name} failed"; }
    local tps
    tps=$(grep -E '^tps = ' "${WORK}/${name}.out" | sed -E 's/tps = ([0-9.]+).*/\1/')
    python3 - "$tps" "${WORK}"/log.* <<'PY'
import sys
tps = float(sys.argv[1])
lat = []
for path in sys.argv[2:]:
    with open(path) as f:
        for line in f:
            lat.append(int(line.split()[2]))
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1000
print(f"{tps:.0f} {p(0.50):.3f} {p(0.99):.3f}")
PY
}

phase "pgbench: ${CLIENTS} clients x ${DURATION} s per workload"
psql -X -q -o /dev/null -c "SELECT fraiseql_apq_stats_reset()"
read -r p_tps p_50 p_99 <<<"$(run protocol)"
view=$(psql -X -At -c "SELECT format('%s lookups, %s hits, %s misses, %s registrations, hit rate %s', lookups, total_hits, misses, registrations, hit_rate) FROM fraiseql_apq_summary")
implied=$(psql -X -At -c "SELECT round(total_hits::numeric / nullif(lookups, 0), 4) = hit_rate AND lookups = total_hits + misses AND registrations = misses FROM fraiseql_apq_summary")
note "protocol: ${p_tps} requests/s, p50 ${p_50} ms, p99 ${p_99} ms; view: ${view}; consistent: ${implied}"
read -r l_tps l_50 l_99 <<<"$(run lookup)"
note "lookup (counted): ${l_tps}/s, p50 ${l_50} ms, p99 ${l_99} ms"
read -r s_tps s_50 s_99 <<<"$(run plain)"
note "plain SELECT (not counted): ${s_tps}/s, p50 ${s_50} ms, p99 ${s_99} ms"
read -r x_tps x_50 x_99 <<<"$(run parse)"
note "parse every time: ${x_tps}/s, p50 ${x_50} ms, p99 ${x_99} ms"
rm -rf "${WORK}"

phase "Python graphql-core parse() of the same query texts"
PY_DIR="${ROOT}/target/py-bench"
if ! PYTHONPATH="${PY_DIR}" python3 -c 'import graphql' 2>/dev/null; then
    python3 -m pip install --quiet --target "${PY_DIR}" graphql-core >/dev/null
fi
psql -X -At -c "SELECT query FROM bench_hot ORDER BY k" >"${ROOT}/target/apq-bench-queries.txt"
py=$(PYTHONPATH="${PY_DIR}" python3 - "${ROOT}/target/apq-bench-queries.txt" <<'PY'
import sys, time
from graphql import parse
queries = [l for l in open(sys.argv[1]).read().splitlines() if l]
for q in queries[:5]:
    parse(q)
n = 0
start = time.perf_counter()
while time.perf_counter() - start < 3:
    for q in queries:
        parse(q)
        n += 1
elapsed = time.perf_counter() - start
import graphql
print(f"{elapsed / n * 1000:.3f} ms per parse (graphql-core {graphql.__version__}, one core)")
PY
)
note "graphql-core: ${py}"

counting=$(python3 -c "import sys; l,s=map(float,sys.argv[1:]); print(f'{(1 - l / s) * 100:.1f}%')" "$l_tps" "$s_tps")
result="
## apq: ${CLIENTS} clients x ${DURATION} s per workload, $(date -u +%Y-%m-%d), $(nproc) cores

Hot set of 100 registered queries of about 2.5 kB (1,000 stored); pgbench -M prepared.

| workload | per second | p50 | p99 |
|---|---|---|---|
| fraiseql_apq_request, 90% hits / 10% new (miss + register) | ${p_tps} | ${p_50} ms | ${p_99} ms |
| fraiseql_apq_lookup (counted in shared memory) | ${l_tps} | ${l_50} ms | ${l_99} ms |
| plain SELECT ast by hash (not counted) | ${s_tps} | ${s_50} ms | ${s_99} ms |
| fraiseql_graphql_parse of the text every time | ${x_tps} | ${x_50} ms | ${x_99} ms |

- Counting cost: lookup throughput ${counting} below the uncounted SELECT.
- Summary view after the protocol workload: ${view} (consistent with the workload: ${implied}).
- Python graphql-core: ${py}.
"
printf "%s" "$result"
printf "%s" "$result" >>"${ROOT}/benches/results.md"
