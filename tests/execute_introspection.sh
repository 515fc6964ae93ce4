#!/usr/bin/env bash
# Interop test of fraiseql_execute's introspection with the real `graphql` package from
# npm: GraphiQL's introspection query (graphql-js getIntrospectionQuery, with and without
# its options) is answered, buildClientSchema accepts the result, both describe one schema,
# and that schema keeps the differential test's SDL as written
# (tests/execute_differential/introspection.mjs).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

DIR="${ROOT}/tests/execute_differential"
ensure_pg_user
ensure_node
npm_ci_once "${DIR}"

trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION fraiseql"
node "${DIR}/introspection.mjs"
