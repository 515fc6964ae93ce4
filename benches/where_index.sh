#!/usr/bin/env bash
# Benchmark: fraiseql_where served by indexes (its planner support function) vs the
# compiled SQL (fraiseql_where_sql) vs hand-written native SQL, each with its best plan,
# on generated tv_ rows with a GIN jsonb_path_ops index and two btree expression indexes.
# Reports, per selective spec: median time of the literal query (planning + execution,
# EXPLAIN ANALYZE), mean latency of the prepared statement with the spec as a parameter
# after 10+ executions (pgbench -M prepared, plan_cache_mode = auto), the planner's row
# estimate against the rows returned, and the sequential scan the function got before.
# Appends the table to benches/results.md.
#   ROWS=1000000 REPEAT=5 ./benches/where_index.sh
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$(dirname "$0")/lib/router_config.sh"

ROWS="${ROWS:-1000000}"
REPEAT="${REPEAT:-5}"
PREPARED_RUNS="${PREPARED_RUNS:-300}"
ensure_prereqs
install_extension_release
trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster "shared_buffers = '1GB'
max_parallel_workers_per_gather = 0
jit = off"

phase "generating ${ROWS} tv_router_config rows and indexes"
create_router_configs "${ROWS}" "to_char(timestamptz '2026-01-01 00:00:00+00' + (i % 300) * interval '1 day' + (i % 24) * interval '1 hour',
                          'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE INDEX tv_router_config_data ON tv_router_config USING gin (data jsonb_path_ops);
CREATE INDEX tv_router_config_name ON tv_router_config ((data->>'config_name'));
CREATE INDEX tv_router_config_created ON tv_router_config (fraiseql_as_timestamptz(data->'created_at'));
ANALYZE tv_router_config;
SELECT pg_prewarm('tv_router_config') + pg_prewarm('tv_router_config_data') + pg_prewarm('tv_router_config_name')
     + pg_prewarm('tv_router_config_created') AS prewarmed_pages \\gset
SQL

# name | spec | types | native predicate (hand-written, literal) | native predicate with parameters | parameter values (;-separated)
CASES=(
"nested id = + isCurrent (GIN)|{\"machine\": {\"id\": {\"eq\": \"m8\"}}, \"isCurrent\": {\"eq\": true}}|{}|data @> '{\"machine\": {\"id\": \"m8\"}, \"is_current\": true}'|data @> :p1::jsonb|{\"machine\": {\"id\": \"m8\"}, \"is_current\": true}"
"typed date range, 1 day (btree fraiseql_as_timestamptz)|{\"createdAt\": {\"gte\": \"2026-03-01T00:00:00Z\", \"lt\": \"2026-03-02T00:00:00Z\"}}|{\"createdAt\": \"timestamptz\"}|fraiseql_as_timestamptz(data->'created_at') >= '2026-03-01T00:00:00Z' AND fraiseql_as_timestamptz(data->'created_at') < '2026-03-02T00:00:00Z'|fraiseql_as_timestamptz(data->'created_at') >= :p1::timestamptz AND fraiseql_as_timestamptz(data->'created_at') < :p2::timestamptz|2026-03-01T00:00:00Z;2026-03-02T00:00:00Z"
"OR of two equalities (btree ->>, BitmapOr)|{\"OR\": [{\"configName\": {\"eq\": \"config 42\"}}, {\"configName\": {\"eq\": \"config 4242\"}}]}|{}|data->>'config_name' = 'config 42' OR data->>'config_name' = 'config 4242'|data->>'config_name' = :p1 OR data->>'config_name' = :p2|config 42;config 4242"
"OR of two nested ids (GIN, BitmapOr)|{\"OR\": [{\"machine\": {\"id\": {\"eq\": \"m8\"}}}, {\"machine\": {\"id\": {\"eq\": \"m9\"}}}]}|{}|data @> '{\"machine\": {\"id\": \"m8\"}}' OR data @> '{\"machine\": {\"id\": \"m9\"}}'|data @> :p1::jsonb OR data @> :p2::jsonb|{\"machine\": {\"id\": \"m8\"}};{\"machine\": {\"id\": \"m9\"}}"
)

WORK="$(mktemp -d /tmp/fraiseql-bench.XXXXXX)"
cleanup() { stop_cluster; rm -rf "${WORK}"; }
trap cleanup EXIT

sqlq() { printf '%s' "$1" | sed "s/'/''/g"; }

