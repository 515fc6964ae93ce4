#!/usr/bin/env bash
# Benchmark: a GraphQL request through fraiseql_execute against the same work hand-called
# through fraiseql_query (the target: at most 1.2x on a cached operation); an operation
# seen for the first time (parsed and validated) against a cached one; and a 2 kB persisted
# query sent by hash against the same text parsed every time. Per-request latency from
# pgbench (one client, prepared statements, DURATION seconds per case) on one throwaway
# cluster. Checks first that both sides of each comparison return the same response.
# Appends a table to benches/results.md.
#   ROWS=10000 DURATION=10 ./benches/execute.sh    (SKIP_INSTALL=1: the build already installed)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

ROWS="${ROWS:-10000}"
DURATION="${DURATION:-10}"
ensure_prereqs
[ -n "${SKIP_INSTALL:-}" ] || install_extension_release
trap 'stop_cluster; rm -rf "${WORK:-}"' EXIT
trap 'exit 130' INT TERM
start_cluster "shared_buffers = '256MB'
max_parallel_workers_per_gather = 0
jit = off"
WORK="$(mktemp -d /tmp/fraiseql-bench-execute.XXXXXX)"
chmod 755 "${WORK}"

phase "generating ${ROWS} router configurations"
psql -X -q -v ON_ERROR_STOP=1 -v rows="${ROWS}" <<'SQL'
CREATE EXTENSION fraiseql;
CREATE TABLE tv_router_config (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_router_config
SELECT i, jsonb_build_object('id', 'c' || i, 'config_name', 'config ' || i, 'version', i % 10,
    'is_current', i % 5 = 0, 'created_at', to_char(timestamptz '2026-01-01' + i * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'management_ip', '10.0.' || (i / 250) % 250 || '.' || i % 250, 'tags', jsonb_build_array('edge', 'eu'),
    'machine', jsonb_build_object('id', 'm' || i % 50, 'name', 'machine ' || i % 50, 'serial', 'SN-' || i % 50,
                                  'location', jsonb_build_object('city', 'Paris', 'rack_unit', i % 40)))
FROM generate_series(1, :rows) i;
CREATE INDEX ON tv_router_config USING gin (data jsonb_path_ops);
VACUUM ANALYZE tv_router_config;
SELECT fraiseql_register_types('{"RouterConfig": {"machine": "Machine"}, "Machine": {"location": "Location"}, "Location": {}}');
SELECT fraiseql_register_schema($$
  type Location { city: String rackUnit: Int }
  type Machine { id: ID! name: String! serial: String location: Location }
  type RouterConfig { id: ID! configName: String! version: Int isCurrent: Boolean createdAt: DateTime
                      managementIp: IpAddress tags: [String!] machine: Machine }
  type Query { routerConfigs: [RouterConfig!]! @view(name: "tv_router_config") }
$$);
SQL

SEL='{ id configName isCurrent createdAt machine { name } }'
Q_SMALL='{ routerConfigs(where: {isCurrent: {eq: true}}, orderBy: [{createdAt: DESC}], limit: 20) { id configName isCurrent createdAt machine { name } } }'
QUERY_SMALL="fraiseql_query('tv_router_config', 'routerConfigs', '${SEL}', 'RouterConfig', \"where\" => '{\"isCurrent\": {\"eq\": true}}', order_by => '{\"createdAt\": \"DESC\"}', types => '{\"createdAt\": \"timestamptz\"}', \"limit\" => 20)"
Q_LARGE='{ routerConfigs(orderBy: [{createdAt: DESC}], limit: 1000) { id configName isCurrent createdAt machine { name } } }'
QUERY_LARGE="fraiseql_query('tv_router_config', 'routerConfigs', '${SEL}', 'RouterConfig', order_by => '{\"createdAt\": \"DESC\"}', types => '{\"createdAt\": \"timestamptz\"}', \"limit\" => 1000)"
Q_EQ='{ routerConfigs(where: {machine: {id: {eq: "m10"}}, isCurrent: {eq: true}}) { id configName isCurrent createdAt machine { name } } }'
QUERY_EQ="fraiseql_query('tv_router_config', 'routerConfigs', '${SEL}', 'RouterConfig', \"where\" => '{\"machine\": {\"id\": {\"eq\": \"m10\"}}, \"isCurrent\": {\"eq\": true}}')"

# A 2 kB operation: three aliased root fields and a fragment, as a dashboard sends it.
FRAG='fragment Cfg on RouterConfig { id configName version isCurrent createdAt managementIp tags machine { id name serial location { city rackUnit } } }'
BIG="query Dashboard(\$n: Int = 2) {"
for k in $(seq 1 12); do
    BIG+=" r${k}: routerConfigs(where: {machine: {id: {eq: \"m${k}\"}}, version: {in: [$((k % 10)), 99]}}, orderBy: [{createdAt: DESC}], limit: \$n) { ...Cfg }"
done
BIG+=" } ${FRAG}"
HASH="$(psql -X -At -v q="${BIG}" <<<"SELECT fraiseql_apq_register(:'q')")"
note "the persisted query is $(printf '%s' "${BIG}" | wc -c) bytes, hash ${HASH}"

sql_literal() { python3 -c "import sys; s = sys.argv[1]; print(\"'\" + s.replace(\"'\", \"''\") + \"'\")" "$1"; }
json_request() { python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}) if sys.argv[1] else json.dumps({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sys.argv[2]}}}))' "$1" "$2"; }

