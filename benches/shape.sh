#!/usr/bin/env bash
# Benchmark: fraiseql_shape_agg vs the equivalent hand-written json_build_object/json_agg
# SQL vs SELECT json_agg(data) (the floor: no reshaping at all), for three document shapes
# and 10 / 1,000 / 10,000 rows, side by side in one run on one throwaway cluster.
# Every variant is run over 10,000 rows in total (the 10-row set 1,000 times), so the
# per-row cost is compared at equal work. Appends a table to benches/results.md.
#   REPEAT=5 ./benches/shape.sh
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

REPEAT="${REPEAT:-5}"
ensure_prereqs
install_extension_release
trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster "shared_buffers = '512MB'
max_parallel_workers_per_gather = 0
jit = off"

phase "generating documents"
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION fraiseql;
CREATE EXTENSION pg_prewarm;
-- (a) a 10-field object
CREATE TABLE tv_a (n int, data jsonb);
INSERT INTO tv_a SELECT i, jsonb_build_object('id', i, 'name', 'user ' || i, 'is_active', i % 2 = 0, 'score', i * 1.5,
    'created_at', '2026-01-01'::date + i % 365, 'email', 'u' || i || '@example.com', 'city', 'Paris', 'country', 'FR',
    'tags', jsonb_build_array('a', 'b'), 'rank', i % 100)
FROM generate_series(1, 10000) i;
-- (b) a 60-field wide object (about 3 kB: stored compressed)
CREATE TABLE tv_b (n int, data jsonb);
INSERT INTO tv_b SELECT i, (SELECT jsonb_object_agg('field_' || f, 'value ' || f || ' of row ' || i || ' ' || repeat(chr(97 + f % 26), 24))
                           FROM generate_series(1, 60) f) || jsonb_build_object('id', i)
FROM generate_series(1, 10000) i;
-- (c) three nesting levels and a list of 15 nested objects
CREATE TABLE tv_c (n int, data jsonb);
INSERT INTO tv_c SELECT i, jsonb_build_object('id', i, 'name', 'order ' || i,
    'owner', jsonb_build_object('id', i % 97, 'name', 'owner ' || i % 97,
             'address', jsonb_build_object('city', 'Lyon', 'geo', jsonb_build_object('lat', 45.76, 'lng', 4.84))),
    'items', (SELECT jsonb_agg(jsonb_build_object('id', k, 'sku', 'SKU-' || k, 'qty', k % 4 + 1, 'price', k * 2.5,
                                                  'product', jsonb_build_object('name', 'product ' || k, 'category', 'cat ' || k % 3)))
              FROM generate_series(1, 15) k))
FROM generate_series(1, 10000) i;
VACUUM ANALYZE tv_a; VACUUM ANALYZE tv_b; VACUUM ANALYZE tv_c;
SELECT pg_prewarm('tv_a') + pg_prewarm('tv_b') + pg_prewarm('tv_c') AS pages \gset
SQL
note "stored size per row: $(psql -X -At -c "SELECT format('a %s B, b %s B (raw %s B), c %s B', (SELECT avg(pg_column_size(data))::int FROM tv_a), (SELECT avg(pg_column_size(data))::int FROM tv_b), (SELECT avg(length(data::text))::int FROM tv_b), (SELECT avg(pg_column_size(data))::int FROM tv_c))")"

SEL_A='{ id name isActive score createdAt email city country tags rank }'
HAND_A="json_build_object('id', data->'id', 'name', data->'name', 'isActive', data->'is_active', 'score', data->'score', 'createdAt', data->'created_at', 'email', data->'email', 'city', data->'city', 'country', data->'country', 'tags', data->'tags', 'rank', data->'rank')"
SEL_B='{ id field_1 field_7 field_13 field_19 field_25 field_31 field_37 field_43 field_49 field_55 }'
HAND_B="json_build_object('id', data->'id', 'field1', data->'field_1', 'field7', data->'field_7', 'field13', data->'field_13', 'field19', data->'field_19', 'field25', data->'field_25', 'field31', data->'field_31', 'field37', data->'field_37', 'field43', data->'field_43', 'field49', data->'field_49', 'field55', data->'field_55')"
SEL_C='{ id name owner { id name address { city geo { lat lng } } } items { id sku qty price product { name category } } }'
HAND_C="json_build_object('id', data->'id', 'name', data->'name', 'owner', json_build_object('id', data->'owner'->'id', 'name', data->'owner'->'name', 'address', json_build_object('city', data->'owner'->'address'->'city', 'geo', json_build_object('lat', data->'owner'->'address'->'geo'->'lat', 'lng', data->'owner'->'address'->'geo'->'lng'))), 'items', (SELECT json_agg(json_build_object('id', e->'id', 'sku', e->'sku', 'qty', e->'qty', 'price', e->'price', 'product', json_build_object('name', e->'product'->'name', 'category', e->'product'->'category'))) FROM jsonb_array_elements(data->'items') e))"

median_ms() {
    local q="$1" times=()
    psql -X -q -At -c "$q" >/dev/null
    for _ in $(seq "${REPEAT}"); do
        times+=("$(psql -X -q -At -c "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $q" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])')")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# The aggregate over the first $rows rows, run 10000/$rows times (correlated, so not cached).
wrap() { # agg-expression rows table
    local loops=$(( 10000 / $2 ))
    echo "SELECT count(x) FROM generate_series(1, ${loops}) g, LATERAL (SELECT $1 AS x FROM $3 WHERE n <= $2 AND g.g > 0) s"
}

phase "checking that the hand-written SQL and fraiseql_shape_agg produce the same JSON"
for t in a b c; do
    sel_var="SEL_${t^^}"; hand_var="HAND_${t^^}"
    same=$(psql -X -At -c "SELECT (SELECT fraiseql_shape_agg(data, '${!sel_var}' ORDER BY n) FROM tv_$t WHERE n <= 50)::jsonb = (SELECT json_agg(${!hand_var} ORDER BY n) FROM tv_$t WHERE n <= 50)::jsonb")
    [ "$same" = "t" ] || die "shape $t: fraiseql_shape_agg and the hand-written SQL differ"
    note "shape $t: identical"
done

phase "measuring (median of ${REPEAT}; 10,000 rows shaped per measurement)"
out="| document | rows per call | json_agg(data) floor | fraiseql_shape_agg | hand-written SQL |\n|---|---|---|---|---|\n"
for t in a b c; do
    sel_var="SEL_${t^^}"; hand_var="HAND_${t^^}"
    for rows in 10 1000 10000; do
        floor=$(median_ms "$(wrap "json_agg(data)" "$rows" "tv_$t")")
        fq=$(median_ms "$(wrap "fraiseql_shape_agg(data, '${!sel_var}')" "$rows" "tv_$t")")
        hand=$(median_ms "$(wrap "json_agg(${!hand_var})" "$rows" "tv_$t")")
        row=$(python3 -c "import sys; f,q,h=map(float,sys.argv[1:]); print(f'{f:.1f} ms | {q:.1f} ms ({q/f:.2f}x) | {h:.1f} ms ({h/f:.2f}x)')" "$floor" "$fq" "$hand")
        out+="| ($t) | ${rows} | ${row} |\n"
        note "($t) ${rows} rows: ${row}"
    done
done
label="(a) 10-field object; (b) 60-field object stored compressed, 11 fields selected; (c) 3 nesting levels + list of 15 objects"
result="\n## shape: $(date -u +%Y-%m-%d), $(nproc) cores\n\n${label}.\n\n${out}"
printf "%b" "$result"
printf "%b" "$result" >>"${ROOT}/benches/results.md"
