-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA execute_queries;
SET search_path = execute_queries, public;
-- fraiseql_execute for queries: list fields with where/orderBy/limit/offset, single
-- objects, variables, fragments, aliases, @skip/@include, __typename, several root fields.
\i fixtures/execute.sql
-- registering the same document again keeps its version
SELECT fraiseql_register_schema(sdl, name) FROM fraiseql_schema WHERE name = current_schema();
SELECT name, version, length(sdl_sha256) FROM fraiseql_schema WHERE name = current_schema();

-- a list, ordered and paged; nested objects; __typename at every level
SELECT gql('{ __typename routerConfigs(orderBy: [{version: DESC}], limit: 2) { __typename id version machine { __typename name } } }');
SELECT gql('{ routerConfigs(orderBy: [{id: ASC}], offset: 3) { id } }');
-- where: nested objects, AND/OR/NOT, typed scalars (DateTime, IpAddress), list operators
SELECT gql('{ routerConfigs(where: {machine: {name: {startsWith: "edge-paris"}}, isCurrent: {eq: true}}) { id } }');
SELECT gql('{ routerConfigs(where: {OR: [{version: {gte: 10}}, {configName: {eq: "lab"}}]}, orderBy: [{id: ASC}]) { id } }');
SELECT gql('{ routerConfigs(where: {NOT: {isCurrent: {eq: true}}}, orderBy: [{id: ASC}]) { id } }');
SELECT gql('{ routerConfigs(where: {createdAt: {gte: "2026-02-01T09:00:00+01:00"}}, orderBy: [{createdAt: ASC}]) { id createdAt } }');
SELECT gql('{ routerConfigs(where: {managementIp: {inSubnet: "10.0.0.0/8"}}) { id managementIp } }');
SELECT gql('{ routerConfigs(where: {tags: {arrayContains: ["net-1"]}}) { id tags } }');
SELECT gql('{ routerConfigs(where: {tags: {any: {startsWith: "net"}}}) { id } }');
SELECT gql('{ routerConfigs(where: {status: {in: [ACTIVE]}}, orderBy: [{machine: {name: DESC}}, {id: ASC}]) { id status machine { name } } }');
-- an equality on a nested object (compiled to one containment test, which a GIN index serves)
SELECT gql('{ routerConfigs(where: {machine: {id: {eq: "m2"}}}) { id } }');
-- single objects: the declared arguments are equalities; no row is null
SELECT gql('{ routerConfig(id: "c2") { configName machine { name } } }');
SELECT gql('{ routerConfig(id: "nope") { configName } }');
SELECT gql('{ configsByStatus(status: RETIRED) { id } }');
-- variables, defaults, a single value where a list is expected, enums
SELECT gql('query Q($id: ID!) { routerConfig(id: $id) { id } }', '{"id": "c3"}');
SELECT gql('query Q($n: Int = 1) { routerConfigs(orderBy: [{id: ASC}], limit: $n) { id } }');
SELECT gql('query Q($w: RouterConfigWhereInput, $o: [RouterConfigOrderBy!]) { routerConfigs(where: $w, orderBy: $o) { id } }',
           '{"w": {"version": {"in": [1, 2]}}, "o": {"version": "DESC"}}');
SELECT gql('query Q($s: [Status!]) { routerConfigs(where: {status: {in: $s}}, orderBy: [{id: ASC}]) { id } }', '{"s": "ACTIVE"}');
-- fragments (named and inline), aliases, field merging
SELECT gql('{ list: routerConfigs(where: {id: {eq: "c1"}}) { ...Cfg ... on RouterConfig { m: machine { name } } configName } }
            fragment Cfg on RouterConfig { id configName }');
-- @skip / @include, literal and with variables (root fields too)
SELECT gql('query Q($full: Boolean!) { machines { id name @include(if: $full) location @skip(if: $full) { city } } routerConfig(id: "c1") @include(if: $full) { id } }',
           '{"full": true}');
SELECT gql('query Q($full: Boolean!) { machines { id name @include(if: $full) location @skip(if: $full) { city } } routerConfig(id: "c1") @include(if: $full) { id } }',
           '{"full": false}');
-- the request body form, with an operation name
SELECT fraiseql_execute('{"query": "query A { machines { id } } query B { machine(id: \"m2\") { name } }", "operationName": "B"}'::jsonb,
                        current_schema())::text;
-- a document is prepared once per backend; the same text again gives the same answer
SELECT gql('{ machines { id } }') = gql('{ machines { id } }') AS same;
