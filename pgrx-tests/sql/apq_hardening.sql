-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA apq_hardening;
SET search_path = apq_hardening, public;
-- Persisted queries under hostile callers: counters only move for lookups and inserts
-- the caller may make, read and reset only by granted roles, kept per database; the
-- query size limit; U+0000; eviction after a reset.
\set VERBOSITY terse
SELECT current_database() AS regress_db \gset
TRUNCATE fraiseql_apq;
SELECT fraiseql_apq_stats_reset();
CREATE ROLE fq_apq_nobody;
CREATE ROLE fq_apq_lookup;
CREATE ROLE fq_apq_register;
CREATE ROLE fq_apq_monitor;
GRANT USAGE ON SCHEMA apq_hardening TO fq_apq_nobody, fq_apq_lookup, fq_apq_register, fq_apq_monitor;
GRANT SELECT ON fraiseql_apq TO fq_apq_lookup;
GRANT SELECT, INSERT ON fraiseql_apq TO fq_apq_register;
GRANT SELECT ON fraiseql_apq_summary, fraiseql_apq_stats TO fq_apq_monitor;
GRANT EXECUTE ON FUNCTION fraiseql_apq_counters(), fraiseql_apq_totals() TO fq_apq_monitor;
-- SQLSTATE and message of a statement's error, or 'ok'.
CREATE FUNCTION error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
CREATE VIEW totals AS SELECT format('lookups=%s hits=%s misses=%s registrations=%s', lookups, hits, misses, registrations) AS counted
FROM fraiseql_apq_totals();

-- 1. No SQL function counts on request; reading and resetting the counters is not PUBLIC's.
SELECT to_regprocedure('fraiseql_apq_count(text, boolean)') AS count_fn, to_regprocedure('fraiseql_apq_count_registration()') AS count_registration_fn;
SELECT f, has_function_privilege('fq_apq_nobody', f, 'EXECUTE') AS nobody, has_function_privilege('fq_apq_monitor', f, 'EXECUTE') AS monitor
FROM unnest(ARRAY['fraiseql_apq_counters()', 'fraiseql_apq_totals()', 'fraiseql_apq_stats_reset()',
                  'fraiseql_apq_lookup(text)', 'fraiseql_apq_answer(text)', 'fraiseql_apq_insert(text,text,jsonb)',
                  'fraiseql_apq_save_last_used()', 'fraiseql_apq_request(jsonb)', 'fraiseql_apq_register(text)']) AS f;
SELECT fraiseql_apq_register('{ hot }') AS hot_hash \gset
SELECT fraiseql_apq_register('{ cold }') AS cold_hash \gset
SET ROLE fq_apq_nobody;
SELECT * FROM fraiseql_apq_counters();
SELECT * FROM fraiseql_apq_summary;
SELECT fraiseql_apq_stats_reset();
-- a lookup the role may not make counts nothing, and neither does an insert it may not make
SELECT fraiseql_apq_lookup(:'hot_hash');
SELECT fraiseql_apq_answer(:'hot_hash');
SELECT fraiseql_apq_request(('{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "' || :'hot_hash' || '"}}}')::jsonb);
SELECT fraiseql_apq_insert(fraiseql_sha256_hex('{ forged }'), '{ forged }', '{}');
RESET ROLE;
SELECT counted FROM totals;
-- 2. A lookup role counts its real lookups: hits of stored hashes, misses of others.
SET ROLE fq_apq_lookup;
SELECT fraiseql_apq_lookup(:'hot_hash') IS NOT NULL AS hit, fraiseql_apq_lookup(repeat('a', 64)) IS NULL AS miss;
SELECT fraiseql_apq_answer(:'hot_hash') - 'document';
SELECT fraiseql_apq_insert(fraiseql_sha256_hex('{ forged }'), '{ forged }', '{}');
SELECT fraiseql_apq_register('{ forged }');
RESET ROLE;
SELECT counted FROM totals;
SELECT hits, last_hit IS NOT NULL AS has_last_hit FROM fraiseql_apq_counters() WHERE hash = :'hot_hash';
-- 3. A registration counts once, for the insert that stored the row.
SET ROLE fq_apq_register;
SELECT fraiseql_apq_register('{ fresh }') = fraiseql_sha256_hex('{ fresh }') AS registered;
SELECT fraiseql_apq_register('{ fresh }') = fraiseql_sha256_hex('{ fresh }') AS registered_again;
SELECT fraiseql_apq_insert(fraiseql_sha256_hex('{ fresh }'), '{ fresh }', fraiseql_graphql_parse('{ fresh }')) AS inserted_again;
-- the table still checks the hash against the text
SELECT fraiseql_apq_insert(repeat('b', 64), '{ mismatch }', '{}');
RESET ROLE;
SELECT counted FROM totals;
-- 4. Monitoring roles read the views (SELECT on them, EXECUTE on the two functions) but
-- do not reset; the owner resets, or a role granted EXECUTE on the reset.
SET ROLE fq_apq_monitor;
SELECT entries, total_hits, misses, registrations, lookups FROM fraiseql_apq_summary;
SELECT query, hits FROM fraiseql_apq_stats ORDER BY query;
SELECT fraiseql_apq_stats_reset();
RESET ROLE;
GRANT EXECUTE ON FUNCTION fraiseql_apq_stats_reset() TO fq_apq_monitor;
SET ROLE fq_apq_monitor;
SELECT fraiseql_apq_stats_reset();
RESET ROLE;
SELECT counted FROM totals;

