-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_planner_gin;
SET search_path = where_planner_gin, public;
-- fraiseql_where served by GIN indexes on the jsonb column: the planner support function
-- offers containment (@>) and key existence (?&) as lossy index conditions, and the call
-- rechecks each row (docs/where.md, "Indexes").
\i fixtures/planner.sql

-- No index: a sequential scan, nothing derived.
ANALYZE tv_router_config;
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m8"}}, "isCurrent": {"eq": true}}')$$);

-- jsonb_path_ops: the README's example becomes a bitmap index scan out of the box.
CREATE INDEX tv_path_ops ON tv_router_config USING gin (data jsonb_path_ops);
ANALYZE tv_router_config;
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m8"}}, "isCurrent": {"eq": true}}')$$);
SELECT * FROM estimate($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m8"}}, "isCurrent": {"eq": true}}')$$);
-- Nested objects, numbers (by value: 3 matches 3.0) and booleans merge into one document;
-- shorthand, AND lists and `any` over an array of objects or scalars contribute too.
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data,
  '{"machine": {"location": {"city": {"eq": "Lyon"}}, "id": {"eq": "m8"}}, "version": 8.0, "AND": [{"isCurrent": {"eq": true}}]}')$$);
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"tags": {"any": {"eq": "t3"}}, "machine": {"id": {"eq": "m3"}}}')$$);
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"tags": {"array_contains": ["t1", "t6"]}, "status": "draft"}')$$);
-- Conditions the index cannot serve stay in the call: here only machine.id is looked up.
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data,
  '{"machine": {"id": {"eq": "m8"}}, "NOT": {"status": {"eq": "draft"}}, "configName": {"startswith": "config 1"}}')$$);
-- OR: a BitmapOr when every alternative has a condition; an in-list is an OR of equalities.
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data,
  '{"OR": [{"machine": {"id": {"eq": "m8"}}}, {"machine": {"id": {"eq": "m9"}}, "isCurrent": {"eq": false}}]}')$$);
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"in": ["m1", "m2", "m3"]}}}')$$);
-- ... and a sequential scan when one alternative has none (NOT, a range without an index).
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data,
  '{"OR": [{"machine": {"id": {"eq": "m8"}}}, {"NOT": {"machine": {"id": {"eq": "m9"}}}}]}')$$);
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"OR": [{"machine": {"id": {"eq": "m8"}}}, {"version": {"gt": 15}}]}')$$);
-- Nothing derivable: no index scan of the whole index, even with sequential scans off.
SET enable_seqscan = off;
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"version": {"gt": 15}, "status": {"neq": "draft"}}')$$);
RESET enable_seqscan;
-- jsonb_path_ops has no key existence: isnull false derives nothing there.
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"deletedAt": {"isnull": false}}')$$);

-- jsonb_ops: containment and key existence.
DROP INDEX tv_path_ops;
CREATE INDEX tv_jsonb_ops ON tv_router_config USING gin (data);
ANALYZE tv_router_config;
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m8"}}, "isCurrent": {"eq": true}}')$$);
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"deletedAt": {"isnull": false}, "machine": {"id": {"eq": "m10"}}}')$$);
-- convert_keys off: keys are used as written.
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"config_name": {"eq": "config 7"}}', convert_keys => false)$$);

-- Every plan above returns the rows of the compiled SQL run without indexes.
SELECT spec, same_rows(spec::jsonb) FROM (VALUES
  ('{"machine": {"id": {"eq": "m8"}}, "isCurrent": {"eq": true}}'),
  ('{"machine": {"location": {"city": {"eq": "Lyon"}}, "id": {"eq": "m8"}}, "version": 8.0, "AND": [{"isCurrent": {"eq": true}}]}'),
  ('{"tags": {"any": {"eq": "t3"}}, "machine": {"id": {"eq": "m3"}}}'),
  ('{"tags": {"array_contains": ["t1", "t6"]}, "status": "draft"}'),
  ('{"machine": {"id": {"eq": "m8"}}, "NOT": {"status": {"eq": "draft"}}, "configName": {"startswith": "config 1"}}'),
  ('{"OR": [{"machine": {"id": {"eq": "m8"}}}, {"machine": {"id": {"eq": "m9"}}, "isCurrent": {"eq": false}}]}'),
  ('{"machine": {"id": {"in": ["m1", "m2", "m3"]}}}'),
  ('{"deletedAt": {"isnull": false}, "machine": {"id": {"eq": "m10"}}}')) AS t(spec);

-- Planning never raises for a spec the call would reject; the call raises when it runs.
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"eqq": "m8"}}}')$$);
SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"eqq": "m8"}}}');

-- An OR of containments that is the whole spec replaces the call (no recheck): it is
-- NULL only for a NULL column, as the STRICT call is, so values agree outside WHERE too.
INSERT INTO tv_router_config VALUES (100001, '{"machine": [{"id": "m1"}]}'), (100002, '{"machine": {"id": 1}}');
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"in": ["m1", "m2"]}}}', convert_keys => false)$$);
SELECT count(*) FILTER (WHERE fraiseql_where(data, '{"machine": {"id": {"in": ["m1", "m2"]}}}')) AS selected,
       count(*) FILTER (WHERE NOT fraiseql_where(data, '{"machine": {"id": {"in": ["m1", "m2"]}}}')) AS not_selected,
       count(*) FILTER (WHERE fraiseql_where(data, '{"machine": {"id": {"in": ["m1", "m2"]}}}') IS NULL) AS null
FROM tv_router_config;
SELECT fraiseql_where(NULL::jsonb, '{"machine": {"id": {"in": ["m1", "m2"]}}}') IS NULL AS strict;
