-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_index;
SET search_path = where_index, public;
-- Compiled equality conjunctions are containment tests a GIN jsonb_path_ops index serves.
CREATE TABLE tv_router_config (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_router_config
SELECT i, jsonb_build_object('id', i, 'is_current', i % 2 = 0,
         'machine', jsonb_build_object('id', 'm' || (i % 100), 'name', 'machine ' || (i % 100)))
FROM generate_series(1, 5000) AS i;
CREATE INDEX tv_router_config_data ON tv_router_config USING gin (data jsonb_path_ops);
ANALYZE tv_router_config;

SELECT fraiseql_where_sql('{"machine": {"id": {"eq": "m7"}}, "isCurrent": {"eq": false}}');

-- EXPLAIN of the compiled SQL (built and run dynamically): a bitmap scan of the GIN index
CREATE FUNCTION explain_where(spec jsonb) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM tv_router_config WHERE %s', fraiseql_where_sql(spec));
END $$;
SET enable_seqscan = off;
SELECT * FROM explain_where('{"machine": {"id": {"eq": "m7"}}, "isCurrent": {"eq": false}}');

RESET enable_seqscan;
-- same rows as the per-row function
SELECT (SELECT array_agg(id ORDER BY id) FROM tv_router_config
        WHERE data @> '{"machine": {"id": "m7"}, "is_current": false}')
     = (SELECT array_agg(id ORDER BY id) FROM tv_router_config
        WHERE fraiseql_where(data, '{"machine": {"id": {"eq": "m7"}}, "isCurrent": {"eq": false}}')) AS same_rows;

-- The rows the compiled SQL selects (run dynamically).
CREATE FUNCTION tv_router_config_rows(spec jsonb) RETURNS SETOF tv_router_config LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format('SELECT * FROM tv_router_config WHERE %s', fraiseql_where_sql(spec));
END $$;
-- An in list of strings compiles to a ->> comparison, which a btree on the ->> expression
-- serves; a string that could be the text of a number keeps the typed form.
INSERT INTO tv_router_config VALUES (9001, '{"machine": {"name": 7}}'), (9002, '{"machine": {"name": "7"}}');
CREATE INDEX tv_router_config_mname ON tv_router_config ((data->'machine'->>'name'));
ANALYZE tv_router_config;
SELECT fraiseql_where_sql('{"machine": {"name": {"in": ["machine 7", "machine 8"]}}}');
SELECT fraiseql_where_sql('{"machine": {"name": {"in": ["7", "machine 8"]}}}');
SET enable_seqscan = off;
SELECT * FROM explain_where('{"machine": {"name": {"in": ["machine 7", "machine 8"]}}}');
RESET enable_seqscan;
SELECT spec, (SELECT array_agg(id ORDER BY id) FROM tv_router_config WHERE fraiseql_where(data, spec::jsonb))
   IS NOT DISTINCT FROM (SELECT array_agg(id ORDER BY id) FROM tv_router_config_rows(spec::jsonb)) AS same_rows
FROM (VALUES ('{"machine": {"name": {"in": ["machine 7", "machine 8"]}}}'),
             ('{"machine": {"name": {"in": ["7", "machine 8"]}}}'),
             ('{"NOT": {"machine": {"name": {"in": ["machine 7"]}}}}')) AS t(spec);
