-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_planner_btree;
SET search_path = where_planner_btree, public;
-- fraiseql_where served by btree expression indexes: with a constant spec the planner
-- support function rewrites the call into `<native conditions> AND <the call>`, the
-- conditions written as the indexes' own expressions (docs/where.md, "Indexes").
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';
\i fixtures/planner.sql
CREATE INDEX tv_name ON tv_router_config ((data->>'config_name'));
CREATE INDEX tv_machine ON tv_router_config ((data->'machine'->>'id') COLLATE "C");
CREATE INDEX tv_created ON tv_router_config (fraiseql_as_timestamptz(data->'created_at'));
CREATE INDEX tv_version ON tv_router_config (fraiseql_as_numeric(data->'version'));
ANALYZE tv_router_config;

-- (data->>'k') = string
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"configName": {"eq": "config 42"}}')$$);
-- nested: (data->'machine'->>'id'); ranges of strings need byte order (COLLATE "C" here)
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"gte": "m10", "lt": "m11"}}}')$$);
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"configName": {"gt": "config 9"}}')$$);
-- fraiseql_as_timestamptz(data->'created_at') with a timestamptz hint
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data,
  '{"createdAt": {"gte": "2026-03-01T00:00:00Z", "lt": "2026-03-03T00:00:00+00:00"}}', '{"createdAt": "timestamptz"}')$$);
-- ... not without the hint (strings compare as strings), nor with another type
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"createdAt": {"gte": "2026-03-01T00:00:00Z"}}')$$);
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"createdAt": {"gte": "2026-03-01"}}', '{"createdAt": "date"}')$$);
-- fraiseql_as_numeric(data->'version'): numbers, typed or not; never as text
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"version": {"eq": 16}}')$$);
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"version": {"in": [15, 16.0]}}')$$);
-- in-list of strings: = ANY
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"configName": {"in": ["config 1", "config 2"]}}')$$);
-- OR of indexable alternatives: BitmapOr over two indexes
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data,
  '{"OR": [{"configName": {"eq": "config 42"}}, {"machine": {"id": {"eq": "m7"}}, "isCurrent": {"eq": true}}]}')$$);
-- NOT and neq stay in the call
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"NOT": {"configName": {"eq": "config 42"}}}')$$);

-- Row estimates: the derived conditions and the call are counted once (the call's
-- selectivity is the spec's estimate divided by the derived conditions'), so the
-- estimate matches the native condition's where the spec is exactly that condition.
SELECT (SELECT estimated FROM estimate($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"configName": {"eq": "config 42"}}')$$))
     = (SELECT estimated FROM estimate($$SELECT id FROM tv_router_config WHERE data->>'config_name' = 'config 42'$$)) AS counted_once;
SELECT q, estimate_ok(q) FROM (VALUES
  ($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m8"}}}')$$),
  ($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"createdAt": {"gte": "2026-03-01T00:00:00Z", "lt": "2026-03-03T00:00:00Z"}}', '{"createdAt": "timestamptz"}')$$),
  ($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"OR": [{"configName": {"eq": "config 42"}}, {"configName": {"eq": "config 43"}}]}')$$),
  ($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"status": {"eq": "draft"}, "isCurrent": {"eq": true}}')$$),
  ($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"version": {"gt": 12}, "NOT": {"status": {"eq": "draft"}}}')$$)) AS t(q);

-- A prepared statement with the spec as a parameter, as drivers send it: under
-- plan_cache_mode = auto every execution is planned with the spec's value (a custom
-- plan), because a generic plan (the spec unknown: a sequential scan) costs more.
PREPARE by_spec(jsonb, jsonb) AS SELECT id FROM tv_router_config WHERE fraiseql_where(data, $1, $2);
DO $$
BEGIN
  FOR i IN 1..12 LOOP
    EXECUTE 'EXECUTE by_spec(''{"configName": {"eq": "config 42"}}'', ''{}'')';
  END LOOP;
END $$;
SELECT * FROM plan($$EXECUTE by_spec('{"configName": {"eq": "config 42"}}', '{}')$$);
SELECT * FROM plan($$EXECUTE by_spec('{"createdAt": {"gte": "2026-03-01T00:00:00Z", "lt": "2026-03-02T00:00:00Z"}}', '{"createdAt": "timestamptz"}')$$);
SELECT generic_plans, custom_plans >= 12 AS custom FROM pg_prepared_statements WHERE name = 'by_spec';
-- A forced generic plan knows no spec: a sequential scan, never a scan of a whole index.
SET plan_cache_mode = force_generic_plan;
SELECT * FROM plan($$EXECUTE by_spec('{"configName": {"eq": "config 42"}}', '{}')$$);
EXECUTE by_spec('{"configName": {"eq": "config 42"}}', '{}');
RESET plan_cache_mode;
DEALLOCATE by_spec;

-- Every plan above returns the rows of the compiled SQL run without indexes.
SELECT spec, same_rows(spec::jsonb, types::jsonb) FROM (VALUES
  ('{"configName": {"eq": "config 42"}}', '{}'),
  ('{"machine": {"id": {"gte": "m10", "lt": "m11"}}}', '{}'),
  ('{"createdAt": {"gte": "2026-03-01T00:00:00Z", "lt": "2026-03-03T00:00:00+00:00"}}', '{"createdAt": "timestamptz"}'),
  ('{"version": {"eq": 16}}', '{}'),
  ('{"version": {"in": [15, 16.0]}}', '{}'),
  ('{"configName": {"in": ["config 1", "config 2"]}}', '{}'),
  ('{"OR": [{"configName": {"eq": "config 42"}}, {"machine": {"id": {"eq": "m7"}}, "isCurrent": {"eq": true}}]}', '{}')) AS t(spec, types);

-- The rewrite keeps the call's value outside WHERE too (false, never NULL, for a row with data).
SELECT count(*) FILTER (WHERE fraiseql_where(data, '{"configName": {"eq": "config 42"}}')) AS selected,
       count(*) FILTER (WHERE NOT fraiseql_where(data, '{"configName": {"eq": "config 42"}}')) AS not_selected,
       count(*) FILTER (WHERE fraiseql_where(data, '{"configName": {"eq": "config 42"}}') IS NULL) AS null
FROM tv_router_config;

-- Where the whole spec has an equivalent native form the call is replaced, not rechecked
-- (the plans above). Each btree condition carries an IS NOT NULL guard, so the
-- replacement is false, never NULL, where a value is missing or not of the type; and it
-- is only made for a column declared NOT NULL, outside outer joins and grouping sets
-- (the STRICT call is NULL for a NULL column).
INSERT INTO tv_router_config VALUES
  (100001, '{"id": 100001}'),
  (100002, '{"id": 100002, "config_name": null, "created_at": null}'),
  (100003, '{"id": 100003, "config_name": 42, "created_at": "not a time"}');
ANALYZE tv_router_config;
SELECT id, fraiseql_where(data, '{"configName": {"eq": "config 42"}}') AS name_eq,
       NOT fraiseql_where(data, '{"configName": {"eq": "config 42"}}') AS not_name_eq,
       NOT fraiseql_where(data, '{"createdAt": {"gte": "2026-03-01T00:00:00Z"}}', '{"createdAt": "timestamptz"}') AS not_after
FROM tv_router_config WHERE id IN (42, 100001, 100002, 100003) ORDER BY id;
SELECT count(*) FROM tv_router_config WHERE NOT fraiseql_where(data, '{"configName": {"in": ["config 42", "config 43"]}}');
-- "42" could be the ->> text of the number 42: not replaced (rechecked), so the number is not selected.
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"configName": {"eq": "42"}}')$$);
SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"configName": {"eq": "42"}}');
-- An OR of equalities on one key is one = ANY list.
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data,
  '{"OR": [{"configName": {"eq": "config 42"}}, {"configName": {"eq": "config 4242"}}]}')$$);
