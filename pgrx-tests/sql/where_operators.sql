-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_operators;
SET search_path = where_operators, public;
-- fraiseql_where operator families on a table with missing keys, nulls and wrong types.
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

SELECT spec, ids(spec::jsonb) FROM (VALUES
 -- generic: numbers compare numerically, strings only match strings, null/missing never match
 ('{"n": {"eq": 10}}'), ('{"n": {"neq": 10}}'), ('{"n": {"lt": 10}}'), ('{"n": {"gte": 9.5}}'),
 ('{"n": {"in": [9, "10"]}}'), ('{"n": {"nin": [9]}}'), ('{"n": {"in": []}}'), ('{"n": {"nin": []}}'),
 ('{"n": {"isnull": true}}'), ('{"n": {"isnull": false}}'), ('{"NOT": {"n": {"eq": 9}}}'),
 ('{"n": 10}'), ('{"n": null}'),
 -- strings: %, _ and \ in operands are literal
 ('{"s": {"contains": "llo"}}'), ('{"s": {"contains": "%"}}'), ('{"s": {"contains": "_"}}'),
 ('{"s": {"icontains": "world"}}'), ('{"s": {"icontains": "école"}}'), ('{"s": {"startswith": "Hello"}}'),
 ('{"s": {"istartsWith": "hello"}}'), ('{"s": {"endswith": "now"}}'), ('{"s": {"iendswith": "LD"}}'),
 ('{"s": {"like": "h_llo"}}'), ('{"s": {"ilike": "h%"}}'), ('{"s": {"nlike": "h%"}}'), ('{"s": {"nilike": "h%"}}'),
 ('{"s": {"matches": "^H.*d$"}}'), ('{"s": {"imatches": "^h"}}'), ('{"s": {"not_matches": "^h"}}'), ('{"s": {"niregex": "^h"}}'),
 ('{"s": {"gt": "Hello"}}'),
 -- JSON arrays
 ('{"tags": {"array_contains": "a"}}'), ('{"tags": {"array_contained_by": ["a", "b", "c"]}}'),
 ('{"tags": {"array_overlaps": ["a", "d"]}}'), ('{"tags": {"len_eq": 0}}'), ('{"tags": {"len_gte": 2}}'),
 ('{"tags": {"any_eq": 1}}'), ('{"tags": {"all_eq": 1}}'),
 -- JSON objects
 ('{"meta": {"has_key": "y"}}'), ('{"meta": {"has_any_keys": ["y", "z"]}}'), ('{"meta": {"has_all_keys": ["x", "z"]}}'),
 ('{"meta": {"contains": {"x": 1}}}'), ('{"meta": {"contained_by": {"x": 2, "z": 0, "w": 1}}}'),
 -- quantifiers over arrays of objects
 ('{"posts": {"any": {"likes": {"gt": 5}}}}'), ('{"posts": {"all": {"likes": {"gte": 1}}}}'),
 ('{"posts": {"none": {"likes": {"gt": 5}}}}'),
 -- logical
 ('{"OR": [{"n": {"eq": 9}}, {"s": {"eq": "hello"}}]}'), ('{"_and": [{"n": {"gte": 9}}, {"n": {"lte": 10}}]}'),
 ('{"_not": {"s": {"startswith": "H"}}}'), ('{}')
) AS t(spec);

-- both forms select the same rows for every spec above
CREATE FUNCTION ids_sql(spec jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE format('SELECT coalesce(string_agg(id::text, '','' ORDER BY id), ''-'') FROM docs WHERE %s', fraiseql_where_sql(spec)) INTO r;
  RETURN r;
END $$;
SELECT count(*) AS specs, count(*) FILTER (WHERE ids(spec) = ids_sql(spec)) AS agreeing
FROM (VALUES ('{"n": {"neq": 10}}'::jsonb), ('{"NOT": {"n": {"in": [9, 10]}}}'), ('{"s": {"nilike": "h%"}}'),
             ('{"tags": {"all_eq": 1}}'), ('{"posts": {"none": {"likes": {"gt": 5}}}}'),
             ('{"meta": {"contained_by": {"x": 2, "z": 0, "w": 1}}}'), ('{"n": {"in": []}}')) AS t(spec);
