#!/usr/bin/env bash
# Load and faults, on a cluster with the library preloaded:
#   1. pgbench, 8 clients x LOAD_SECONDS (default 60) of a mixed workload (filter with
#      fraiseql_where, shape with fraiseql_shape_agg, APQ lookup and register) run by an
#      unprivileged role: zero failed transactions, and the APQ counters equal the
#      transactions pgbench counted, per kind;
#   2. one backend running the same mix 4,000 more times: its RSS (Rust heap included,
#      which pg_backend_memory_contexts cannot see) grows by less than 4 MB after warm-up;
#   3. a backend killed with SIGKILL in the middle of registrations, then the whole
#      cluster stopped with pg_ctl stop -m immediate under load: after each recovery the
#      APQ table is consistent (every hash is the SHA-256 of its query, the primary key
#      index agrees with the heap under amcheck, nothing half-written);
#   4. pg_terminate_backend ends a long fraiseql_where call within 2 s;
#   5. DROP EXTENSION leaves no fraiseql object behind, and CREATE EXTENSION works again.
# Prints "load_faults: N passed, 0 failed" or fails.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

ensure_pg_user
trap 'stop_cluster; [ -n "${KEEP_WORK:-}" ] || rm -rf "${WORK:-}"' EXIT
trap 'exit 130' INT TERM
start_cluster "shared_preload_libraries = 'fraiseql'
max_connections = 40" >/dev/null
WORK="$(mktemp -d)"
chmod 755 "${WORK}"
LOAD_SECONDS="${LOAD_SECONDS:-60}"
passed=0
check() { # name, condition (0 = ok), detail
    if [ "$2" -eq 0 ]; then
        passed=$(( passed + 1 ))
        note "ok: $1 ($3)"
    else
        echo "load_faults: FAILED $1 ($3)"
        echo "load_faults: ${passed} passed, 1 failed"
        exit 1
    fi
}

psql -X -q -v ON_ERROR_STOP=1 -o /dev/null <<'SQL'
CREATE EXTENSION fraiseql;
CREATE EXTENSION amcheck;
CREATE ROLE app LOGIN;
GRANT SELECT, INSERT ON fraiseql_apq TO app;
CREATE TABLE tv_item (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_item
SELECT i, jsonb_build_object('id', i, 'name', 'item ' || i, 'is_current', i % 3 = 0,
       'machine', jsonb_build_object('id', 'm' || (i % 50), 'ip_address', '10.0.' || (i % 200) || '.1'),
       'tags', jsonb_build_array('t' || (i % 7), 't' || (i % 11)), 'path', 'top.s' || (i % 5) || '.x')
FROM generate_series(1, 5000) i;
GRANT SELECT ON tv_item TO app;
SELECT count(fraiseql_apq_register('query Known' || i || ' { items { id name } }')) FROM generate_series(1, 20) i;
SELECT fraiseql_apq_stats_reset();
SQL

# --- 1. mixed load ----------------------------------------------------------------
cat >"${WORK}/filter.sql" <<'SQL'
\set m random(0, 49)
SELECT count(*) FROM tv_item WHERE fraiseql_where(data, jsonb_build_object('machine', jsonb_build_object('id', jsonb_build_object('eq', 'm' || :m)), 'path', '{"matches_lquery": "top.*"}'::jsonb));
SQL
cat >"${WORK}/shape.sql" <<'SQL'
\set o random(0, 4900)
SELECT fraiseql_shape_agg(data, '{ id name machine { id ipAddress } tags }') FROM (SELECT data FROM tv_item ORDER BY id LIMIT 50 OFFSET :o) t;
SQL
cat >"${WORK}/lookup.sql" <<'SQL'
\set k random(1, 20)
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('query Known' || :k || ' { items { id name } }')) IS NOT NULL;
SQL
cat >"${WORK}/register.sql" <<'SQL'
SELECT fraiseql_apq_register('query R' || :client_id || '_' || nextval('reg_seq') || ' { items { id } }');
SQL
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE SEQUENCE reg_seq; GRANT USAGE ON reg_seq TO app;"
"${PG_BIN}/pgbench" -n -U app -c 8 -j 2 -T "${LOAD_SECONDS}" \
    -f "${WORK}/filter.sql@4" -f "${WORK}/shape.sql@4" -f "${WORK}/lookup.sql@10" -f "${WORK}/register.sql@1" \
    >"${WORK}/pgbench.log" 2>&1 || { cat "${WORK}/pgbench.log"; die "pgbench failed"; }
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "${WORK}/pgbench.log")
total=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "${WORK}/pgbench.log")
tx_of() { awk -v s="$1" '$0 ~ "^SQL script [0-9]+: " s {getline; getline; print $2; exit}' "${WORK}/pgbench.log"; }
lookups_tx=$(tx_of ".*lookup.sql")
register_tx=$(tx_of ".*register.sql")
aborted=$(grep -c "aborted" "${WORK}/pgbench.log" || true)
check "mixed load: 8 clients x ${LOAD_SECONDS} s, no failed or aborted transaction" \
    "$([ "${failed:-x}" = 0 ] && [ "${aborted}" = 0 ] && [ "${total:-0}" -gt 0 ]; echo $?)" \
    "${total} transactions, ${failed} failed, ${aborted} aborted"
