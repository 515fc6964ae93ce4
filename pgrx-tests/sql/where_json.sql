-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_json;
SET search_path = where_json, public;
-- JSON array and object operators, and quantifiers over arrays.
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
 ('{"tags": {"array_contains": "a"}}'),
 ('{"tags": {"array_contained_by": ["a", "b", "c"]}}'),
 ('{"tags": {"array_overlaps": ["a", "d"]}}'),
 ('{"tags": {"len_eq": 0}}'),
 ('{"tags": {"len_gte": 2}}'),
 ('{"tags": {"any_eq": 1}}'),
 ('{"tags": {"all_eq": 1}}'),
 ('{"tags": {"any": {"eq": "b"}}}'),
 ('{"meta": {"has_key": "y"}}'),
 ('{"meta": {"has_any_keys": ["y", "z"]}}'),
 ('{"meta": {"has_all_keys": ["x", "z"]}}'),
 ('{"meta": {"contains": {"x": 1}}}'),
 ('{"meta": {"contained_by": {"x": 2, "z": 0, "w": 1}}}'),
 ('{"posts": {"any": {"likes": {"gt": 5}}}}'),
 ('{"posts": {"all": {"likes": {"gte": 1}}}}'),
 ('{"posts": {"none": {"likes": {"gt": 5}}}}'),
 ('{"NOT": {"posts": {"any": {"likes": {"gt": 5}}}}}')
) AS t(spec);
