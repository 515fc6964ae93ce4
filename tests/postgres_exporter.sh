#!/usr/bin/env bash
# contrib/postgres_exporter/fraiseql_apq.yaml through the real Prometheus postgres_exporter
# (Debian's prometheus-postgres-exporter: the package is downloaded and its binary
# unpacked under target/tools/, so no service is installed or started), connected as the
# monitoring role docs/operations.md tells a DBA to create. After known lookups and
# registrations, /metrics (on 127.0.0.1) must carry every fraiseql_apq_* metric that
# operations.md names, with the summary view's values.
# Prints "postgres_exporter: N passed, 0 failed" or fails.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

ensure_pg_user
TOOLS="${ROOT}/target/tools/postgres_exporter"
EXPORTER="${TOOLS}/usr/bin/prometheus-postgres-exporter"
if [ ! -x "${EXPORTER}" ]; then
    note "apt-get download prometheus-postgres-exporter (unpacked into target/tools/)"
    dl="$(mktemp -d)"
    (cd "${dl}" && { apt-get download -qq prometheus-postgres-exporter 2>/dev/null \
        || { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get download -qq prometheus-postgres-exporter; }; })
    mkdir -p "${TOOLS}"
    dpkg-deb -x "${dl}"/prometheus-postgres-exporter_*.deb "${TOOLS}"
    rm -rf "${dl}"
fi

EXPORTER_PID=""
cleanup() {
    if [ -n "${EXPORTER_PID}" ]; then kill "${EXPORTER_PID}" 2>/dev/null || true; wait "${EXPORTER_PID}" 2>/dev/null || true; fi
    stop_cluster
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_cluster "shared_preload_libraries = 'fraiseql'" >/dev/null

passed=0
failed=0
pass() { note "ok: $*"; passed=$((passed + 1)); }
fail() { note "FAILED: $*"; failed=$((failed + 1)); }

# The monitoring role exactly as docs/operations.md creates it, and known traffic:
# 2 registrations, then 3 lookups (2 hits, 1 miss).
psql -X -q -v ON_ERROR_STOP=1 -o /dev/null <<'SQL'
CREATE EXTENSION fraiseql;
CREATE ROLE fraiseql_monitor LOGIN;
GRANT SELECT ON fraiseql_apq_summary, fraiseql_apq_stats TO fraiseql_monitor;
GRANT EXECUTE ON FUNCTION fraiseql_apq_counters(), fraiseql_apq_totals() TO fraiseql_monitor;
SELECT fraiseql_apq_register('{ a }');
SELECT fraiseql_apq_register('{ b }');
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ a }'));
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ b }'));
SELECT fraiseql_apq_lookup(repeat('0', 64));
SQL

port="$(free_port)"
DATA_SOURCE_NAME="host=${PGHOST} port=${PGPORT} user=fraiseql_monitor dbname=postgres sslmode=disable" \
    "${EXPORTER}" --extend.query-path="${ROOT}/contrib/postgres_exporter/fraiseql_apq.yaml" \
    --web.listen-address="127.0.0.1:${port}" --disable-default-metrics --disable-settings-metrics \
    >"${CLUSTER_DIR}/exporter.log" 2>&1 &
EXPORTER_PID=$!
metrics=""
for _ in $(seq 1 50); do
    metrics="$(curl -fsS "http://127.0.0.1:${port}/metrics" 2>/dev/null || true)"
    printf '%s\n' "${metrics}" | grep '^fraiseql_apq_' >/dev/null && break
    sleep 0.2
done
got="$(printf '%s\n' "${metrics}" | grep '^fraiseql_apq_' | sed 's/{[^}]*}//' | sort || true)"
printf '%s\n' "${got}" | sed 's/^/      /'
want="fraiseql_apq_entries 2
fraiseql_apq_health 0
fraiseql_apq_hit_rate 0.6667
fraiseql_apq_hits 2
fraiseql_apq_lookups 3
fraiseql_apq_misses 1
fraiseql_apq_registrations 2
fraiseql_apq_shared_memory 1"
if [ "${got}" = "${want}" ]; then
    pass "postgres_exporter $("${EXPORTER}" --version 2>&1 | head -1 | awk '{print $3}') exports the 8 fraiseql_apq_* metrics with the summary's values, as the monitoring role"
else
    cat "${CLUSTER_DIR}/exporter.log"
    fail "the exporter's fraiseql_apq_* metrics differ from the expected ones"
fi
# Every metric docs/operations.md names is one the exporter exports.
named="$(grep -o '`fraiseql_apq_[a-z_]*`' "${ROOT}/docs/operations.md" | tr -d '`' | sort -u)"
missing="$(comm -23 <(printf '%s\n' "${named}") <(printf '%s\n' "${got}" | cut -d' ' -f1) \
    | grep -v -x -e fraiseql_apq_stats -e fraiseql_apq_summary -e fraiseql_apq_stats_reset -e fraiseql_apq_counters \
                 -e fraiseql_apq_totals -e fraiseql_apq_evict -e fraiseql_apq_request -e fraiseql_apq_save_last_used || true)"
if [ -z "${missing}" ]; then
    pass "every fraiseql_apq_* metric docs/operations.md names is exported"
else
    fail "docs/operations.md names metrics the exporter does not export: ${missing//$'\n'/ }"
fi

if [ "${failed}" -eq 0 ]; then
    echo "postgres_exporter: ${passed} passed, 0 failed"
else
    echo "postgres_exporter: ${passed} passed, ${failed} failed"
    exit 1
fi