-- 5. Counters are per database: another database's lookups and resets stay there.
SELECT fraiseql_apq_lookup(:'hot_hash') IS NOT NULL AS hit;
CREATE DATABASE fq_apq_other;
\c fq_apq_other
SET client_min_messages = warning;
CREATE EXTENSION fraiseql;
SELECT fraiseql_apq_register('{ hot }') = :'hot_hash' AS same_hash;
SELECT count(fraiseql_apq_lookup(:'hot_hash')) AS looked_up FROM generate_series(1, 5);
SELECT lookups, hits, registrations FROM fraiseql_apq_totals();
SELECT hash = :'hot_hash' AS hot, hits FROM fraiseql_apq_counters();
\c :regress_db
SET search_path = apq_hardening, public;
\set VERBOSITY terse
SELECT counted FROM totals;
SELECT hits FROM fraiseql_apq_counters() WHERE hash = :'hot_hash';
SELECT fraiseql_apq_stats_reset();
\c fq_apq_other
SELECT lookups, hits, registrations FROM fraiseql_apq_totals();
\c :regress_db
SET search_path = apq_hardening, public;
\set VERBOSITY terse
DROP DATABASE fq_apq_other;
-- a reset also frees what dropped databases held
SELECT fraiseql_apq_stats_reset();

-- 6. fraiseql.apq_max_query_bytes: superuser-set, 1 MB by default, checked before hashing
-- and parsing; a GraphQL error in the protocol function.
SHOW fraiseql.apq_max_query_bytes;
SET ROLE fq_apq_register;
SET fraiseql.apq_max_query_bytes = '100MB';
RESET ROLE;
SET fraiseql.apq_max_query_bytes = 100;
SET fraiseql.apq_max_query_bytes = '1kB';
SELECT '{ ' || string_agg('f' || i, ' ') || ' }' AS big FROM generate_series(1, 300) i \gset
SELECT octet_length(:'big') AS big_bytes;
SELECT error_of(format('SELECT fraiseql_apq_register(%L)', :'big'));
SELECT error_of(format('SELECT fraiseql_graphql_parse(%L)', :'big'));
SELECT error_of(format('SELECT fraiseql_apq_insert(fraiseql_sha256_hex(%L), %L, ''{}'')', :'big', :'big'));
SELECT fraiseql_apq_request(('{"query": "' || :'big' || '", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "'
                             || fraiseql_sha256_hex(:'big') || '"}}}')::jsonb);
SELECT fraiseql_apq_request(('{"query": "' || :'big' || '"}')::jsonb);
-- stored queries beyond a lowered limit are still served
SELECT fraiseql_apq_lookup(:'hot_hash') IS NOT NULL AS hit;
RESET fraiseql.apq_max_query_bytes;
SELECT fraiseql_apq_register(:'big') = fraiseql_sha256_hex(:'big') AS registered_under_default;

-- 7. U+0000 in a string value: jsonb cannot hold it; a GraphQL error in the protocol
-- function, SQLSTATE 22P05 elsewhere, nothing stored.
SELECT fraiseql_apq_request(('{"query": "{ a(x: \"\\u0000\") }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "'
                             || fraiseql_sha256_hex('{ a(x: "\u0000") }') || '"}}}')::jsonb);
SELECT fraiseql_apq_request('{"query": "{ a(x: \"\\u0000\") }"}');
SELECT error_of($$SELECT fraiseql_apq_register('{ a(x: "\u0000") }')$$);
SELECT error_of($$SELECT fraiseql_graphql_parse('{ a(x: "\u0000") }')$$);
SELECT fraiseql_graphql_parse('{ a(x: "\\u0000", y: """\u0000""") }') IS NOT NULL AS escaped_backslash_and_block_string;
SELECT count(*) AS stored_with_nul FROM fraiseql_apq WHERE query LIKE '%u0000%';

-- 8. Eviction after a reset (or a restart, which clears shared memory the same way)
-- decides on last_used_at alone: hits written there survive, hits only counted are
-- forgotten, and a query without hits since is kept while its last_used_at is recent.
TRUNCATE fraiseql_apq;
SELECT count(fraiseql_apq_register(q)) FROM unnest(ARRAY['{ saved }', '{ unsaved }', '{ idle }', '{ recent }']) AS q;
UPDATE fraiseql_apq SET last_used_at = now() - interval '10 days' WHERE query <> '{ recent }';
SELECT fraiseql_apq_stats_reset();
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ saved }')) IS NOT NULL AS saved_hit;
SELECT fraiseql_apq_save_last_used() AS rows_saved;
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ unsaved }')) IS NOT NULL AS unsaved_hit;
SELECT fraiseql_apq_stats_reset();
SELECT fraiseql_apq_evict(max_entries => 0, max_age => interval '5 days') AS evicted;
SELECT query FROM fraiseql_apq ORDER BY query;

-- cleanup
TRUNCATE fraiseql_apq;
SELECT fraiseql_apq_stats_reset();
DROP VIEW totals;
DROP FUNCTION error_of(text);
REVOKE ALL ON fraiseql_apq FROM fq_apq_lookup, fq_apq_register;
REVOKE ALL ON fraiseql_apq_summary, fraiseql_apq_stats FROM fq_apq_monitor;
REVOKE ALL ON FUNCTION fraiseql_apq_counters(), fraiseql_apq_totals(), fraiseql_apq_stats_reset() FROM fq_apq_monitor;
REVOKE ALL ON SCHEMA apq_hardening FROM fq_apq_nobody, fq_apq_lookup, fq_apq_register, fq_apq_monitor;
DROP ROLE fq_apq_nobody, fq_apq_lookup, fq_apq_register, fq_apq_monitor;
