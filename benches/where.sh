#!/usr/bin/env bash
# Benchmark: fraiseql_where vs the hand-written native predicate vs the compiled SQL
# (fraiseql_where_sql) on generated tv_ rows, side by side in one run on one throwaway
# cluster. Prints a table of median times and ratios to native and appends it to
# benches/results.md.
#   ROWS=1000000 REPEAT=5 ./benches/where.sh
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$(dirname "$0")/lib/router_config.sh"

ROWS="${ROWS:-1000000}"
REPEAT="${REPEAT:-5}"
ensure_prereqs
install_extension_release
trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster "shared_buffers = '1GB'
max_parallel_workers_per_gather = 0
jit = off"

phase "generating ${ROWS} tv_router_config rows"
create_router_configs "${ROWS}" "'2026-01-01'::date + (i % 300)"

# name | spec | native predicate
CASES=(
"machine.id + is_current|{\"machine\": {\"id\": {\"eq\": \"m8\"}}, \"is_current\": {\"eq\": true}}|data->'machine'->>'id' = 'm8' AND (data->>'is_current')::boolean"
"version > 10 (numeric)|{\"version\": {\"gt\": 10}}|(data->>'version')::numeric > 10"
"OR of city / name prefix|{\"OR\": [{\"machine\": {\"location\": {\"city\": {\"eq\": \"Lyon\"}}}}, {\"config_name\": {\"startswith\": \"config 99\"}}]}|data->'machine'->'location'->>'city' = 'Lyon' OR data->>'config_name' LIKE 'config 99%'"
"NOT in list|{\"NOT\": {\"version\": {\"in\": [1, 2, 3]}}}|NOT ((data->>'version')::numeric IN (1, 2, 3))"
"array contains tag|{\"tags\": {\"array_contains\": \"t3\"}}|data->'tags' @> '[\"t3\"]'"
"date hint: created_at >= (typed)|{\"created_at\": {\"gte\": \"2026-09-01\"}}|(data->>'created_at')::date >= '2026-09-01'"
"any tag starts with t6 (quantifier)|{\"tags\": {\"any\": {\"startswith\": \"t6\"}}}|EXISTS (SELECT 1 FROM jsonb_array_elements_text(data->'tags') t WHERE t LIKE 't6%')"
)
TYPES='{"created_at": "date"}'

median_ms() { # query → median execution time in ms over REPEAT runs (EXPLAIN ANALYZE)
    local q="$1" times=()
    psql -X -q -At -c "$q" >/dev/null  # warm
    for _ in $(seq "${REPEAT}"); do
        times+=("$(psql -X -q -At -c "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $q" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])')")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

phase "measuring (median of ${REPEAT}, sequential scans, no parallel workers)"
out="| case | rows matched | native ms | fraiseql_where | compiled SQL |\n|---|---|---|---|---|\n"
for c in "${CASES[@]}"; do
    IFS='|' read -r name spec native <<<"$c"
    lit=$(printf '%s' "$spec" | sed "s/'/''/g")
    compiled=$(psql -X -At -c "SELECT fraiseql_where_sql('${lit}', 'data', '${TYPES}')")
    n_native=$(psql -X -At -c "SELECT count(*) FROM tv_router_config WHERE ${native}")
    n_fn=$(psql -X -At -c "SELECT count(*) FROM tv_router_config WHERE fraiseql_where(data, '${lit}', '${TYPES}')")
    n_sql=$(psql -X -At -c "SELECT count(*) FROM tv_router_config WHERE ${compiled}")
    [ "$n_native" = "$n_fn" ] && [ "$n_fn" = "$n_sql" ] || die "$name: row counts differ: native $n_native, function $n_fn, compiled $n_sql"
    t_native=$(median_ms "SELECT count(*) FROM tv_router_config WHERE ${native}")
    t_fn=$(median_ms "SELECT count(*) FROM tv_router_config WHERE fraiseql_where(data, '${lit}', '${TYPES}')")
    t_sql=$(median_ms "SELECT count(*) FROM tv_router_config WHERE ${compiled}")
    row=$(python3 -c "import sys; n,f,s=map(float,sys.argv[1:]); print(f'{n:.0f} | {f:.0f} ms ({f/n:.2f}x) | {s:.0f} ms ({s/n:.2f}x)')" "$t_native" "$t_fn" "$t_sql")
    out+="| ${name} | ${n_native} | ${row} |\n"
    note "${name}: ${row}"
done

result="\n## where: ${ROWS} rows, $(date -u +%Y-%m-%d), $(nproc) cores\n\n${out}"
printf "%b" "$result"
printf "%b" "$result" >>"${ROOT}/benches/results.md"
