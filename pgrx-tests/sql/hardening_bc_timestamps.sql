-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA hardening_bc_timestamps;
SET search_path = hardening_bc_timestamps, public;
-- A DateTime in year 1 with an offset east of UTC is an instant in 1 BC. It was written
-- as the literal '0000-12-31 …', which PostgreSQL refuses (22008) in the compiled SQL,
-- at planning and in fraiseql_execute; it is written '0001-12-31 … BC'.
SET timezone = 'UTC';
CREATE TABLE t (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO t VALUES (1, '{"created_at": "0001-01-01T00:00:00+01:00"}'),
                     (2, '{"created_at": "0001-01-01T00:00:00Z"}'),
                     (3, '{"created_at": "2026-01-01T00:00:00Z"}');
SELECT fraiseql_where_sql('{"createdAt": {"gte": "0001-01-01T00:00:00+01:00"}}', 'data', '{"createdAt": "timestamptz"}');
SELECT id FROM t WHERE fraiseql_where(data, '{"createdAt": {"gte": "0001-01-01T00:00:00+01:00"}}', '{"createdAt": "timestamptz"}') ORDER BY id;
SELECT id FROM t WHERE fraiseql_where(data, '{"createdAt": {"lt": "0001-01-01T00:00:00+00:00"}}', '{"createdAt": "timestamptz"}') ORDER BY id;
SELECT id FROM t WHERE fraiseql_where(data, '{"createdAt": {"eq": "0001-01-01T00:00:00+01:00"}}', '{"createdAt": "timestamptz"}') ORDER BY id;
-- the compiled SQL runs and selects the same rows
SELECT format('SELECT id FROM t WHERE %s ORDER BY id', fraiseql_where_sql('{"createdAt": {"gte": "0001-01-01T00:00:00+01:00"}}', 'data', '{"createdAt": "timestamptz"}')) \gexec
SELECT format('SELECT id FROM t WHERE %s ORDER BY id', fraiseql_where_sql('{"createdAt": {"lt": "0001-01-01T00:00:00+00:00"}}', 'data', '{"createdAt": "timestamptz"}')) \gexec
-- through an index the planner derives conditions for
CREATE INDEX ON t (fraiseql_as_timestamptz(data -> 'created_at'));
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM t WHERE fraiseql_where(data, '{"createdAt": {"gte": "0001-01-01T00:00:00+01:00", "lt": "0001-01-01T00:00:00+00:00"}}', '{"createdAt": "timestamptz"}');
SELECT id FROM t WHERE fraiseql_where(data, '{"createdAt": {"gte": "0001-01-01T00:00:00+01:00", "lt": "0001-01-01T00:00:00+00:00"}}', '{"createdAt": "timestamptz"}');
RESET enable_seqscan;
-- and in fraiseql_execute
SELECT fraiseql_register_schema('type T { id: ID createdAt: DateTime }
type Query { ts: [T] @view(name: "hardening_bc_timestamps.t") }', 'hbt');
SELECT fraiseql_execute('{ ts(where: {createdAt: {lt: "0001-01-01T00:00:00+00:00"}}) { createdAt } }', NULL, NULL, 'hbt');
DELETE FROM fraiseql_schema WHERE name = 'hbt';
RESET timezone;
