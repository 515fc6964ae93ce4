-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA execute_apq;
SET search_path = execute_apq, public;
-- Persisted queries through fraiseql_execute: extensions.persistedQuery goes through the
-- APQ store (fraiseql_apq) and its counters, as fraiseql_apq_request does.
\i fixtures/execute.sql
-- Other scripts of the run may have left persisted queries behind.
TRUNCATE fraiseql_apq;
SELECT fraiseql_apq_stats_reset();
CREATE FUNCTION pq(query text, hash text DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
    SELECT fraiseql_execute(jsonb_strip_nulls(jsonb_build_object('query', query,
        'extensions', jsonb_build_object('persistedQuery', jsonb_build_object('version', 1,
            'sha256Hash', coalesce(hash, fraiseql_sha256_hex(query)))))), current_schema())::text
$$;
-- unknown hash: the client sends the query again, which registers it
SELECT pq(NULL, fraiseql_sha256_hex('{ machines { id } }'));
SELECT pq('{ machines { id } }');
SELECT pq(NULL, fraiseql_sha256_hex('{ machines { id } }'));
SELECT pq(NULL, upper(fraiseql_sha256_hex('{ machines { id } }')));
SELECT total_hits, misses, registrations FROM fraiseql_apq_summary;
-- a hash that is not the query's is refused, and nothing is stored
SELECT pq('{ machines { name } }', fraiseql_sha256_hex('{ machines { id } }'));
SELECT query FROM fraiseql_apq ORDER BY query;
-- protocol errors
SELECT fraiseql_execute('{"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "00"}}}'::jsonb, current_schema())::text;
SELECT fraiseql_execute('{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "xyz"}}}'::jsonb, current_schema())::text;
-- a persisted query that no longer validates against the schema is a validation error
SELECT pq('{ machines { serial } }');
SELECT fraiseql_register_schema(replace(sdl, 'serial: String', 'serialNumber: String'), current_schema())
FROM fraiseql_schema WHERE name = current_schema();
SELECT pq(NULL, fraiseql_sha256_hex('{ machines { serial } }'));
TRUNCATE fraiseql_apq;
