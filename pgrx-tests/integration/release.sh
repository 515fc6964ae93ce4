#!/usr/bin/env bash
# The release check, run by ./scripts/release (or alone, on a package it built):
#
#   pgrx-tests/integration/release.sh [target/release-artifacts/postgresql-15-fraiseql_<v>_<arch>.deb]
#
# A DBA's path with the Debian package, on this machine's PostgreSQL 15:
#   1. the package: Depends names postgresql-15; fraiseql.so needs no Rust runtime (ldd:
#      the C library, libgcc_s, libm and the loader only)
#   2. a database of the previous release made by that release itself: the package of its
#      tag (cargo pgrx package, cached), run by a relocated copy of the PostgreSQL 15
#      server (/usr/lib/postgresql/15 and /usr/share/postgresql/15 linked under a
#      temporary root; the system's files are not touched): persisted queries, types,
#      filtered rows; then the server is stopped
#   3. under flock /tmp/fraiseql-pg.lock: the system's fraiseql files are saved aside, and
#      `apt-get install ./<deb>` installs the package; `dpkg -L` lists exactly its files
#   4. with a PATH holding no cargo, rustc or rustup: the same data directory started by the
#      system's server (library preloaded); the old catalog works with the new library;
#      ALTER EXTENSION fraiseql UPDATE; the version, the stored rows, and the catalog of a
#      fresh CREATE EXTENSION (catalog.sql: functions with volatility, parallel safety,
#      strictness, settings and ACLs, tables, views, grants); then the installed
#      docs/getting-started.md, followed in a new database: each ```sql block run in
#      psql, each ```text block after one compared with what psql printed, and the
#      GraphQL request sent to the installed example endpoint (when the build has
#      fraiseql_execute); every fraiseql.* setting and its default as the installed
#      docs/operations.md lists them
#   5. apt-get remove: every file of the package is gone; the saved files are put back,
#      so the system keeps the build it had (also when a step fails)
# Prints "release: N passed, 0 failed" or fails.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib/common.sh"
. "$(dirname "$0")/../../scripts/lib/release.sh"

DEB="$(realpath "${1:-${ARTIFACTS}/${DEB_FILE}}")"
[ -f "${DEB}" ] || die "no package ${DEB}: build it with ./scripts/release --no-check"
ensure_pg_user
# What a machine without Rust has on its PATH.
NORUST_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
LIB_DIR="$("${PG_CONFIG}" --pkglibdir)"
EXT_DIR="$("${PG_CONFIG}" --sharedir)/extension"
DOC_DIR="/usr/share/doc/${DEB_PACKAGE}"

passed=0
failed=0
pass() { note "ok: $*"; passed=$((passed + 1)); }
fail() { note "FAILED: $*"; failed=$((failed + 1)); }
sql() { local db="$1"; shift; env PATH="${NORUST_PATH}" psql -X -q -At -v ON_ERROR_STOP=1 -d "${db}" "$@"; }

WORK="$(mktemp -d /tmp/fraiseql-release.XXXXXX)"
chmod 755 "${WORK}"
SAVED="${WORK}/saved"
INSTALLED=0
LOCKED=0
SERVER_BIN=""

