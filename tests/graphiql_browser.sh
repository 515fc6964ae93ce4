#!/usr/bin/env bash
# GraphiQL in a real browser: Debian's chromium, headless, loads the example endpoint's
# page (examples/server.mjs in front of fraiseql_execute over the demo schema), runs a
# query through the UI and checks the rendered response. Installs chromium from Debian
# when missing (no browser download). The screenshot goes to target/graphiql.png
# (FRAISEQL_SCREENSHOT=<file.png> to choose).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

DIR="${ROOT}/tests/http"
ensure_pg_user
ensure_node
if ! command -v chromium >/dev/null 2>&1; then
    note "installing chromium (Debian package)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
npm_ci_once "${DIR}"

trap 'stop_example_server; stop_cluster' EXIT
trap 'exit 130' INT TERM
start_cluster >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION fraiseql" -f "${ROOT}/examples/schema.sql"
[ "$(psql -X -At -c "SELECT to_regprocedure('fraiseql_execute(jsonb,text)') IS NOT NULL")" = t ] \
    || die "the installed fraiseql has no fraiseql_execute (install a build that has it)"
psql -X -q -v ON_ERROR_STOP=1 -v sdl="$(cat "${ROOT}/examples/schema.graphql")" <<<"SELECT fraiseql_register_schema(:'sdl');"
start_example_server
node "${DIR}/browser.mjs" "${SERVER_URL}" "${FRAISEQL_SCREENSHOT:-${ROOT}/target/graphiql.png}"
