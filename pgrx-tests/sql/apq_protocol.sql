-- Apollo APQ protocol paths through fraiseql_apq_request, and registration/lookup.
-- (the persisted-query table and counters belong to the extension: start from empty)
TRUNCATE fraiseql_apq;
SELECT fraiseql_apq_stats_reset();
\set q '{ routerConfigs(first: 2) { id configName machine { name } } }'
SELECT fraiseql_sha256_hex(:'q') AS h \gset
-- 1. hash only, unknown: PersistedQueryNotFound
SELECT fraiseql_apq_request(jsonb_build_object('extensions', jsonb_build_object('persistedQuery',
       jsonb_build_object('version', 1, 'sha256Hash', :'h'))));
-- 2. hash + query: verified, registered, answered with the document
SELECT r->>'sha256Hash' = :'h' AS same_hash, r->>'query' AS query, r->'document'->>'kind' AS kind,
       r->'variables' AS variables, r->>'operationName' AS operation_name
FROM fraiseql_apq_request(jsonb_build_object('query', :'q', 'variables', '{"x": 1}'::jsonb, 'operationName', NULL,
       'extensions', jsonb_build_object('persistedQuery', jsonb_build_object('version', 1, 'sha256Hash', :'h')))) AS r;
-- 3. hash only, known: the stored query and AST
SELECT r->>'query' AS query, r->'document' = fraiseql_graphql_parse(:'q') AS same_ast
FROM fraiseql_apq_request(jsonb_build_object('extensions', jsonb_build_object('persistedQuery',
       jsonb_build_object('version', 1, 'sha256Hash', upper(:'h'))))) AS r;
-- 4. a hash that does not match the query is rejected and nothing is stored (no cache poisoning)
SELECT fraiseql_apq_request(jsonb_build_object('query', '{ evil }', 'extensions', jsonb_build_object('persistedQuery',
       jsonb_build_object('version', 1, 'sha256Hash', fraiseql_sha256_hex('{ innocent }')))));
SELECT count(*) AS stored FROM fraiseql_apq;
-- 5. protocol errors: GraphQL-style error responses, never internal errors
SELECT fraiseql_apq_request('{"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "0000000000000000000000000000000000000000000000000000000000000000"}}}');
SELECT fraiseql_apq_request('{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}');
SELECT fraiseql_apq_request('{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": 42}}}');
SELECT fraiseql_apq_request('{"extensions": {"persistedQuery": {"sha256Hash": "abc"}}}');
SELECT fraiseql_apq_request('{"extensions": {"persistedQuery": "yes"}}');
SELECT fraiseql_apq_request('{"query": 7}');
SELECT fraiseql_apq_request('[]');
SELECT fraiseql_apq_request('{}');
SELECT fraiseql_apq_request(jsonb_build_object('query', '{ broken', 'extensions', jsonb_build_object('persistedQuery',
       jsonb_build_object('version', 1, 'sha256Hash', fraiseql_sha256_hex('{ broken')))));
-- 6. a plain request (no persisted query): parsed, not stored
SELECT r->>'query' AS query, r ? 'document' AS has_document, r ? 'sha256Hash' AS has_hash
FROM fraiseql_apq_request('{"query": "query Q { id }", "operationName": "Q"}') AS r;
SELECT fraiseql_apq_request('{"query": "{ id"}');
-- registration is idempotent; lookups count hits and misses
SELECT fraiseql_apq_register(:'q') = :'h' AS same_hash, fraiseql_apq_register(:'q') = :'h' AS again;
SELECT fraiseql_apq_lookup(:'h') IS NOT NULL AS hit, fraiseql_apq_lookup(repeat('f', 64)) IS NULL AS miss;
SELECT entries, total_hits, misses, registrations, lookups, hit_rate, health, shared_memory FROM fraiseql_apq_summary;
SELECT hash = :'h' AS same_hash, query, hits, size FROM fraiseql_apq_stats;
