-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_typed;
SET search_path = where_typed, public;
-- Typed families: compiled SQL, typed readers, rejected typed operands and type maps.
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

-- compiled forms
SELECT fraiseql_where_sql('{"ip": {"isLoopback": true}, "seen_at": {"gt": "2026-01-01T00:00:00+01:00"}}', 'data', '{"seen_at": "timestamptz"}');
SELECT fraiseql_where_sql('{"path": {"matches_lquery": "*.astronomy"}, "period": {"contains_date": "2026-01-15"}}');
SELECT fraiseql_where_sql('{"note": {"plain_query": {"query": "quick fox", "config": "english"}}}');

-- typed readers are usable directly
SELECT fraiseql_as_timestamptz('"2026-01-01T11:30:00+02:00"') AT TIME ZONE 'UTC' AS utc,
       fraiseql_as_inet('"10.1.2.3"') AS inet, fraiseql_as_macaddr('"0800.2b01.0203"') AS mac,
       fraiseql_as_daterange('"[2026-01-01,2026-01-31]"') AS period, fraiseql_as_uuid('"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"') AS uuid,
       fraiseql_as_numeric('"12.50"') AS amount, fraiseql_as_date('"2026-02-30"') IS NULL AS bad_date_is_null;

-- bad typed operands and type maps are rejected (22023)
CREATE FUNCTION try_spec(spec text, types text DEFAULT '{}') RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; msg text;
BEGIN
  PERFORM fraiseql_where('{}', spec::jsonb, types::jsonb);
  RETURN 'accepted';
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN state || ' ' || msg;
END $$;
SELECT try_spec('{"ip": {"inRange": {"from": "10.0.0.1"}}}');
SELECT try_spec('{"ip": {"inSubnet": "10.0.0.0/33"}}');
SELECT try_spec('{"path": {"matches_lquery": "a..b"}}');
SELECT try_spec('{"path": {"matches_ltxtquery": "a & (b"}}');
SELECT try_spec('{"period": {"overlaps": "[2026-02-01,2026-01-01)"}}');
SELECT try_spec('{"note": {"plain_query": {"query": "x", "config": "klingon"}}}');
SELECT try_spec('{"seen_at": {"gt": "yesterday"}}', '{"seen_at": "timestamptz"}');
SELECT try_spec('{"seen_at": {"in": ["2026-01-01T00:00:00Z", "soon"]}}', '{"seen_at": "timestamptz"}');
SELECT try_spec('{}', '{"seen_at": "datetime"}');
SELECT try_spec('{"path": {"gt": "a.b"}}', '{"path": "ltree"}');