-- A column that may be NULL keeps the call as the recheck ...
CREATE TABLE tv_nullable (id int PRIMARY KEY, data jsonb);
INSERT INTO tv_nullable SELECT id, data FROM tv_router_config;
INSERT INTO tv_nullable VALUES (0, NULL);
CREATE INDEX ON tv_nullable ((data->>'config_name'));
ANALYZE tv_nullable;
SELECT * FROM plan($$SELECT id FROM tv_nullable WHERE fraiseql_where(data, '{"configName": {"eq": "config 42"}}')$$);
SELECT id, NOT fraiseql_where(data, '{"configName": {"eq": "config 42"}}') AS not_name_eq FROM tv_nullable WHERE id IN (0, 42) ORDER BY id;
-- ... and so do a NOT NULL column on the nullable side of an outer join and a grouping set's total row.
SELECT o.id, NOT fraiseql_where(t.data, '{"configName": {"eq": "config 42"}}') AS not_name_eq
FROM (VALUES (42), (-1)) AS o(id) LEFT JOIN tv_router_config t ON t.id = o.id ORDER BY o.id;
SELECT data->>'id' AS id, NOT fraiseql_where(data, '{"configName": {"eq": "config 42"}}') AS not_name_eq
FROM tv_router_config WHERE id IN (41, 42) GROUP BY ROLLUP (data) ORDER BY 1;
-- The replaced plans return the rows of the compiled SQL run without indexes.
SELECT spec, same_rows(spec::jsonb, types::jsonb) FROM (VALUES
  ('{"configName": {"eq": "42"}}', '{}'),
  ('{"OR": [{"configName": {"eq": "config 42"}}, {"configName": {"eq": "config 4242"}}]}', '{}'),
  ('{"createdAt": {"gte": "2026-09-01T00:00:00Z"}}', '{"createdAt": "timestamptz"}')) AS t(spec, types);

-- With a GIN index too, equalities next to a btree condition are a call of their own,
-- estimated from statistics: a quarter of the rows (every current row) is not worth a
-- GIN scan next to a btree lookup, so it stays a filter on the btree's rows
-- (where_planner_estimates has the other way round).
CREATE INDEX tv_gin ON tv_router_config USING gin (data jsonb_path_ops);
ANALYZE tv_router_config;
SELECT * FROM plan($$SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"configName": {"eq": "config 44"}, "isCurrent": {"eq": true}}')$$);
SELECT id FROM tv_router_config WHERE fraiseql_where(data, '{"configName": {"eq": "config 44"}, "isCurrent": {"eq": true}}');
SELECT spec, same_rows(spec::jsonb, '{}') FROM (VALUES
  ('{"configName": {"eq": "config 44"}, "isCurrent": {"eq": true}}'),
  ('{"configName": {"eq": "config 43"}, "isCurrent": {"eq": true}}'),
  ('{"OR": [{"configName": {"eq": "config 42"}}, {"machine": {"id": {"eq": "m7"}}, "isCurrent": {"eq": true}}]}')) AS t(spec);
