-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_generic;
SET search_path = where_generic, public;
-- Generic operators: numbers compare numerically, strings only match strings, null and missing values never match.
CREATE TABLE docs (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO docs VALUES
 (1, '{"n": 9,    "s": "Hello World", "tags": ["a", "b"],      "meta": {"x": 1},     "posts": [{"likes": 3}, {"likes": 10}]}'),
 (2, '{"n": 10,   "s": "50% off_now", "tags": ["b", "c", "d"], "meta": {"y": null},  "posts": [{"likes": 1}]}'),
 (3, '{"n": 10.0, "s": "hello",       "tags": [],              "meta": {},           "posts": []}'),
 (4, '{"n": "10", "s": 5,             "tags": "a",             "meta": ["x"],        "posts": null}'),
 (5, '{"n": null, "s": null}'),
 (6, '{}'),
 (7, '{"n": -1e2, "s": "ÉCOLE",       "tags": [1, 1.0],        "meta": {"x": 2, "z": 0}}');

CREATE FUNCTION ids(spec jsonb) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM docs WHERE fraiseql_where(data, spec)
$$;

CREATE FUNCTION ids_sql(spec jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE format('SELECT coalesce(string_agg(id::text, '','' ORDER BY id), ''-'') FROM docs WHERE %s', fraiseql_where_sql(spec)) INTO r;
  RETURN r;
END $$;

-- rows selected by the per-row function, and whether the compiled SQL selects the same
SELECT spec, ids(spec::jsonb), ids(spec::jsonb) = ids_sql(spec::jsonb) AS same
FROM (VALUES
 ('{"n": {"eq": 10}}'),
 ('{"n": {"neq": 10}}'),
 ('{"n": {"lt": 10}}'),
 ('{"n": {"gte": 9.5}}'),
 ('{"n": {"in": [9, "10"]}}'),
 ('{"n": {"nin": [9]}}'),
 ('{"n": {"in": []}}'),
 ('{"n": {"nin": []}}'),
 ('{"n": {"isnull": true}}'),
 ('{"n": {"isnull": false}}'),
 ('{"NOT": {"n": {"eq": 9}}}'),
 ('{"n": 10}'),
 ('{"n": null}'),
 ('{"s": {"gt": "Hello"}}'),
 ('{"OR": [{"n": {"eq": 9}}, {"s": {"eq": "hello"}}]}'),
 ('{"_and": [{"n": {"gte": 9}}, {"n": {"lte": 10}}]}'),
 ('{"_not": {"s": {"startswith": "H"}}}'),
 ('{}'),
 ('{"OR": []}'),
 ('{"NOT": {"n": null}}')
) AS t(spec);
