-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_strings;
SET search_path = where_strings, public;
-- String operators: %, _ and \ in operands are literal; case folding is the database's lower().
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
 ('{"s": {"contains": "llo"}}'),
 ('{"s": {"contains": "%"}}'),
 ('{"s": {"contains": "_"}}'),
 ('{"s": {"icontains": "world"}}'),
 ('{"s": {"icontains": "école"}}'),
 ('{"s": {"startswith": "Hello"}}'),
 ('{"s": {"istartsWith": "hello"}}'),
 ('{"s": {"endswith": "now"}}'),
 ('{"s": {"iendswith": "LD"}}'),
 ('{"s": {"like": "h_llo"}}'),
 ('{"s": {"ilike": "h%"}}'),
 ('{"s": {"nlike": "h%"}}'),
 ('{"s": {"nilike": "h%"}}'),
 ('{"s": {"matches": "^H.*d$"}}'),
 ('{"s": {"imatches": "^h"}}'),
 ('{"s": {"not_matches": "^h"}}'),
 ('{"s": {"niregex": "^h"}}')
) AS t(spec);
