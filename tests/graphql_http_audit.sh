#!/usr/bin/env bash
# GraphQL-over-HTTP conformance of the example endpoint (examples/server.mjs in front of
# fraiseql_execute): the graphql-http package's server audits, run against it on
# 127.0.0.1. Prints how many pass per level (MUST, SHOULD, MAY); fails when a MUST fails.
# (The closing "N passed, M failed" line counts the MUST audits.)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

DIR="${ROOT}/tests/http"
ensure_pg_user
ensure_node
npm_ci_once "${DIR}"

trap 'stop_example_server; stop_cluster' EXIT
trap 'exit 130' INT TERM
start_cluster >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION fraiseql" -f "${ROOT}/examples/schema.sql"
[ "$(psql -X -At -c "SELECT to_regprocedure('fraiseql_execute(jsonb,text)') IS NOT NULL")" = t ] \
    || die "the installed fraiseql has no fraiseql_execute (install a build that has it)"
psql -X -q -v ON_ERROR_STOP=1 -v sdl="$(cat "${ROOT}/examples/schema.graphql")" <<<"SELECT fraiseql_register_schema(:'sdl');"
start_example_server
node "${DIR}/audit.mjs" "${SERVER_URL}"