# Medians of the planning + execution times in EXPLAIN (FORMAT JSON) output on stdin.
json_median() {
    python3 -c '
import json, sys
text, dec, i, times = sys.stdin.read(), json.JSONDecoder(), 0, []
while (j := text.find("[", i)) >= 0:
    obj, i = dec.raw_decode(text, j)
    times.append(obj[0]["Planning Time"] + obj[0]["Execution Time"])
times.sort()
print(round(times[(len(times) - 1) // 2], 4))'
}

# queries… → their median planning + execution ms (one per line), measured in one session
# (warm caches, as a pooled connection has them) after a warm-up run of each, in REPEAT
# rounds that run every query once, so that a change in the machine's load touches all
# of them alike
interleaved_ms() {
    local n="$#"
    { echo '\o /dev/null'; for q in "$@"; do echo "$q;"; done; echo '\o'
      for _ in $(seq "${REPEAT}"); do for q in "$@"; do echo "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $q;"; done; done; } \
        | psql -X -q -At -v ON_ERROR_STOP=1 | python3 -c '
import json, sys
text, dec, i, times = sys.stdin.read(), json.JSONDecoder(), 0, []
while (j := text.find("[", i)) >= 0:
    obj, i = dec.raw_decode(text, j)
    times.append(obj[0]["Planning Time"] + obj[0]["Execution Time"])
n = int(sys.argv[1])
for k in range(n):
    t = sorted(times[k::n])
    print(round(t[(len(t) - 1) // 2], 4))' "$n"
}

# query [settings] → median planning + execution ms over REPEAT runs in one session (warm
# caches, as a pooled connection has them), after a warm-up run
median_ms() {
    local q="$1" settings="${2:-}"
    { echo "${settings}"; echo '\o /dev/null'; echo "$q;"; echo '\o'
      for _ in $(seq "${REPEAT}"); do echo "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $q;"; done; } \
        | psql -X -q -At -v ON_ERROR_STOP=1 | json_median
}

# query → "estimated actual" rows of the top plan node
estimate() {
    psql -X -q -At -c "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $1" \
        | python3 -c 'import json,sys; p=json.load(sys.stdin)[0]["Plan"]; print(int(p["Plan Rows"]), int(p["Actual Rows"]))'
}

# query → top plan node kind (for the table: which plan each variant got)
plan_of() {
    psql -X -q -At -c "EXPLAIN (COSTS OFF) $1" | grep -oE 'Seq Scan|Bitmap Heap Scan|Index Scan|Index Only Scan|BitmapOr' | head -1
}

# mode (prepared|simple), pgbench script, -D definitions → mean latency (ms) per
# statement as the client sees it, over PREPARED_RUNS executions
client_ms() {
    local mode="$1" script="$2"; shift 2
    printf '%s\n' "${script}" >"${WORK}/q.sql"
    "${PG_BIN}/pgbench" -h "${PGHOST}" -p "${PGPORT}" -U "${PGUSER}" -n -M "${mode}" -c 1 -t "${PREPARED_RUNS}" \
        "$@" -f "${WORK}/q.sql" postgres 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
}

# mode, native script, fraiseql_where script, -D definitions → "native fraiseql_where":
# the medians of ROUNDS alternating runs of each
ROUNDS="${ROUNDS:-5}"
client_pair() {
    local mode="$1" nat="$2" fw="$3"; shift 3
    local a=() b=()
    for _ in $(seq "${ROUNDS}"); do
        a+=("$(client_ms "${mode}" "${nat}" "$@")")
        b+=("$(client_ms "${mode}" "${fw}" "$@")")
    done
    python3 -c '
import sys
n = int(sys.argv[1]); v = list(map(float, sys.argv[2:]))
med = lambda xs: sorted(xs)[(len(xs) - 1) // 2]
print(med(v[:n]), med(v[n:]))' "${ROUNDS}" "${a[@]}" "${b[@]}"
}

phase "measuring (median of ${REPEAT}; client latencies: median of ${ROUNDS} alternating runs of ${PREPARED_RUNS} executions; no parallel workers)"
out="| case | rows | native ms (plan) | fraiseql_where | compiled SQL | client, literal: native ms | client, literal: fraiseql_where | prepared: native ms | prepared: fraiseql_where | rows estimated: native / fraiseql_where | before: seq scan ms |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
chmod 755 "${WORK}"
for c in "${CASES[@]}"; do
    IFS='|' read -r name spec types native native_p params <<<"$c"
    lit=$(sqlq "$spec")
    tlit=$(sqlq "$types")
    compiled=$(psql -X -At -c "SELECT fraiseql_where_sql('${lit}', 'data', '${tlit}')")
    q_fn="SELECT id FROM tv_router_config WHERE fraiseql_where(data, '${lit}', '${tlit}')"
    q_sql="SELECT id FROM tv_router_config WHERE ${compiled}"
    q_nat="SELECT id FROM tv_router_config WHERE ${native}"
    n_fn=$(psql -X -At -c "SELECT count(*) FROM (${q_fn}) q")
    n_sql=$(psql -X -At -c "SELECT count(*) FROM (${q_sql}) q")
    n_nat=$(psql -X -At -c "SELECT count(*) FROM (${q_nat}) q")
    [ "$n_nat" = "$n_fn" ] && [ "$n_fn" = "$n_sql" ] || die "$name: row counts differ: native $n_nat, function $n_fn, compiled $n_sql"
    plan_fn=$(plan_of "$q_fn"); plan_nat=$(plan_of "$q_nat")
    [ "$plan_fn" != "Seq Scan" ] || die "$name: fraiseql_where did not use an index"
    { read -r t_nat; read -r t_fn; read -r t_sql; } < <(interleaved_ms "$q_nat" "$q_fn" "$q_sql")
    t_seq=$(median_ms "$q_fn" "SET enable_indexscan = off; SET enable_bitmapscan = off;")
    read -r est_nat act <<<"$(estimate "$q_nat")"
    read -r est_fn act_fn <<<"$(estimate "$q_fn")"
    # Prepared statements, parameters bound by pgbench (-M prepared), 10+ executions.
    defs=(-D "spec=${spec}" -D "types=${types}")
    IFS=';' read -r -a pvals <<<"$params"
    for i in "${!pvals[@]}"; do defs+=(-D "p$((i + 1))=${pvals[$i]}"); done
    read -r p_nat p_fn <<<"$(client_pair prepared "SELECT id FROM tv_router_config WHERE ${native_p};" \
        "SELECT id FROM tv_router_config WHERE fraiseql_where(data, :spec::jsonb, :types::jsonb);" "${defs[@]}")"
    # The literal statements as a client sends them (parsed and planned every time).
    read -r l_nat l_fn <<<"$(client_pair simple "${q_nat};" "${q_fn};")"
    row=$(python3 -c "
import sys
n, f, s, p_n, p_f, seq, l_n, l_f = map(float, sys.argv[1:7] + sys.argv[12:14])
ms = lambda t: f'{t:.3g}' if t < 100 else f'{t:.0f}'
print(f'{ms(n)} ({sys.argv[7]}) | {ms(f)} ms ({f/n:.2f}x, {sys.argv[8]}) | {ms(s)} ms ({s/n:.2f}x) | {ms(l_n)} | {ms(l_f)} ms ({l_f/l_n:.2f}x) | {ms(p_n)} | {ms(p_f)} ms ({p_f/p_n:.2f}x) | {sys.argv[9]} / {sys.argv[10]} of {sys.argv[11]} | {seq:.0f}')
" "$t_nat" "$t_fn" "$t_sql" "$p_nat" "$p_fn" "$t_seq" "$plan_nat" "$plan_fn" "$est_nat" "$est_fn" "$act" "$l_nat" "$l_fn")
    out+="| ${name} | ${n_nat} | ${row} |\n"
    note "${name}: ${row}"
done

# The bind-parameter choice: what a generic plan would cost (see docs/where.md, "Indexes").
spec1='{"machine": {"id": {"eq": "m8"}}, "isCurrent": {"eq": true}}'
t_generic=$(psql -X -q -At -v ON_ERROR_STOP=1 <<SQL | json_median
SET plan_cache_mode = force_generic_plan;
PREPARE g(jsonb) AS SELECT id FROM tv_router_config WHERE fraiseql_where(data, \$1);
\\o /dev/null
EXECUTE g('$(sqlq "$spec1")');
\\o
EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE g('$(sqlq "$spec1")');
SQL
)
t_fullgin=$(median_ms "SELECT id FROM tv_router_config WHERE data @> '{}' AND fraiseql_where(data, '{\"version\": {\"gt\": 15}}')" "SET enable_seqscan = off;")
t_seqnone=$(median_ms "SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{\"version\": {\"gt\": 15}}')")
custom=$({ echo 'PREPARE a(jsonb) AS SELECT id FROM tv_router_config WHERE fraiseql_where(data, $1);'
          echo '\o /dev/null'
          for _ in $(seq 12); do echo "EXECUTE a('$(sqlq "$spec1")');"; done
          echo '\o'
          echo "SELECT generic_plans || ' generic, ' || custom_plans || ' custom' FROM pg_prepared_statements WHERE name = 'a';"
        } | psql -X -q -At -v ON_ERROR_STOP=1)

result="\n## where_index: ${ROWS} rows, $(date -u +%Y-%m-%d), $(nproc) cores\n\n${out}
GIN \`jsonb_path_ops\` index on \`data\`, btree indexes on \`(data->>'config_name')\` and
\`fraiseql_as_timestamptz(data->'created_at')\`, data prewarmed, no parallel workers. Literal
queries: median planning + execution time (EXPLAIN ANALYZE, one warm session, the three forms
run in turn in each of ${REPEAT} rounds) of \`SELECT id … WHERE …\`, ratio to
the hand-written native query with its best plan (plan node in parentheses). Client
latencies (\`pgbench\`, one client over the Unix socket, the median of ${ROUNDS} alternating
runs of the mean latency over ${PREPARED_RUNS} executions): "literal", the statement text sent
each time (\`-M simple\`: parsed and planned every time); "prepared", the statement with the
spec (or the native values) as bound parameters (\`-M prepared\`, plan_cache_mode = auto). \"before\": the same
\`fraiseql_where\` query forced to a sequential scan, which is what it always got without a
planner support function.

Bind parameters (case 1's spec): after 12 executions under \`auto\` the statement has ${custom} plans;
a forced generic plan runs ${t_generic} ms (the spec unknown: a sequential scan). The rejected
alternative, an index condition computed from the parameter at run time, scans the whole GIN
index when the spec has nothing indexable: \`{\"version\": {\"gt\": 15}}\` took ${t_fullgin} ms that way
against ${t_seqnone} ms as a sequential scan.
"
printf "%b" "$result"
printf "%b" "$result" >>"${ROOT}/benches/results.md"
