-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_fulltext;
SET search_path = where_fulltext, public;
-- Full-text operators with explicit configurations.
\i fixtures/devices.sql

-- rows selected by the per-row function, and whether the compiled SQL selects the same
SELECT spec, types, ids(spec::jsonb, types::jsonb), ids(spec::jsonb, types::jsonb) = ids_sql(spec::jsonb, types::jsonb) AS same
FROM (VALUES
 ('{"note": {"plain_query": "quick fox"}}', '{}'),
 ('{"note": {"websearch_query": {"query": "turtle -slow", "config": "english"}}}', '{}'),
 ('{"note": {"phrase_query": "quick brown"}}', '{}')
) AS t(spec, types);
