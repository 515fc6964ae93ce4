-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_planner_estimates;
SET search_path = where_planner_estimates, public;
-- Equalities next to btree conditions are offered the GIN index when the estimates
-- say they select fewer rows than the btree conditions, and a filter otherwise; the
-- planner chooses by cost. Equalities on a key whose sampled values never repeat are
-- estimated from the containment's statistics.
CREATE TABLE tv_rc (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_rc
SELECT i, jsonb_build_object(
  'id', i, 'config_name', 'cfg ' || i, 'is_current', i % 4 = 0,
  'created_at', to_char(timestamptz '2026-01-01' + (i % 1000) * interval '2 hours', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'machine', jsonb_build_object('id', 'm' || (i % 500), 'name', 'edge-' || (i % 500),
                                'location', jsonb_build_object('city', (ARRAY['Oslo','Paris','Berlin','Rome','Lima'])[1 + i % 5])))
FROM generate_series(1, 50000) i;
CREATE INDEX tv_rc_gin ON tv_rc USING gin (data jsonb_path_ops);
CREATE INDEX tv_rc_created ON tv_rc (fraiseql_as_timestamptz(data -> 'created_at'));
ANALYZE tv_rc;
CREATE FUNCTION plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q;
END $$;
CREATE FUNCTION estimate(q text) RETURNS TABLE (estimated bigint, actual bigint) LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON, ANALYZE, TIMING OFF) ' || q INTO plan;
  estimated := (plan->0->'Plan'->>'Plan Rows')::bigint;
  actual := (plan->0->'Plan'->>'Actual Rows')::bigint;
  RETURN NEXT;
END $$;
-- A machine's rows (0.2%) next to a date range of 78% of the rows: the GIN index (a
-- parallel sequential scan with the equality as an unindexed filter before).
SELECT * FROM plan($$SELECT id FROM tv_rc WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m12"}}, "createdAt": {"gte": "2026-01-19T00:00:00Z"}}', types => '{"createdAt": "timestamptz"}')$$);
-- the hand-written form plans the same index
SELECT * FROM plan($$SELECT id FROM tv_rc WHERE data @> '{"machine": {"id": "m12"}}' AND fraiseql_as_timestamptz(data -> 'created_at') >= '2026-01-19T00:00:00Z'$$);
SELECT count(*) FROM tv_rc WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m12"}}, "createdAt": {"gte": "2026-01-19T00:00:00Z"}}', types => '{"createdAt": "timestamptz"}');
SELECT count(*) FROM tv_rc WHERE fraiseql_where(data, (SELECT '{"machine": {"id": {"eq": "m12"}}, "createdAt": {"gte": "2026-01-19T00:00:00Z"}}'::jsonb), '{"createdAt": "timestamptz"}');
-- A quarter of the rows next to a btree lookup of one machine: the btree alone.
CREATE INDEX tv_rc_machine ON tv_rc ((data -> 'machine' ->> 'id'));
ANALYZE tv_rc;
SELECT * FROM plan($$SELECT id FROM tv_rc WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m12"}}, "isCurrent": {"eq": true}}')$$);
SELECT count(*) FROM tv_rc WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m12"}}, "isCurrent": {"eq": true}}');
-- A rare value next to the same lookup: both indexes, or the btree, as costs say, never
-- a sequential scan.
SELECT bool_and(p NOT LIKE '%Seq Scan%') AS indexed FROM plan($$SELECT id FROM tv_rc WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m12"}}, "configName": {"eq": "cfg 12"}}')$$) p;
-- Row estimates: an equality on a key whose sampled values never repeat (a name) next to
-- one on a repeating key (a city, a fifth of the rows): a handful of rows (at most 25, as
-- ANALYZE samples), not 0.5% of
-- a fifth (50 before).
SELECT estimated <= 25 AS close, actual FROM estimate($$SELECT id FROM tv_rc WHERE fraiseql_where(data, '{"machine": {"location": {"city": {"eq": "Oslo"}}}, "configName": {"eq": "cfg 1001"}}')$$);
-- a repeating key is not estimated as unique (a machine name: 100 rows; the estimate
-- depends on which documents ANALYZE samples)
SELECT estimated >= 20 AS not_unique, actual FROM estimate($$SELECT id FROM tv_rc WHERE fraiseql_where(data, '{"machine": {"name": {"eq": "edge-7"}}}')$$);
