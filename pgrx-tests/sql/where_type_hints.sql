-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_type_hints;
SET search_path = where_type_hints, public;
-- Type hints: macaddr notations, timestamptz instants, camelCase hint paths.
CREATE TABLE tv_device (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_device VALUES
 (1, '{"ip": "10.1.2.3",     "mac": "08:00:2b:01:02:03", "path": "top.science.astronomy", "period": "[2026-01-01,2026-02-01)", "seen_at": "2026-01-01T10:00:00Z",      "note": "The quick brown fox"}'),
 (2, '{"ip": "192.168.1.10", "mac": "08-00-2B-01-02-03", "path": "top.science",           "period": "[2026-02-01,2026-03-01)", "seen_at": "2026-01-01T11:30:00+02:00", "note": "slow green turtles"}'),
 (3, '{"ip": "8.8.8.8",      "mac": "0800.2b01.0204",    "path": "top.hobbies.astronomy", "period": "empty",                   "seen_at": "2026-01-01 09:59:59.5Z",    "note": "quick turtle"}'),
 (4, '{"ip": "2001:db8::1",  "mac": "not a mac",         "path": "not a path",            "period": "(,2026-01-01)",           "seen_at": "yesterday",                 "note": 42}'),
 (5, '{"ip": "host.internal.lan", "path": "1.2.3"}'),
 (6, '{}');

CREATE FUNCTION ids(spec jsonb, types jsonb DEFAULT '{}') RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM tv_device WHERE fraiseql_where(data, spec, types)
$$;
CREATE FUNCTION ids_sql(spec jsonb, types jsonb DEFAULT '{}') RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE format('SELECT coalesce(string_agg(id::text, '','' ORDER BY id), ''-'') FROM tv_device WHERE %s',
                 fraiseql_where_sql(spec, 'data', types)) INTO r;
  RETURN r;
END $$;

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
