-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA hardening_shape;
SET search_path = hardening_shape, public;
-- Shaping inputs that crashed (deep stored jsonb) or stalled (fragment fan-out) 0.1.0.
\i fixtures/hostile.sql
GRANT USAGE ON SCHEMA hardening_shape TO fraiseql_hostile;

-- Data built under a raised max_stack_depth (as PostgreSQL's docs suggest for deep
-- documents), then read under the default by an unprivileged role.
SET max_stack_depth = '6MB';
CREATE TABLE deep (data jsonb);
INSERT INTO deep SELECT jsonb_build_object('a', (repeat('[', 30000) || '1' || repeat(']', 30000))::jsonb);
RESET max_stack_depth;
GRANT SELECT ON deep TO fraiseql_hostile;
SELECT fraiseql_register_types('{"HardeningT": {"x": "HardeningT", "g": "HardeningT"}}');
SET ROLE fraiseql_hostile;
\set VERBOSITY sqlstate
SELECT length(fraiseql_shape(data, '{ a }')::text) FROM deep;
SELECT length(fraiseql_shape(data, '{ a { b } }')::text) FROM deep;
SELECT length(fraiseql_shape_agg(data, '{ a }')::text) FROM deep;
SELECT fraiseql_where(data, '{"a": {"eq": 1}}') FROM deep;

-- Fragment fan-out 26 levels deep (each fragment spread twice): was 2^26 expansions,
-- uncancellable. Each fragment now expands once.
SET statement_timeout = '1s';
SELECT ends_in_time(format('SELECT fraiseql_shape(%L, %L, %L)', '{"f0": 1, "last": 2}',
       '{ ...F0 } ' || string_agg(format('fragment F%s on HardeningT { f%s ...F%s ...F%s }', i, i, i + 1, i + 1), ' ' ORDER BY i)
       || ' fragment F26 on HardeningT { last }', 'HardeningT'))
FROM generate_series(0, 25) i;
RESET statement_timeout;
-- Cycles are named as cycles (before: reported as a depth overflow):
SELECT fraiseql_shape('{}', '{ ...A } fragment A on HardeningT { x ...B } fragment B on HardeningT { ...A }', 'HardeningT');
-- Aliases doubling a sub-selection at every level stop at the plan size limit.
SELECT ends_in_time(format('SELECT fraiseql_shape(%L, %L, %L)', '{}',
       '{ g { ...G0 } } ' || string_agg(format('fragment G%s on HardeningT { a: x { ...G%s } b: x { ...G%s } }', i, i + 1, i + 1), ' ' ORDER BY i)
       || ' fragment G30 on HardeningT { leaf }', 'HardeningT'))
FROM generate_series(0, 29) i;
\set VERBOSITY default
SELECT fraiseql_shape('{}', '{ ...A } fragment A on HardeningT { x ...B } fragment B on HardeningT { ...A }', 'HardeningT');
SELECT fraiseql_shape('{"f0": 1, "last": 2}', '{ ...F0 } ' || string_agg(format('fragment F%s on HardeningT { f%s ...F%s ...F%s }', i, i, i + 1, i + 1), ' ' ORDER BY i)
       || ' fragment F26 on HardeningT { last }', 'HardeningT')::text LIKE '{"f0":1,"f1":null,%,"last":2}' AS fan_out_shaped
FROM generate_series(0, 25) i;

RESET ROLE;
DELETE FROM fraiseql_types WHERE type_name = 'HardeningT';
SELECT pg_postmaster_start_time() = :'start' AS server_did_not_restart;
