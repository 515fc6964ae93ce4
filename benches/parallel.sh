#!/usr/bin/env bash
# Benchmark: parallel query with fraiseql's PARALLEL SAFE functions. The same statements
# over generated tv_ rows with max_parallel_workers_per_gather = 0 and = WORKERS
# (default 2), sequential scans, side by side in one run on one throwaway cluster; checks
# that both give the same answer and that the parallel plan launched its workers. Prints
# a table of median times and the speedup, and appends it to benches/results.md.
#   ROWS=1000000 REPEAT=5 WORKERS=2 ./benches/parallel.sh
# FRAISEQL_PACKAGE=<a `cargo pgrx package` output directory> measures that build in a
# relocated copy of the PostgreSQL 15 server (its lib and share directories linked under
# a temporary root, the fraiseql files replaced): nothing is installed into the system,
# whatever build other work has installed there. FRAISEQL_USE_INSTALLED=1 measures the
# installed build. Otherwise this tree's release build is installed first.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$(dirname "$0")/lib/router_config.sh"

ROWS="${ROWS:-1000000}"
REPEAT="${REPEAT:-5}"
WORKERS="${WORKERS:-2}"
ensure_prereqs
BENCH_ROOT=""
if [ -n "${FRAISEQL_PACKAGE:-}" ]; then
    [ -f "${FRAISEQL_PACKAGE}/usr/lib/postgresql/${PG_MAJOR}/lib/fraiseql.so" ] || die "no fraiseql.so in ${FRAISEQL_PACKAGE}"
    BENCH_ROOT="$(mktemp -d /tmp/fraiseql-bench-root.XXXXXX)"
    chmod 755 "${BENCH_ROOT}"
    mkdir -p "${BENCH_ROOT}/usr/lib/postgresql" "${BENCH_ROOT}/usr/share/postgresql"
    # PostgreSQL finds its share and lib directories relative to its binary.
    cp -al "/usr/lib/postgresql/${PG_MAJOR}" "${BENCH_ROOT}/usr/lib/postgresql/"
    cp -al "/usr/share/postgresql/${PG_MAJOR}" "${BENCH_ROOT}/usr/share/postgresql/"
    rm -f "${BENCH_ROOT}/usr/lib/postgresql/${PG_MAJOR}/lib/fraiseql.so" "${BENCH_ROOT}/usr/share/postgresql/${PG_MAJOR}/extension"/fraiseql*
    cp -r "${FRAISEQL_PACKAGE}/usr/." "${BENCH_ROOT}/usr/"
    PG_BIN="${BENCH_ROOT}/usr/lib/postgresql/${PG_MAJOR}/bin"
    note "measuring the package in ${FRAISEQL_PACKAGE} (server relocated under ${BENCH_ROOT})"
elif [ "${FRAISEQL_USE_INSTALLED:-0}" != 1 ]; then
    install_extension_release
fi
cleanup() { stop_cluster; [ -z "${BENCH_ROOT}" ] || rm -rf "${BENCH_ROOT}"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
start_cluster "shared_buffers = '1GB'
max_worker_processes = 16
max_parallel_workers = 16
jit = off"

phase "generating ${ROWS} tv_router_config rows"
create_router_configs "${ROWS}" "'2026-01-01'::date + (i % 300)"

# name | statement
CASES=(
"count, fraiseql_where (machine.id + isCurrent)|SELECT count(*) FROM tv_router_config WHERE fraiseql_where(data, '{\"machine\": {\"id\": {\"eq\": \"m8\"}}, \"isCurrent\": {\"eq\": true}}')"
"count, fraiseql_where (OR, string prefix)|SELECT count(*) FROM tv_router_config WHERE fraiseql_where(data, '{\"OR\": [{\"machine\": {\"location\": {\"city\": {\"eq\": \"Lyon\"}}}}, {\"configName\": {\"startswith\": \"config 99\"}}]}')"
"count, native ->> predicate (reference)|SELECT count(*) FROM tv_router_config WHERE data->'machine'->>'id' = 'm8' AND (data->>'is_current')::boolean"
"fraiseql_shape_agg of the filtered rows|SELECT length(fraiseql_shape_agg(data, '{ id configName machine { name } }')::text) FROM tv_router_config WHERE fraiseql_where(data, '{\"machine\": {\"id\": {\"in\": [\"m1\", \"m2\", \"m3\"]}}}')"
)

# One execution time in ms (EXPLAIN ANALYZE) of a statement with that many workers.
run_ms() {
    psql -X -q -At -c "SET max_parallel_workers_per_gather = $2" -c "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $1" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load_before="$(cut -d' ' -f1 /proc/loadavg)"
phase "measuring (median of ${REPEAT}; 0 vs ${WORKERS} parallel workers; load average ${load_before})"
out="| statement | answer | no workers | ${WORKERS} workers | speedup | workers launched |\n|---|---|---|---|---|---|\n"
for c in "${CASES[@]}"; do
    IFS='|' read -r name q <<<"$c"
    serial=$(psql -X -q -At -c "SET max_parallel_workers_per_gather = 0" -c "$q")
    parallel=$(psql -X -q -At -c "SET max_parallel_workers_per_gather = ${WORKERS}" -c "$q")
    [ "${serial}" = "${parallel}" ] || die "${name}: answers differ: ${serial} without workers, ${parallel} with"
    launched=$(psql -X -q -At -c "SET max_parallel_workers_per_gather = ${WORKERS}" \
        -c "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $q" | python3 -c '
import json, sys
def walk(n):
    yield n
    for c in n.get("Plans", []): yield from walk(c)
plan = json.load(sys.stdin)[0]["Plan"]
print(sum(n.get("Workers Launched", 0) for n in walk(plan)))')
    [ "${launched}" -ge 1 ] || die "${name}: the parallel plan launched no worker"
    # Interleaved, so that a change in the machine's load hits both columns alike.
    run_ms "$q" 0 >/dev/null
    run_ms "$q" "${WORKERS}" >/dev/null
    s0=() sn=()
    for _ in $(seq "${REPEAT}"); do
        s0+=("$(run_ms "$q" 0)")
        sn+=("$(run_ms "$q" "${WORKERS}")")
    done
    t0=$(printf '%s\n' "${s0[@]}" | median)
    tn=$(printf '%s\n' "${sn[@]}" | median)
    row=$(python3 -c "import sys; a,b=map(float,sys.argv[1:]); print(f'{a:.0f} ms | {b:.0f} ms | {a/b:.2f}x')" "$t0" "$tn")
    out+="| ${name} | ${serial} | ${row} | ${launched} |\n"
    note "${name}: ${row} (${launched} launched)"
done
load_after="$(cut -d' ' -f1 /proc/loadavg)"

result="\n## parallel: ${ROWS} rows, $(date -u +%Y-%m-%d), $(nproc) cores, load average ${load_before} → ${load_after}\n\n${out}
Sequential scans of the whole table (no index), data prewarmed, jit off; \`EXPLAIN ANALYZE\`
execution time, median of ${REPEAT} runs alternating between the two settings; the leader also scans, so ${WORKERS} workers make
$((WORKERS + 1)) processes on $(nproc) cores. \`fraiseql_where\` is PARALLEL SAFE: each
worker evaluates the spec on its share of the rows. \`fraiseql_shape_agg\` has no combine
function, so the rows are filtered in parallel and shaped by the leader.\n"
printf "%b" "$result"
printf "%b" "$result" >>"${ROOT}/benches/results.md"
