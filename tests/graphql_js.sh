#!/usr/bin/env bash
# Interop test with the real `graphql` package from npm: ASTs stored by
# fraiseql_apq_register print back to equivalent queries and validate against a schema.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

ensure_pg_user
ensure_node
NPM_DIR="${ROOT}/target/npm-interop"
if [ ! -f "${NPM_DIR}/node_modules/graphql/package.json" ]; then
    mkdir -p "${NPM_DIR}"
    (cd "${NPM_DIR}" && npm install --silent --no-audit --no-fund graphql@16 >/dev/null)
fi
trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION fraiseql"
cases=$(psql -X -At -v ON_ERROR_STOP=1 <<'SQL'
WITH q(query) AS (VALUES
  ('{ routerConfigs { id configName } }'),
  ('query Configs($n: Int = 10, $o: Order = DESC) { list: routerConfigs(first: $n, order: $o) { id machine @skip(if: false) { name } } }'),
  ('query One($id: ID!) { routerConfig(id: $id) { ...Cfg machine { ... on Machine { id } } } } fragment Cfg on RouterConfig { configName isCurrent }'),
  ('{ routerConfigs(where: {name: "say \"hi\" \\ ok", tags: ["a", "b"]}) { id } }'),
  ('{ routerConfigs(where: {name: """block
  string"""}) { __typename id } }'),
  ('query { a: routerConfigs(first: 1) { id } b: routerConfigs(first: 2) { id @include(if: true) } }')
)
SELECT json_agg(json_build_object('query', query, 'ast', fraiseql_apq_lookup(fraiseql_apq_register(query)))) FROM q
SQL
)
printf '%s' "${cases}" | NODE_PATH="${NPM_DIR}/node_modules" node "$(dirname "$0")/graphql_js.cjs"
