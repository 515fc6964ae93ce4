-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_type_hints;
SET search_path = where_type_hints, public;
-- Type hints: macaddr notations, timestamptz instants, camelCase hint paths.
\i fixtures/devices.sql

-- rows selected by the per-row function, and whether the compiled SQL selects the same
SELECT spec, types, ids(spec::jsonb, types::jsonb), ids(spec::jsonb, types::jsonb) = ids_sql(spec::jsonb, types::jsonb) AS same
FROM (VALUES
 ('{"mac": {"eq": "08002b010203"}}', '{"mac": "macaddr"}'),
 ('{"mac": {"nin": ["08:00:2b:01:02:03"]}}', '{"mac": "macaddr"}'),
 ('{"seen_at": {"gte": "2026-01-01T10:00:00Z"}}', '{"seen_at": "timestamptz"}'),
 ('{"seen_at": {"gte": "2026-01-01T10:00:00Z"}}', '{}'),
 ('{"seenAt": {"lt": "2026-01-01T12:00:00+02:00"}}', '{"seenAt": "timestamptz"}'),
 ('{"NOT": {"seen_at": {"eq": "2026-01-01T10:00:00Z"}}}', '{"seen_at": "timestamptz"}')
) AS t(spec, types);
