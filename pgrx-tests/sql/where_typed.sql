-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_typed;
SET search_path = where_typed, public;
-- Typed families: compiled SQL, typed readers, rejected typed operands and type maps.
\i fixtures/devices.sql

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
