-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_ltree;
SET search_path = where_ltree, public;
-- ltree operators (no ltree extension needed); plain strings are never guessed as paths.
\i fixtures/devices.sql

-- rows selected by the per-row function, and whether the compiled SQL selects the same
SELECT spec, types, ids(spec::jsonb, types::jsonb), ids(spec::jsonb, types::jsonb) = ids_sql(spec::jsonb, types::jsonb) AS same
FROM (VALUES
 ('{"path": {"ancestor_of": "top.science.astronomy.stars"}}', '{}'),
 ('{"path": {"descendant_of": "top.science"}}', '{}'),
 ('{"path": {"matches_lquery": "*.astronomy"}}', '{}'),
 ('{"path": {"matches_any_lquery": ["top.science", "*.hobbies.*"]}}', '{}'),
 ('{"path": {"matches_ltxtquery": "astronomy & !hobbies"}}', '{}'),
 ('{"path": {"depth_gte": 3}}', '{}'),
 ('{"path": {"depth_eq": 2}}', '{}'),
 ('{"path": {"depth_neq": 2}}', '{}'),
 ('{"path": {"depth_gt": 2}}', '{}'),
 ('{"path": {"depth_lt": 3}}', '{}'),
 ('{"path": {"depth_lte": 3}}', '{}'),
 ('{"path": {"eq": "1.2.3"}}', '{}')
) AS t(spec, types);
