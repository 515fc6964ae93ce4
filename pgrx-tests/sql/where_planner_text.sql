-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_planner_text;
SET search_path = where_planner_text, public;
-- fraiseql_where on a column no index serves: a constant spec made of string eq/in tests
-- on top-level keys is replaced by `((data->>'k') = …) IS TRUE`, which PostgreSQL
-- evaluates for less per row than the call (docs/where.md, "Without an index").
CREATE TABLE t (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO t VALUES
 (1, '{"name": "a", "n": 1}'),
 (2, '{"name": "b", "n": "1"}'),
 (3, '{"name": ["a"], "n": true}'),
 (4, '{"name": {"a": 1}}'),
 (5, '{"name": null, "n": "true"}'),
 (6, '{"n": 1.0}'),
 (7, '[1, 2]'),
 (8, '"a"'),
 (9, '{"name": "A", "other": "a"}');
CREATE TABLE t_nullable (id int, data jsonb);
INSERT INTO t_nullable SELECT id, data FROM t;
INSERT INTO t_nullable VALUES (10, NULL);
ANALYZE t, t_nullable;
CREATE FUNCTION plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q;
END $$;
-- The call's own answer for every row: the spec read from a table is not a constant,
-- so nothing replaces the call.
CREATE TABLE specs (spec jsonb);
CREATE FUNCTION own(s jsonb) RETURNS TABLE (id int, v boolean) LANGUAGE sql AS $$
  SELECT t.id, fraiseql_where(t.data, specs.spec) FROM t, specs WHERE specs.spec = s ORDER BY 1
$$;

-- replaced: eq, in, OR of equalities on one key, AND/OR over two keys
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"name": {"eq": "a"}}')$$);
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"name": {"in": ["a", "b"]}}')$$);
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"OR": [{"name": {"eq": "a"}}, {"name": {"eq": "b"}}]}')$$);
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"OR": [{"name": {"eq": "a"}}, {"other": {"eq": "a"}}]}')$$);
-- the same values as the call in every row, selected or not (false, never NULL)
INSERT INTO specs VALUES ('{"name": {"eq": "a"}}'), ('{"name": {"in": ["a", "b"]}}'),
  ('{"OR": [{"name": {"eq": "a"}}, {"other": {"eq": "a"}}]}'), ('{"name": {"eq": "A"}, "other": {"eq": "a"}}');
SELECT s.spec, array_agg(t.id ORDER BY t.id) FILTER (WHERE fraiseql_where(t.data, s.spec)) AS own_rows
FROM specs s, t GROUP BY s.spec ORDER BY 1::text;
SELECT id, fraiseql_where(data, '{"name": {"eq": "a"}}') FROM t ORDER BY id;
SELECT (SELECT array_agg(id ORDER BY id) FROM t WHERE fraiseql_where(data, '{"name": {"eq": "a"}}')) AS eq,
       (SELECT array_agg(id ORDER BY id) FROM t WHERE fraiseql_where(data, '{"name": {"in": ["a", "b"]}}')) AS in_list,
       (SELECT array_agg(id ORDER BY id) FROM t WHERE fraiseql_where(data, '{"OR": [{"name": {"eq": "a"}}, {"other": {"eq": "a"}}]}')) AS or_keys,
       (SELECT array_agg(id ORDER BY id) FROM t WHERE fraiseql_where(data, '{"name": {"eq": "A"}, "other": {"eq": "a"}}')) AS and_keys;
SELECT bool_and(a.v IS NOT DISTINCT FROM b.v) AS same_values
FROM own('{"name": {"eq": "a"}}') a JOIN (SELECT id, fraiseql_where(data, '{"name": {"eq": "a"}}') AS v FROM t) b USING (id);
-- kept as the call: nested keys, numbers, booleans, strings a number's or boolean's text
-- could equal, NOT, other operators
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"m": {"name": {"eq": "a"}}}')$$);
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"n": {"eq": 1}}')$$);
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"n": {"eq": true}}')$$);
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"n": {"eq": "1"}}')$$);
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"NOT": {"name": {"eq": "a"}}}')$$);
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"name": {"startswith": "a"}}')$$);
-- kept where the column can be NULL: not declared NOT NULL, or the nullable side of an
-- outer join (the call is NULL there, the replacement would be false)
SELECT * FROM plan($$SELECT id FROM t_nullable WHERE fraiseql_where(data, '{"name": {"eq": "a"}}')$$);
SELECT * FROM plan($$SELECT s.x, t.id FROM (VALUES (1)) s(x) LEFT JOIN t ON fraiseql_where(t.data, '{"name": {"eq": "a"}}')$$);
SELECT id, fraiseql_where(data, '{"name": {"eq": "a"}}') FROM t_nullable WHERE id >= 8 ORDER BY id;
-- the indexes and NOT NULL found are kept per backend until the table changes: a new
-- index, a dropped one and a dropped NOT NULL each take effect on the next plan
SET enable_seqscan = off;
CREATE INDEX t_name ON t ((data->>'name'));
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"name": {"eq": "a"}}')$$);
DROP INDEX t_name;
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"name": {"eq": "a"}}')$$);
RESET enable_seqscan;
ALTER TABLE t ALTER data DROP NOT NULL;
SELECT * FROM plan($$SELECT id FROM t WHERE fraiseql_where(data, '{"name": {"eq": "a"}}')$$);
