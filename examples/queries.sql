-- camelCase keys as GraphQL responses spell them
SELECT k AS data_key, fraiseql_camel_case(k) AS graphql_field
FROM (SELECT DISTINCT jsonb_object_keys(data) AS k FROM tv_router_config) AS keys
ORDER BY k;

-- The stored rows
SELECT data->>'config_name' AS config, data->'machine'->>'name' AS machine,
       (data->>'is_current')::boolean AS is_current
FROM tv_router_config ORDER BY data->>'created_at';

-- Filtering with a where-spec: the current config of machine 1111…, nested and direct
-- filters mixed in one spec (both apply), evaluated per row on the jsonb in place
SELECT data->>'config_name' AS config
FROM tv_router_config
WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "11111111-1111-1111-1111-111111111111"}},
                             "isCurrent": {"eq": true}}');

-- The same spec compiled to SQL (index-friendly containment), for dynamic SQL
SELECT fraiseql_where_sql('{"machine": {"id": {"eq": "11111111-1111-1111-1111-111111111111"}},
                            "isCurrent": {"eq": true}}') AS compiled;

-- OR, string operators and numbers compared numerically
SELECT data->>'config_name' AS config, data->'version' AS version
FROM tv_router_config
WHERE fraiseql_where(data, '{"OR": [{"configName": {"istartswith": "BERLIN"}}, {"version": {"gte": 7}}]}')
ORDER BY 1;

-- A misspelt operator is an error, never a silently ignored filter
\set ON_ERROR_STOP 0
SELECT count(*) FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"equals": "x"}}}');
\set ON_ERROR_STOP 1

-- Type hints: created_at read as timestamptz (instants, not strings); typed operators
-- such as network tests read their own type
SELECT data->>'config_name' AS config, data->>'created_at' AS created_at
FROM tv_router_config
WHERE fraiseql_where(data, '{"createdAt": {"gte": "2026-03-01T00:00:00+01:00"}}',
                     types => '{"createdAt": "timestamptz"}')
ORDER BY 2;

SELECT data->>'name' AS machine, data->>'ip_address' AS ip
FROM tv_machine
WHERE fraiseql_where(data, '{"ipAddress": {"isPrivate": true}, "location": {"city": {"eq": "Paris"}}}');

-- Shaping: register the GraphQL types once, then get response fragments straight from SQL
SELECT fraiseql_register_types('{"RouterConfig": {"machine": "Machine"}, "Machine": {"location": "Location"}, "Location": {}}');

SELECT fraiseql_shape(data, '{ __typename configName box: machine { __typename name } }', 'RouterConfig') AS shaped
FROM tv_router_config ORDER BY data->>'created_at' LIMIT 2;

-- The whole GraphQL response for a list field: filter + order + page + shape in one call
SELECT fraiseql_query('tv_router_config', 'routerConfigs',
                      '{ __typename id configName isCurrent machine { __typename id name } }', 'RouterConfig',
                      "where" => '{"isCurrent": {"eq": true}}',
                      order_by => '{"createdAt": "DESC"}', types => '{"createdAt": "timestamptz"}',
                      "limit" => 2) AS response;

-- ... and for a single-object field
SELECT fraiseql_query('tv_router_config', 'routerConfig', '{ configName version }',
                      "where" => '{"id": {"eq": "aaaaaaaa-0000-0000-0000-000000000005"}}', single => true) AS response;

-- Automatic Persisted Queries: a client sends only the hash; unknown at first
SELECT fraiseql_apq_request(jsonb_build_object('extensions', jsonb_build_object('persistedQuery',
       jsonb_build_object('version', 1, 'sha256Hash', fraiseql_sha256_hex('{ routerConfigs { id configName } }'))))) AS first_try;

-- ... so it sends hash + query, which registers it (a mismatching hash would be refused)
SELECT r->>'sha256Hash' AS hash, r->'document'->'definitions'->0->>'kind' AS ast_kind
FROM fraiseql_apq_request(jsonb_build_object('query', '{ routerConfigs { id configName } }',
       'extensions', jsonb_build_object('persistedQuery', jsonb_build_object('version', 1,
       'sha256Hash', fraiseql_sha256_hex('{ routerConfigs { id configName } }'))))) AS r;

-- ... and from then on the hash alone is enough
SELECT r->>'query' AS query
FROM fraiseql_apq_request(jsonb_build_object('extensions', jsonb_build_object('persistedQuery',
       jsonb_build_object('version', 1, 'sha256Hash', fraiseql_sha256_hex('{ routerConfigs { id configName } }'))))) AS r;

-- Hit/miss counters in shared memory (the demo cluster preloads the library)
SELECT entries, total_hits, misses, registrations, lookups, hit_rate, health, shared_memory FROM fraiseql_apq_summary;