read -r c_lookups c_hits c_regs <<<"$(psql -X -At -F ' ' -c "SELECT lookups, total_hits, registrations FROM fraiseql_apq_summary")"
# pgbench -T does not count the transaction each client has in flight when time is up,
# though its statement may have run: the counters may exceed pgbench's count by at most
# one per client (8), never fall short. (apq_concurrency.sh, with a fixed transaction
# count, checks exact equality.)
within() { [ "$1" -ge "$2" ] && [ "$1" -le $(( $2 + 8 )) ]; }
check "APQ counters equal the transactions run (up to one in flight per client)" \
    "$(within "${c_lookups}" "${lookups_tx}" && [ "${c_hits}" = "${c_lookups}" ] && within "${c_regs}" "${register_tx}"; echo $?)" \
    "lookups hits registrations = ${c_lookups} ${c_hits} ${c_regs}; pgbench: ${lookups_tx} lookups, ${register_tx} registrations"

# --- 2. backend memory ---------------------------------------------------------------
# RSS is read from outside the backend while it sleeps after each batch.
psql -X -q -v ON_ERROR_STOP=1 >"${WORK}/memory.log" 2>&1 <<'SQL' &
SELECT pg_backend_pid() \g /dev/null
CREATE FUNCTION pg_temp.mix(n int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..n LOOP
        PERFORM count(*) FROM tv_item WHERE fraiseql_where(data, jsonb_build_object('machine', jsonb_build_object('id', jsonb_build_object('eq', 'm' || (i % 50))), 'name', jsonb_build_object('like', '%' || (i % 10) || '%'))) AND id <= 200;
        PERFORM fraiseql_shape_agg(data, '{ id name machine { id } tags }') FROM (SELECT data FROM tv_item WHERE id <= 20 + (i % 10)) t;
        PERFORM fraiseql_apq_lookup(fraiseql_sha256_hex('query Known' || (1 + i % 20) || ' { items { id name } }'));
    END LOOP;
END $$;
SET application_name = 'fraiseql_memory';
SELECT pg_temp.mix(1000);
SELECT pg_sleep(2);
SELECT pg_temp.mix(4000);
SELECT pg_sleep(2);
SQL
mem_psql=$!
rss_of() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# The pid of the session with that application_name (and state, if given), once it is there.
pid_of() {
    local app="$1" state="${2:-}" pid=""
    for _ in $(seq 1 50); do
        pid=$(psql -X -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = '${app}'${state:+ AND state = '${state}'}")
        [ -n "${pid}" ] && break
        sleep 0.1
    done
    [ -n "${pid}" ] || die "session ${app} did not start"
    echo "${pid}"
}
bpid=$(pid_of fraiseql_memory)
# Wait for the first pg_sleep (warm-up done), read RSS, then for the second.
wait_sleep() {
    for _ in $(seq 1 600); do
        q=$(psql -X -At -c "SELECT query FROM pg_stat_activity WHERE pid = ${bpid}")
        case "${q}" in *pg_sleep*) return 0 ;; esac
        sleep 0.1
    done
    return 1
}
wait_sleep || die "warm-up did not finish"
rss_before=$(rss_of "${bpid}")
sleep 2.5
wait_sleep || die "second batch did not finish"
rss_after=$(rss_of "${bpid}")
wait "${mem_psql}" || { cat "${WORK}/memory.log"; die "memory session failed"; }
growth=$(( rss_after - rss_before ))
check "backend memory does not grow over 4,000 more iterations" \
    "$([ "${growth}" -lt 4096 ]; echo $?)" "RSS ${rss_before} kB -> ${rss_after} kB, growth ${growth} kB"

# --- 3. crashes mid-registration ---------------------------------------------------------
consistency() {
    psql -X -At -q -v ON_ERROR_STOP=1 <<'SQL'
SET enable_indexscan = off; SET enable_bitmapscan = off;
SELECT count(*) FILTER (WHERE fraiseql_sha256_hex(query) <> hash OR ast IS NULL OR size <> octet_length(query))
       || ' ' || count(*) FROM fraiseql_apq;
RESET enable_indexscan; RESET enable_bitmapscan;
SELECT bt_index_parent_check('fraiseql_apq_pkey', true);
SELECT (SELECT count(*) FROM fraiseql_apq WHERE hash > '') AS via_index;
SQL
}
check_consistent() {
    local out bad rows via_index
    out=$(consistency)
    bad=$(echo "${out}" | sed -n 1p | cut -d' ' -f1)
    rows=$(echo "${out}" | sed -n 1p | cut -d' ' -f2)
    via_index=$(echo "${out}" | tail -1)
    check "$1" "$([ "${bad}" = 0 ] && [ "${via_index}" = "${rows}" ]; echo $?)" \
        "${rows} rows, ${bad} inconsistent, ${via_index} via the index, amcheck clean"
}
cat >"${WORK}/register_only.sql" <<'SQL'
SELECT fraiseql_apq_register('query K' || :client_id || '_' || nextval('reg_seq') || ' { items { id name machine { id } } }');
SQL
"${PG_BIN}/pgbench" -n -U app -c 4 -j 2 -T 30 -f "${WORK}/register_only.sql" >"${WORK}/crash1.log" 2>&1 &
bench=$!
sleep 3
victim=$(psql -X -At -c "SELECT pid FROM pg_stat_activity WHERE usename = 'app' AND state = 'active' LIMIT 1")
[ -n "${victim}" ] || die "no registering backend to kill"
as_root kill -9 "${victim}"
wait "${bench}" || true   # every client loses its connection when the postmaster resets
for _ in $(seq 1 100); do psql -X -At -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
check_consistent "kill -9 of a registering backend: APQ table consistent after crash recovery"

"${PG_BIN}/pgbench" -n -U app -c 4 -j 2 -T 30 -f "${WORK}/register_only.sql" >"${WORK}/crash2.log" 2>&1 &
bench=$!
sleep 3
as_pg "${PG_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -m immediate -w stop >/dev/null
wait "${bench}" || true
as_pg "${PG_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -l "${CLUSTER_DIR}/log" \
    -o "-p ${PGPORT} -k ${CLUSTER_DIR} -c listen_addresses=''" -w start >/dev/null
check_consistent "pg_ctl stop -m immediate under registration load: APQ table consistent after restart"

# --- 4. pg_terminate_backend during a long call ----------------------------------------
psql -X -q -c "SET application_name = 'fraiseql_long'; SELECT fraiseql_where(jsonb_build_object('p', rtrim(repeat('a.', 60000), '.')), jsonb_build_object('p', jsonb_build_object('matches_lquery', rtrim(repeat('*.', 60000), '.') || '.b')))" \
    >/dev/null 2>&1 &
long=$!
lpid=$(pid_of fraiseql_long active)
sleep 0.5
t0=$(date +%s%N)
psql -X -At -c "SELECT pg_terminate_backend(${lpid})" >/dev/null
wait "${long}" || true
for _ in $(seq 1 40); do
    alive=$(psql -X -At -c "SELECT count(*) FROM pg_stat_activity WHERE pid = ${lpid}")
    [ "${alive}" = 0 ] && break
    sleep 0.05
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "pg_terminate_backend ends a long fraiseql_where call" "$([ "${alive}" = 0 ] && [ "${ms}" -lt 2000 ]; echo $?)" "gone after ${ms} ms"

# --- 5. DROP / CREATE EXTENSION ------------------------------------------------------------
left=$(psql -X -At -q -v ON_ERROR_STOP=1 <<'SQL'
DROP EXTENSION fraiseql;
SELECT (SELECT count(*) FROM pg_proc WHERE proname LIKE 'fraiseql%')
     + (SELECT count(*) FROM pg_class WHERE relname LIKE 'fraiseql%')
     + (SELECT count(*) FROM pg_type WHERE typname LIKE 'fraiseql%');
CREATE EXTENSION fraiseql;
SELECT count(*) FROM fraiseql_apq;
SQL
)
check "DROP EXTENSION leaves no object, CREATE EXTENSION works again" \
    "$([ "$(echo "${left}" | tr '\n' ' ')" = "0 0 " ]; echo $?)" "objects left after DROP, rows after CREATE: $(echo "${left}" | tr '\n' ' ')"

echo "load_faults: ${passed} passed, 0 failed"
