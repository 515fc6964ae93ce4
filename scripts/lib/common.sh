# Shared helpers for scripts/demo, scripts/test, scripts/regress, scripts/fuzz, benches/run.sh and
# the suites in tests/.
# Sourced, not executed. Every step is idempotent: it checks before it installs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PGRX_VERSION="0.18.1"
PG_MAJOR="15"
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
# Unprivileged OS user that owns every postgres process we start (postgres refuses root).
FRAISEQL_PG_USER="${FRAISEQL_PG_USER:-fraiseql_pg}"

phase() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_cargo_env() {
    if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
        # shellcheck disable=SC1091
        . "$HOME/.cargo/env"
    fi
    command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup first"
}

ensure_apt_packages() {
    phase "system packages"
    local pkgs=(postgresql-${PG_MAJOR} postgresql-server-dev-${PG_MAJOR} postgresql-contrib
        libclang-dev clang build-essential pkg-config libssl-dev sudo python3)
    local missing=()
    for p in "${pkgs[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        note "all present"
        return
    fi
    note "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_cargo_pgrx() {
    phase "cargo-pgrx ${PGRX_VERSION}"
    ensure_cargo_env
    if cargo pgrx --version 2>/dev/null | grep -q "${PGRX_VERSION}"; then
        note "already installed"
    else
        note "cargo install cargo-pgrx --version =${PGRX_VERSION} --locked (a few minutes)"
        cargo install cargo-pgrx --version "=${PGRX_VERSION}" --locked --quiet
    fi
    # Point pgrx at the system server; no download.
    local cfg="$HOME/.pgrx/config.toml"
    if [ -f "$cfg" ] && grep -q "pg${PG_MAJOR} *= *\"${PG_CONFIG}\"" "$cfg"; then
        note "pgrx already initialised against ${PG_CONFIG}"
    else
        cargo pgrx init --pg${PG_MAJOR} "${PG_CONFIG}" >/dev/null
        note "pgrx initialised against ${PG_CONFIG}"
    fi
}

ensure_pg_user() {
    if ! id "${FRAISEQL_PG_USER}" >/dev/null 2>&1; then
        as_root useradd --system --no-create-home --shell /usr/sbin/nologin "${FRAISEQL_PG_USER}"
        note "created OS user ${FRAISEQL_PG_USER}"
    fi
}

# Node.js and npm, for the graphql-js interop test (Debian's packages when missing).
ensure_node() {
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
        return
    fi
    note "installing nodejs and npm"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
}

# `npm ci` in a directory holding a package.json and package-lock.json, skipped when its
# node_modules was installed from that same lock (npm ci would delete and reinstall it).
npm_ci_once() {
    local dir="$1"
    local stamp="${dir}/node_modules/.fraiseql-lock.sha256"
    local want
    want="$(sha256sum "${dir}/package-lock.json" | cut -d' ' -f1)"
    if [ -f "${stamp}" ] && [ "$(cat "${stamp}")" = "${want}" ]; then
        return
    fi
    note "npm ci --prefix ${dir#"${ROOT}"/}"
    npm ci --prefix "${dir}" --silent --no-audit --no-fund >/dev/null
    printf '%s\n' "${want}" >"${stamp}"
}

# The GraphQL-over-HTTP example (examples/server.mjs) on 127.0.0.1 and a free port, in
# front of the current cluster (PG* variables), GraphiQL bundle built from the lock.
# Sets SERVER_PID and SERVER_URL (…/graphql); stop it with stop_example_server.
start_example_server() {
    ensure_node
    npm_ci_once "${ROOT}/examples"
    node "${ROOT}/examples/graphiql/build.mjs"
    local port log
    port="$(free_port)"
    log="$(mktemp /tmp/fraiseql-server.XXXXXX)"
    PORT="${port}" node "${ROOT}/examples/server.mjs" >"${log}" 2>&1 &
    SERVER_PID=$!
    SERVER_URL="http://127.0.0.1:${port}/graphql"
    local i
    for i in $(seq 1 100); do
        grep -q "endpoint on" "${log}" 2>/dev/null && return 0
        kill -0 "${SERVER_PID}" 2>/dev/null || break
        sleep 0.1
    done
    cat "${log}"
    die "examples/server.mjs did not start"
}

