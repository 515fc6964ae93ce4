-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_json;
SET search_path = where_json, public;
-- JSON array and object operators, and quantifiers over arrays.
\i fixtures/docs.sql

-- rows selected by the per-row function, and whether the compiled SQL selects the same
SELECT spec, ids(spec::jsonb), ids(spec::jsonb) = ids_sql(spec::jsonb) AS same
FROM (VALUES
 ('{"tags": {"array_contains": "a"}}'),
 ('{"tags": {"array_contained_by": ["a", "b", "c"]}}'),
 ('{"tags": {"array_overlaps": ["a", "d"]}}'),
 ('{"tags": {"len_eq": 0}}'),
 ('{"tags": {"len_gte": 2}}'),
 ('{"tags": {"len_neq": 2}}'),
 ('{"tags": {"len_lt": 2}}'),
 ('{"tags": {"len_lte": 1}}'),
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
