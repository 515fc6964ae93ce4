-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_daterange;
SET search_path = where_daterange, public;
-- Date range operators.
\i fixtures/devices.sql

-- rows selected by the per-row function, and whether the compiled SQL selects the same
SELECT spec, types, ids(spec::jsonb, types::jsonb), ids(spec::jsonb, types::jsonb) = ids_sql(spec::jsonb, types::jsonb) AS same
FROM (VALUES
 ('{"period": {"contains_date": "2026-01-15"}}', '{}'),
 ('{"period": {"overlaps": "[2026-01-20,2026-02-10)"}}', '{}'),
 ('{"period": {"adjacent": "[2026-03-01,2026-04-01)"}}', '{}'),
 ('{"period": {"strictly_left": "[2026-02-01,2026-02-05]"}}', '{}'),
 ('{"period": {"strictly_right": "[2025-01-01,2026-01-01)"}}', '{}'),
 ('{"period": {"not_left": "[2026-01-15,2026-02-01)"}}', '{}'),
 ('{"period": {"not_right": "[2026-01-15,2026-02-01)"}}', '{}')
) AS t(spec, types);