stop_example_server() {
    if [ -n "${SERVER_PID:-}" ]; then
        kill "${SERVER_PID}" 2>/dev/null || true
        wait "${SERVER_PID}" 2>/dev/null || true
        SERVER_PID=""
    fi
}

ensure_prereqs() {
    ensure_apt_packages
    ensure_cargo_pgrx
    ensure_pg_user
}

# Run a command as the unprivileged postgres owner.
as_pg() {
    if [ "$(id -un)" = "${FRAISEQL_PG_USER}" ]; then "$@"; else as_root runuser -u "${FRAISEQL_PG_USER}" -- "$@"; fi
}

free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# Start a throwaway cluster: sets CLUSTER_DIR, PGHOST, PGPORT, PGUSER. Stops on exit via stop_cluster.
start_cluster() {
    local extra_conf="${1:-}"
    CLUSTER_DIR="$(mktemp -d /tmp/fraiseql-pg.XXXXXX)"
    chmod 755 "${CLUSTER_DIR}"
    as_root chown "${FRAISEQL_PG_USER}" "${CLUSTER_DIR}"
    PGPORT="$(free_port)"
    as_pg "${PG_BIN}/initdb" -D "${CLUSTER_DIR}/data" -U "${FRAISEQL_PG_USER}" --auth=trust \
        --locale=C.UTF-8 -E UTF8 >"${CLUSTER_DIR}/initdb.log" 2>&1 || { cat "${CLUSTER_DIR}/initdb.log"; die "initdb failed"; }
    if [ -n "${extra_conf}" ]; then
        printf '%s\n' "${extra_conf}" | as_pg tee -a "${CLUSTER_DIR}/data/postgresql.conf" >/dev/null
    fi
    as_pg "${PG_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -l "${CLUSTER_DIR}/log" \
        -o "-p ${PGPORT} -k ${CLUSTER_DIR} -c listen_addresses=''" -w start >/dev/null \
        || { cat "${CLUSTER_DIR}/log"; die "cluster did not start"; }
    export PGHOST="${CLUSTER_DIR}" PGPORT PGUSER="${FRAISEQL_PG_USER}" PGDATABASE=postgres
    note "throwaway cluster on socket ${CLUSTER_DIR} port ${PGPORT}"
}

stop_cluster() {
    if [ -n "${CLUSTER_DIR:-}" ] && [ -d "${CLUSTER_DIR}/data" ]; then
        as_pg "${PG_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -m fast -w stop >/dev/null 2>&1 || true
        as_root rm -rf "${CLUSTER_DIR}"
        CLUSTER_DIR=""
    fi
}

# Checks that what psql printed (file $2) is what a page shows (file $1) for `$3` (a step,
# an example), as the docs gate and tests/getting_started.sh do: trailing spaces and
# trailing empty lines aside (psql pads aligned columns). Calls the caller's `pass` or
# `fail` (with the diff, - page + psql); with FRAISEQL_BLESS_DOCS set, a difference is
# only noted (the caller then writes the page).
compare_with_page() {
    local trimmed='s/[[:space:]]*$//'
    local no_trailing_empty=':a
/^\n*$/{$d;N;ba
}'
    if diff -u <(sed "${trimmed}" "$1" | sed -e "${no_trailing_empty}") \
        <(sed "${trimmed}" "$2" | sed -e "${no_trailing_empty}") >"$2.diff"; then
        pass "$3: psql printed what the page shows"
    elif [ -n "${FRAISEQL_BLESS_DOCS:-}" ]; then
        note "blessing $3"
    else
        sed 's/^/      /' "$2.diff"
        fail "$3: psql printed something else than the page shows (- page, + psql)"
    fi
}

install_extension_release() {
    phase "build and install the release extension"
    (cd "${ROOT}" && cargo pgrx install --release --pg-config "${PG_CONFIG}" >/dev/null)
    note "installed into $("${PG_CONFIG}" --pkglibdir)"
}