# Stops the cluster, removes the package if this script installed it, and puts the saved
# files back: whatever happened, the system keeps the fraiseql build it had.
cleanup() {
    set +e
    stop_example_server
    if [ -n "${CLUSTER_DIR:-}" ] && [ -n "${SERVER_BIN}" ]; then
        as_pg "${SERVER_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -m fast -w stop >/dev/null 2>&1
    fi
    if [ "${INSTALLED}" -eq 1 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "${DEB_PACKAGE}" >/dev/null 2>&1
        restore_saved
    fi
    [ "${LOCKED}" -eq 1 ] && flock -u 9
    [ -n "${CLUSTER_DIR:-}" ] && as_root rm -rf "${CLUSTER_DIR}"
    as_root rm -rf "${WORK}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

restore_saved() {
    if [ -d "${SAVED}" ]; then
        (cd "${SAVED}" && find . -type f -print0 | while IFS= read -r -d '' f; do
            as_root mkdir -p "$(dirname "/${f#./}")"
            as_root cp -a "${SAVED}/${f#./}" "/${f#./}"
        done)
    fi
    INSTALLED=0
}

# A data directory in CLUSTER_DIR served by the binaries in SERVER_BIN (as_pg, socket only).
start_server() {
    SERVER_BIN="$1"
    as_pg env PATH="${NORUST_PATH}" "${SERVER_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -l "${CLUSTER_DIR}/log" \
        -o "-p ${PGPORT} -k ${CLUSTER_DIR} -c listen_addresses=''" -w start >/dev/null \
        || { cat "${CLUSTER_DIR}/log"; die "the server in ${SERVER_BIN} did not start"; }
}
stop_server() {
    as_pg "${SERVER_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -m fast -w stop >/dev/null
    SERVER_BIN=""
}

phase "release check of $(basename "${DEB}")"

# --- 1. the package ---------------------------------------------------------------------
depends="$(dpkg-deb --field "${DEB}" Depends)"
version="$(dpkg-deb --field "${DEB}" Version)"
case "${depends}" in
    "postgresql-${PG_MAJOR}" | "postgresql-${PG_MAJOR}, "*) pass "Depends: ${depends}" ;;
    *) fail "Depends does not start with postgresql-${PG_MAJOR}: ${depends}" ;;
esac
[ "${version}" = "${RELEASE_VERSION}" ] && pass "Version: ${version}" || fail "Version ${version}, not ${RELEASE_VERSION}"
dpkg-deb -x "${DEB}" "${WORK}/deb"
mapfile -t PKG_FILES < <(dpkg-deb --fsys-tarfile "${DEB}" | tar -t | grep -v '/$' | sed 's|^\./|/|' | sort)
for f in "${LIB_DIR}/fraiseql.so" "${EXT_DIR}/fraiseql.control" "${EXT_DIR}/fraiseql--${RELEASE_VERSION}.sql" \
         "${EXT_DIR}/fraiseql--${PREVIOUS_VERSION}--${RELEASE_VERSION}.sql" "${DOC_DIR}/copyright" \
         "${DOC_DIR}/docs/getting-started.md" "${DOC_DIR}/examples/server.mjs"; do
    printf '%s\n' "${PKG_FILES[@]}" | grep -qxF "${f}" || fail "the package has no ${f}"
done
pass "the package holds the library, control file, install and upgrade scripts, docs and examples (${#PKG_FILES[@]} files)"
ldd_out="$(ldd "${WORK}/deb${LIB_DIR}/fraiseql.so")"
printf '%s\n' "${ldd_out}" | sed 's/^\s*/      ldd: /'
others="$(printf '%s\n' "${ldd_out}" | awk '{print $1}' \
    | grep -Ev '^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libgcc_s\.so\.1|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|/lib64/ld-linux-x86-64\.so\.2)$' || true)"
if [ -z "${others}" ]; then
    pass "fraiseql.so links no Rust runtime: only the C library, libm, libgcc_s and the loader"
else
    fail "fraiseql.so needs other libraries: ${others//$'\n'/ }"
fi
if env PATH="${NORUST_PATH}" bash -c 'command -v cargo || command -v rustc || command -v rustup' >/dev/null; then
    die "the check's PATH (${NORUST_PATH}) still finds a Rust tool"
fi

# --- 2. a database of the previous release, made by that release ---------------------------
phase "a ${PREVIOUS_VERSION} database made by the ${PREVIOUS_VERSION} release (tag v${PREVIOUS_VERSION})"
previous_release_tree
OLD_ROOT="${WORK}/pg-${PREVIOUS_VERSION}"
mkdir -p "${OLD_ROOT}/usr/lib/postgresql" "${OLD_ROOT}/usr/share/postgresql"
# Hard links where possible (same file system): nothing is written through them, and the
# fraiseql files are replaced, not edited. PostgreSQL finds its share and lib directories
# relative to its binary, so this copy serves from OLD_ROOT.
cp -al "/usr/lib/postgresql/${PG_MAJOR}" "${OLD_ROOT}/usr/lib/postgresql/" 2>/dev/null \
    || cp -a "/usr/lib/postgresql/${PG_MAJOR}" "${OLD_ROOT}/usr/lib/postgresql/"
cp -al "/usr/share/postgresql/${PG_MAJOR}" "${OLD_ROOT}/usr/share/postgresql/" 2>/dev/null \
    || cp -a "/usr/share/postgresql/${PG_MAJOR}" "${OLD_ROOT}/usr/share/postgresql/"
rm -f "${OLD_ROOT}${LIB_DIR}/fraiseql.so" "${OLD_ROOT}${EXT_DIR}"/fraiseql*
cp -r --no-preserve=links "${PREVIOUS_TREE}/usr/." "${OLD_ROOT}/usr/"
OLD_BIN="${OLD_ROOT}/usr/lib/postgresql/${PG_MAJOR}/bin"
# The archived copy is the generated script under a header of `-- ` lines.
if cmp -s "${PREVIOUS_TREE}${EXT_DIR}/fraiseql--${PREVIOUS_VERSION}.sql" \
          <(sed '1,/^[^-]/{/^-- /d}' "${ROOT}/sql/archive/fraiseql--${PREVIOUS_VERSION}.sql"); then
    pass "v${PREVIOUS_VERSION}'s install script, built from its tag, is the one archived in sql/archive/"
else
    fail "v${PREVIOUS_VERSION}'s install script differs from sql/archive/fraiseql--${PREVIOUS_VERSION}.sql"
fi

CLUSTER_DIR="$(mktemp -d /tmp/fraiseql-pg.XXXXXX)"
chmod 755 "${CLUSTER_DIR}"
as_root chown "${FRAISEQL_PG_USER}" "${CLUSTER_DIR}"
PGPORT="$(free_port)"
export PGHOST="${CLUSTER_DIR}" PGPORT PGUSER="${FRAISEQL_PG_USER}" PGDATABASE=postgres
as_pg "${OLD_BIN}/initdb" -D "${CLUSTER_DIR}/data" -U "${FRAISEQL_PG_USER}" --auth=trust \
    --locale=C.UTF-8 -E UTF8 >"${CLUSTER_DIR}/initdb.log" 2>&1 || { cat "${CLUSTER_DIR}/initdb.log"; die "initdb failed"; }
printf "shared_preload_libraries = 'fraiseql'\n" | as_pg tee -a "${CLUSTER_DIR}/data/postgresql.conf" >/dev/null
start_server "${OLD_BIN}"
sql postgres -c "CREATE DATABASE app" -c "CREATE DATABASE fresh" -c "CREATE DATABASE quickstart"
sql app -o /dev/null <<'SQL'
CREATE EXTENSION fraiseql;
SELECT fraiseql_apq_register('{ routerConfigs { id } }');
SELECT fraiseql_apq_register('query Q($id: ID!) { machine(id: $id) { name } }');
SELECT fraiseql_apq_request(jsonb_build_object('query', '{ viaRequest }', 'extensions',
    jsonb_build_object('persistedQuery', jsonb_build_object('version', 1, 'sha256Hash', fraiseql_sha256_hex('{ viaRequest }')))));
SELECT fraiseql_register_types('{"RouterConfig": {"machine": "Machine"}, "Machine": {}}');
CREATE TABLE tv_router_config (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_router_config
SELECT i, jsonb_build_object('id', i, 'config_name', 'config ' || i, 'is_current', i % 4 = 0,
                             'machine', jsonb_build_object('id', 'm' || (i % 10), 'name', 'machine ' || (i % 10)))
FROM generate_series(1, 1000) AS i;
CREATE INDEX ON tv_router_config USING gin (data jsonb_path_ops);
ANALYZE tv_router_config;
SQL
old_state="$(sql app -c "SELECT extversion FROM pg_extension WHERE extname = 'fraiseql'" \
                     -c "SELECT count(*) FROM pg_settings WHERE name = 'fraiseql.apq_max_query_bytes'")"
if [ "${old_state}" = $'0.1.0\n0' ]; then
    pass "the ${PREVIOUS_VERSION} server runs extension ${PREVIOUS_VERSION} with its own library (no 0.2.0 setting defined)"
else
    fail "the old server is not running ${PREVIOUS_VERSION}: ${old_state//$'\n'/ }"
fi
FILTER="SELECT count(*) FROM tv_router_config WHERE fraiseql_where(data, '{\"machine\": {\"id\": {\"eq\": \"m8\"}}, \"isCurrent\": {\"eq\": true}}')"
DATA_QUERY="SELECT hash, query, ast::text, size, created_at, last_used_at FROM fraiseql_apq ORDER BY hash;
            SELECT type_name, fields::text FROM fraiseql_types ORDER BY type_name;
            SELECT count(*), sum(hashtext(data::text)) FROM tv_router_config"
sql app -c "${DATA_QUERY}" >"${WORK}/data.before"
old_filter="$(sql app -c "${FILTER}")"
stop_server

# --- 3. the package installed with apt --------------------------------------------------
# Before the lock: the example endpoint's dependencies, from the package's own copy (only
# a build with fraiseql_execute can answer GraphQL requests).
HAS_EXECUTE=0
grep -q 'FUNCTION[^(]*fraiseql_execute' "${WORK}/deb${EXT_DIR}/fraiseql--${RELEASE_VERSION}.sql" && HAS_EXECUTE=1
cp -r "${WORK}/deb${DOC_DIR}/examples" "${WORK}/example"
if [ "${HAS_EXECUTE}" -eq 1 ]; then
    ensure_node
    (cd "${WORK}/example" && env PATH="${NORUST_PATH}" npm ci --omit=dev --silent --no-audit --no-fund --prefer-offline >/dev/null)
fi

phase "apt-get install ./$(basename "${DEB}") (under flock ${PG_INSTALL_LOCK})"
exec 9>>"${PG_INSTALL_LOCK}"
if ! flock -n 9; then
    note "waiting for ${PG_INSTALL_LOCK} (another install or test of the system's PostgreSQL holds it)"
    # In the background, so that Ctrl-C or TERM interrupts the wait; the lock belongs to
    # the open file, which this shell keeps.
    flock -w 1800 9 &
    wait $! || die "waited 30 minutes for ${PG_INSTALL_LOCK}"
fi
LOCKED=1
if dpkg-query -W -f='${Status}' "${DEB_PACKAGE}" 2>/dev/null | grep -q "install ok installed"; then
    die "${DEB_PACKAGE} is installed already: remove it first (apt-get remove ${DEB_PACKAGE})"
fi
for f in "${PKG_FILES[@]}"; do
    if [ -e "${f}" ]; then mkdir -p "${SAVED}$(dirname "${f}")"; cp -a "${f}" "${SAVED}${f}"; fi
done
INSTALLED=1
as_root env DEBIAN_FRONTEND=noninteractive PATH="${NORUST_PATH}" apt-get install -y -qq "${DEB}" >"${WORK}/apt.log" 2>&1 \
    || { cat "${WORK}/apt.log"; die "apt-get install failed"; }
mapfile -t LISTED < <(dpkg -L "${DEB_PACKAGE}" | while read -r p; do [ -f "${p}" ] && printf '%s\n' "${p}"; done | sort)
if [ "$(printf '%s\n' "${LISTED[@]}")" = "$(printf '%s\n' "${PKG_FILES[@]}")" ]; then
    pass "apt-get install: dpkg -L lists the package's ${#LISTED[@]} files, all present"
else
    diff <(printf '%s\n' "${PKG_FILES[@]}") <(printf '%s\n' "${LISTED[@]}") | sed 's/^/      /' || true
    fail "dpkg -L differs from the package's files"
fi
if cmp -s "${LIB_DIR}/fraiseql.so" "${WORK}/deb${LIB_DIR}/fraiseql.so" \
   && grep -qx "default_version = '${RELEASE_VERSION}'" "${EXT_DIR}/fraiseql.control"; then
    pass "the server's library and control file are the package's (default_version ${RELEASE_VERSION})"
else
    fail "the installed library or control file is not the package's"
fi

# --- 4. without Rust: the upgrade, the getting-started page, the settings ---------------
phase "ALTER EXTENSION fraiseql UPDATE with the system's server and the package (PATH=${NORUST_PATH})"
start_server "${PG_BIN}"
got="$(sql app -c "SELECT extversion FROM pg_extension WHERE extname = 'fraiseql'" -c "${FILTER}" \
               -c "SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ routerConfigs { id } }'))->>'kind'")"
if [ "${got}" = $'0.1.0\n'"${old_filter}"$'\nDocument' ]; then
    pass "before the update, the ${PREVIOUS_VERSION} catalog works with the new library (filter: ${old_filter} rows, APQ lookup)"
else
    fail "the ${PREVIOUS_VERSION} catalog with the new library: ${got//$'\n'/ | }"
fi
t0="$(date +%s%N)"
sql app -c "ALTER EXTENSION fraiseql UPDATE"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
got="$(sql app -c "SELECT extversion FROM pg_extension WHERE extname = 'fraiseql'")"
[ "${got}" = "${RELEASE_VERSION}" ] && pass "ALTER EXTENSION fraiseql UPDATE: ${PREVIOUS_VERSION} -> ${got} (${ms} ms, psql included)" \
    || fail "after ALTER EXTENSION UPDATE the version is ${got}"
sql app -c "${DATA_QUERY}" >"${WORK}/data.after"
if cmp -s "${WORK}/data.before" "${WORK}/data.after"; then
    pass "persisted queries, types and rows kept ($(wc -l <"${WORK}/data.after") lines compared)"
else
    diff -u "${WORK}/data.before" "${WORK}/data.after" | head -20 || true
    fail "stored rows changed by the update"
fi
sql fresh -c "CREATE EXTENSION fraiseql"
sql app -f "${ROOT}/pgrx-tests/integration/catalog.sql" >"${WORK}/catalog.updated"
sql fresh -f "${ROOT}/pgrx-tests/integration/catalog.sql" >"${WORK}/catalog.fresh"
if diff -u "${WORK}/catalog.fresh" "${WORK}/catalog.updated" >"${WORK}/catalog.diff"; then
    pass "updated catalog equals a fresh install of the package ($(wc -l <"${WORK}/catalog.fresh") lines: functions, aggregates, tables, views, grants, …)"
else
    cat "${WORK}/catalog.diff"
    fail "updated catalog differs from a fresh install (- fresh, + updated)"
fi
# A dump of the updated database restored into a new one: the extension's rows come along.
env PATH="${NORUST_PATH}" pg_dump -Fc -d app -f "${WORK}/app.dump"
sql postgres -c "CREATE DATABASE restored"
env PATH="${NORUST_PATH}" pg_restore -d restored "${WORK}/app.dump"
sql restored -c "${DATA_QUERY}" >"${WORK}/data.restored"
if cmp -s "${WORK}/data.after" "${WORK}/data.restored" \
   && [ "$(sql restored -c "SELECT extversion FROM pg_extension WHERE extname = 'fraiseql'")" = "${RELEASE_VERSION}" ]; then
    pass "pg_dump of the updated database, pg_restore into a new one: extension ${RELEASE_VERSION}, persisted queries, types and rows"
else
    diff -u "${WORK}/data.after" "${WORK}/data.restored" | head -20 || true
    fail "pg_dump/pg_restore lost or changed rows"
fi
got="$(sql app -c "SET enable_seqscan = off" -c "EXPLAIN (COSTS OFF) ${FILTER}" | grep -c 'Index Cond' || true)"
[ "${got}" -ge 1 ] && pass "the updated database filters through its GIN index (planner support of ${RELEASE_VERSION})" \
    || fail "no index condition for fraiseql_where after the update"

phase "docs/getting-started.md as installed, followed in database quickstart"
if env PATH="${NORUST_PATH}" FRAISEQL_GS_DB=quickstart FRAISEQL_GS_EXAMPLES="${WORK}/example" \
       "${ROOT}/pgrx-tests/integration/getting_started.sh" "${DOC_DIR}/docs/getting-started.md" >"${WORK}/gs.log" 2>&1; then
    sed 's/^/  /' "${WORK}/gs.log"
    pass "getting-started.md as installed: $(tail -1 "${WORK}/gs.log")"
else
    sed 's/^/  /' "${WORK}/gs.log"
    fail "getting-started.md as installed"
fi

# Every fraiseql.* setting the library defines, with its default, is in operations.md's table.
documented="$(sed -n 's/^| `\(fraiseql\.[a-z_]*\)` | `\([^`]*\)` |.*/\1 \2/p' "${DOC_DIR}/docs/operations.md" | sort)"
defined="$(sql app -c "SELECT name || ' ' || current_setting(name) FROM pg_settings WHERE name LIKE 'fraiseql.%' ORDER BY 1")"
if [ -n "${defined}" ] && [ "${documented}" = "${defined}" ]; then
    pass "docs/operations.md lists every fraiseql.* setting with its default ($(printf '%s\n' "${defined}" | wc -l))"
else
    diff <(printf '%s\n' "${documented}") <(printf '%s\n' "${defined}") | sed 's/^/      /' || true
    fail "docs/operations.md's settings differ from the library's (< docs, > server)"
fi
stop_server

# --- 5. apt-get remove ------------------------------------------------------------------
phase "apt-get remove ${DEB_PACKAGE}"
as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "${DEB_PACKAGE}" >"${WORK}/apt.log" 2>&1 \
    || { cat "${WORK}/apt.log"; die "apt-get remove failed"; }
left=()
for f in "${PKG_FILES[@]}"; do [ -e "${f}" ] && left+=("${f}"); done
if [ "${#left[@]}" -eq 0 ] && ! dpkg-query -W -f='${Status}' "${DEB_PACKAGE}" 2>/dev/null | grep -q "install ok installed"; then
    pass "apt-get remove: none of the ${#PKG_FILES[@]} files is left"
else
    fail "files left after apt-get remove: ${left[*]}"
fi
restore_saved
restored=0
while IFS= read -r -d '' f; do
    cmp -s "${f}" "/${f#"${SAVED}"/}" || fail "not restored: /${f#"${SAVED}"/}"
    restored=$((restored + 1))
done < <(find "${SAVED}" -type f -print0 2>/dev/null)
pass "the ${restored} fraiseql files installed before the check are back"
flock -u 9
LOCKED=0

if [ "${failed}" -eq 0 ]; then
    echo "release: ${passed} passed, 0 failed"
else
    echo "release: ${passed} passed, ${failed} failed"
    exit 1
fi
