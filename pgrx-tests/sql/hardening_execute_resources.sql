-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA hardening_execute_resources;
SET search_path = hardening_execute_resources, public;
-- What one fraiseql_execute request may make a backend hold or do (docs/execute.md,
-- "Limits"), through SQL as an unprivileged role. Each case aborted the backend, held
-- memory without bound or ignored statement_timeout before its fix.
\i fixtures/hostile.sql
GRANT USAGE ON SCHEMA hardening_execute_resources TO fraiseql_hostile;
SELECT fraiseql_register_schema($sdl$
type Machine { id: ID! name: String! serial: String! }
type Node { id: ID! name: String child: Node machine: Machine }
type Query { nodes: [Node!]! @view(name: "hardening_execute_resources.her_node") }
$sdl$, 'her');
CREATE TABLE her_node (data jsonb NOT NULL);
-- 2,000 rows whose machine has no serial (a non-null field of Machine).
INSERT INTO her_node
SELECT jsonb_build_object('id', i::text, 'name', 'n' || i, 'machine', '{"id": "m", "name": "x"}'::jsonb,
                          'child', jsonb_build_object('id', 'c' || i))
FROM generate_series(1, 2000) i;
GRANT SELECT ON her_node TO fraiseql_hostile;
CREATE FUNCTION her(query text) RETURNS text LANGUAGE sql
AS $$ SELECT fraiseql_execute(query, NULL, NULL, 'her')::text $$;
-- The backend's resident memory in kB (this script runs as a superuser, reading /proc).
CREATE FUNCTION her_rss_kb() RETURNS bigint LANGUAGE sql
AS $$ SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmRSS:\s+(\d+)'))[1]::bigint $$;
-- n aliases of types, each spreading n aliases of inputFields.
CREATE FUNCTION her_introspection(n int) RETURNS text LANGUAGE sql
AS $$ SELECT '{ __schema { ' || (SELECT string_agg(format('t%s: types { ...F }', i), ' ') FROM generate_series(1, n) i)
   || ' } } fragment F on __Type { ' || (SELECT string_agg(format('f%s: inputFields { name }', i), ' ') FROM generate_series(1, n) i)
   || ' }' $$;
GRANT EXECUTE ON FUNCTION her(text), her_introspection(int) TO fraiseql_hostile;

SET ROLE fraiseql_hostile;

-- F4: every field error was kept (about 570 bytes each): 2,000 rows x 9,000 aliases of a
-- machine whose non-null serial is missing aborted the backend after 5-7 s, through a
-- 2 s statement_timeout. Now at most 100 errors are kept and the rest counted, and the
-- row loop checks for interrupts: the statement finishes or is canceled in time.
SELECT left(r, 160) AS head, (regexp_match(r, '"Too many errors[^"]*"'))[1] AS last_error,
       array_length(regexp_split_to_array(r, 'Cannot return null for non-nullable field'), 1) - 1 AS kept
FROM her('{ nodes(limit: 20) { id '
         || (SELECT string_agg(format('a%s: machine { serial }', i), ' ') FROM generate_series(1, 9000) i) || ' } }') AS r;
SET statement_timeout = '2s';
SELECT ends_in_time(format('SELECT length(%s.her(%L))', current_schema(),
       '{ nodes { id ' || string_agg(format('a%s: machine { serial }', i), ' ') || ' } }'))
       IN ('finished', 'canceled within 2x statement_timeout') AS nine_thousand_aliases_end_in_time
FROM generate_series(1, 9000) i;
RESET statement_timeout;

-- F5: introspection was answered into an in-memory tree, aliases multiplying it: 300
-- aliases of types, each with 300 aliases of inputFields (17 kB), aborted the server;
-- 100 x 100 answered 28.7 MB with a 582 MB peak, ignoring a 500 ms statement_timeout
-- until 3.2 s. Now the steps are counted before it is built, and refused past 200,000.
SELECT n, length(her_introspection(n)) AS document_bytes, her(her_introspection(n)) FROM (VALUES (300), (100)) AS s(n);
SET statement_timeout = '500ms';
SELECT ends_in_time(format('SELECT %s.her(%s.her_introspection(300))', current_schema(), current_schema()));
RESET statement_timeout;
-- A whole schema's introspection is answered.
SELECT left(her('{ __schema { types { name fields { name args { name } type { name ofType { name } } } inputFields { name } } } }'), 60);

-- F7: 5,000 copies of child { child { child { id name } } } (185 kB) took 1.5-3 s and
-- honoured a 500 ms statement_timeout only at 2.3 s: planning merged fields and found
-- their locations by scanning what came before (quadratic). Now linear, and documents
-- are limited to 50,000 field selections before validation.
SET statement_timeout = '500ms';
SELECT ends_in_time(format('SELECT %s.her(%L)', current_schema(),
       '{ nodes(limit: 10) { ' || repeat('child { child { child { id name } } } ', 5000) || '} }'))
       IN ('finished', 'canceled within 2x statement_timeout') AS five_thousand_copies_end_in_time;
RESET statement_timeout;
SELECT left(her('{ nodes(limit: 1) { ' || repeat('child { child { child { id name } } } ', 5000) || '} }'), 80);
SELECT her('{ nodes { ' || repeat('id ', 50000) || '} }');

-- F8: the per-backend document cache was bounded by 16 MB of text, while a prepared
-- document holds 20-60 times its text: 40 distinct documents of 240 kB (19,000 aliases
-- each) kept about 460 MB in one backend. Now the cache is bounded by 32 MB of
-- estimated prepared state.
RESET ROLE;
SET fraiseql.max_document_bytes = '1MB';
SELECT her_rss_kb() AS rss_before \gset
SELECT count(*) FILTER (WHERE r LIKE '{"data":{"nodes":[{"d%' ) AS answered
FROM generate_series(1, 40) d,
     LATERAL her(format('{ nodes(limit: 1) { d%s: id %s } }', d,
                        (SELECT string_agg(format('a%s: name', i), ' ') FROM generate_series(1, 19000) i))) AS r;
SELECT her_rss_kb() - :rss_before < 200 * 1024 AS cache_held_under_200_mb;
RESET fraiseql.max_document_bytes;

SELECT pg_postmaster_start_time() = :'start' AS server_did_not_restart;
