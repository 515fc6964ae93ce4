-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA hardening_text;
SET search_path = hardening_text, public;
-- Text operators with long operands: bounded (full text) or cancellable (LIKE), and a
-- cancel is never reported as a bad operand.
\i fixtures/hostile.sql
GRANT USAGE ON SCHEMA hardening_text TO fraiseql_hostile;
SET ROLE fraiseql_hostile;
\set VERBOSITY sqlstate

-- Full-text operands are limited to 4,096 bytes (a 1 MB phrase_query ran 100 s past a
-- 20 s statement_timeout); the limit is checked before the server builds the tsquery.
SELECT fraiseql_where('{"t": "a b"}', jsonb_build_object('t', jsonb_build_object('phrase_query', repeat('word ', 200000))));
SELECT fraiseql_where('{"t": "a b"}', jsonb_build_object('t', jsonb_build_object('websearch_query', repeat('w', 4097))));
SELECT fraiseql_where('{"t": "word word"}', jsonb_build_object('t', jsonb_build_object('phrase_query', rtrim(repeat('word ', 800)))));

-- LIKE over a long value is O(value x pattern) at worst (1e10 steps here), cancellable.
SET statement_timeout = '1s';
SELECT ends_in_time($q$
    SELECT fraiseql_where(jsonb_build_object('s', repeat('a', 2000000)),
                          jsonb_build_object('s', jsonb_build_object('like', '%' || repeat('a', 5000) || '_b')))
$q$);
-- A cancel during regex compilation is a cancel (57014), not an invalid operand (22023):
-- this pattern takes the server's regex compiler about 4 s to find too complex.
SELECT ends_in_time($q$
    SELECT fraiseql_where('{"s": "x"}', jsonb_build_object('s', jsonb_build_object('matches',
           repeat('[a-z0-9]{1,100}', 4500))))
$q$);
RESET statement_timeout;

-- Every input has a size limit: fraiseql.max_spec_bytes (8 MB by default, superuser-set).
\set VERBOSITY default
SELECT fraiseql_where('{"t": "a b"}', jsonb_build_object('t', jsonb_build_object('phrase_query', repeat('word ', 200000))));
SELECT fraiseql_where('{}', jsonb_build_object('a', jsonb_build_object('in', (SELECT jsonb_agg(i) FROM generate_series(1, 1200000) i))));
SHOW fraiseql.max_spec_bytes;
SET fraiseql.max_spec_bytes = '1MB';
RESET ROLE;
SELECT pg_postmaster_start_time() = :'start' AS server_did_not_restart;
