-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA hardening_ltree;
SET search_path = hardening_ltree, public;
-- ltree operands that crashed (SIGSEGV, unbounded recursion) or stalled (cubic time,
-- 413 MB) 0.1.0, run by an unprivileged role.
\i fixtures/hostile.sql
GRANT USAGE ON SCHEMA hardening_ltree TO fraiseql_hostile;
SET ROLE fraiseql_hostile;
\set VERBOSITY sqlstate

-- 15,000 nested parentheses: was a stack overflow that killed every session.
SELECT fraiseql_where('{"p":"a.b.c"}', jsonb_build_object('p', jsonb_build_object('matches_ltxtquery',
       repeat('(', 15000) || 'a' || repeat(')', 15000))));
SELECT fraiseql_where_sql(jsonb_build_object('p', jsonb_build_object('matches_ltxtquery', repeat('!', 30000) || 'a')));
SELECT fraiseql_test('"a.b.c"', jsonb_build_object('matches_ltxtquery', repeat('(', 15000) || 'a' || repeat(')', 15000)));
-- 15,000 alternatives are one nesting level: answered.
SELECT fraiseql_where('{"p":"a.b.c"}', jsonb_build_object('p', jsonb_build_object('matches_ltxtquery',
       repeat('x | ', 15000) || 'c')));
-- Nesting up to the documented 256 levels works.
SELECT fraiseql_where('{"p":"a.b.c"}', jsonb_build_object('p', jsonb_build_object('matches_ltxtquery',
       repeat('(', 256) || 'b' || repeat(')', 256))));

-- lquery over 20,000 levels and labels: was a levels x labels table per row.
SELECT fraiseql_where(jsonb_build_object('p', rtrim(repeat('a.', 20000), '.')),
       jsonb_build_object('p', jsonb_build_object('matches_lquery', rtrim(repeat('a.', 20000), '.'))));
SELECT fraiseql_where(jsonb_build_object('p', rtrim(repeat('a.', 20000), '.')),
       jsonb_build_object('p', jsonb_build_object('matches_lquery', rtrim(repeat('*.', 200), '.') || '.b')));
-- More levels than PostgreSQL's ltree allows (65,535): an invalid operand.
SELECT fraiseql_where('{"p":"a"}', jsonb_build_object('p', jsonb_build_object('matches_lquery',
       rtrim(repeat('a.', 65536), '.'))));
-- A path over the limit is not an ltree value: unknown, so not selected.
SELECT fraiseql_where(jsonb_build_object('p', rtrim(repeat('a.', 65536), '.')), '{"p": {"matches_lquery": "*"}}');

-- The worst case left is levels x labels steps; it stays cancellable: 60,000 stars over
-- 60,000 labels (3.6e9 steps) under a 1 s statement_timeout.
SET statement_timeout = '1s';
SELECT ends_in_time($q$
    SELECT fraiseql_where(jsonb_build_object('p', rtrim(repeat('a.', 60000), '.')),
           jsonb_build_object('p', jsonb_build_object('matches_lquery', rtrim(repeat('*.', 60000), '.') || '.b')))
$q$);
RESET statement_timeout;

\set VERBOSITY default
SELECT fraiseql_where('{"p":"a.b.c"}', jsonb_build_object('p', jsonb_build_object('matches_ltxtquery',
       repeat('(', 15000) || 'a' || repeat(')', 15000))));
SELECT fraiseql_where('{"p":"a"}', jsonb_build_object('p', jsonb_build_object('matches_lquery',
       rtrim(repeat('a.', 65536), '.'))));
RESET ROLE;
SELECT pg_postmaster_start_time() = :'start' AS server_did_not_restart;