phase "checking that both sides of each comparison answer the same"
for pair in "Q_SMALL QUERY_SMALL" "Q_LARGE QUERY_LARGE" "Q_EQ QUERY_EQ"; do
    set -- $pair
    a="$(psql -X -At -c "SELECT fraiseql_execute($(sql_literal "${!1}"))")"
    b="$(psql -X -At -c "SELECT ${!2}")"
    [ "$a" = "$b" ] || die "$1: fraiseql_execute and fraiseql_query differ"
    note "$1: identical ($(printf '%s' "$a" | wc -c) bytes)"
done
a="$(psql -X -At -c "SELECT fraiseql_execute($(sql_literal "$(json_request "" "${HASH}")")::jsonb)")"
b="$(psql -X -At -c "SELECT fraiseql_execute($(sql_literal "${BIG}"))")"
[ "$a" = "$b" ] && [ "${a#\{\"data\"}" != "$a" ] || die "the persisted query and its text differ, or fail"
note "persisted query: identical ($(printf '%s' "$a" | wc -c) bytes)"

# Latency of one pgbench script (mean, ms); the script is given as its text.
latency() {
    local f="${WORK}/script.$RANDOM.sql"
    printf '%s\n' "$1" >"$f"
    pgbench -n -M prepared -c 1 -T "${DURATION}" -f "$f" 2>&1 | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}x')" "$1" "$2"; }

phase "measuring (pgbench, 1 client, ${DURATION} s per case, mean latency)"
out="| case | fraiseql_execute | baseline | ratio |\n|---|---|---|---|\n"
row() { # label execute-script baseline-script baseline-label
    local e b
    e="$(latency "$2")"
    b="$(latency "$3")"
    out+="| $1 | ${e} ms | ${b} ms ($4) | $(ratio "$e" "$b") |\n"
    note "$1: ${e} ms vs ${b} ms ($4): $(ratio "$e" "$b")"
}
row "cached operation, 20 of ${ROWS} rows (filter, order, limit)" \
    "SELECT fraiseql_execute($(sql_literal "${Q_SMALL}"));" "SELECT ${QUERY_SMALL};" "fraiseql_query"
row "cached operation, 1,000 rows shaped" \
    "SELECT fraiseql_execute($(sql_literal "${Q_LARGE}"));" "SELECT ${QUERY_LARGE};" "fraiseql_query"
row "cached operation, GIN equality (200 rows)" \
    "SELECT fraiseql_execute($(sql_literal "${Q_EQ}"));" "SELECT ${QUERY_EQ};" "fraiseql_query"
# A comment that changes with every request makes every document new: parsed, validated
# and planned each time.
row "first-time operation (parse, validate, plan) vs cached" \
    "\\set r random(1, 1000000000)
SELECT fraiseql_execute('# ' || :r || chr(10) || $(sql_literal "${Q_SMALL}"));" \
    "SELECT fraiseql_execute($(sql_literal "${Q_SMALL}"));" "the same, cached"
row "2 kB persisted query by hash (cached) vs its text parsed every time" \
    "SELECT fraiseql_execute($(sql_literal "$(json_request "" "${HASH}")")::jsonb);" \
    "\\set r random(1, 1000000000)
SELECT fraiseql_execute('# ' || :r || chr(10) || $(sql_literal "${BIG}"));" "text, parsed every time"
row "2 kB query as text (cached, no APQ) vs by hash" \
    "SELECT fraiseql_execute($(sql_literal "${BIG}"));" \
    "SELECT fraiseql_execute($(sql_literal "$(json_request "" "${HASH}")")::jsonb);" "by hash"

result="\n## execute: ${ROWS} rows, $(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)\n\n${out}
Mean latency per request (pgbench -M prepared, one client, ${DURATION} s per case), data
prewarmed by the checks, GIN \`jsonb_path_ops\` index on \`data\`. Each \`fraiseql_execute\`
and \`fraiseql_query\` pair returns the same bytes (checked before measuring). \"First-time\":
a comment that changes per request makes every document new to the backend's cache.
"
printf "%b" "$result"
printf "%b" "$result" >>"${ROOT}/benches/results.md"
