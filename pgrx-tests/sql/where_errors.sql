-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_errors;
SET search_path = where_errors, public;
-- Bad where-specs are rejected with SQLSTATE 22023, the JSON path, and a hint.
CREATE FUNCTION try_spec(spec text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; msg text; hint text;
BEGIN
  PERFORM fraiseql_where('{}', spec::jsonb);
  RETURN 'accepted';
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
  RETURN state || E'\n' || msg || E'\nHINT: ' || left(hint, 60);
END $$;
SELECT try_spec('{"machine": {"id": {"eqq": 1}}}');
SELECT try_spec('{"status": {"eqq": "x"}}');
SELECT try_spec('{"id": {"in": 5}}');
SELECT try_spec('{"id": {"isnull": "yes"}}');
SELECT try_spec('{"OR": {"id": 1}}');
SELECT try_spec('[1, 2]');
SELECT try_spec('{"a": {"eq": 1, "b": {"eq": 2}}}');
SELECT try_spec('{"a": {"matches": "(unclosed"}}');
SELECT try_spec('{"a": {"like": "abc\\"}}');
SELECT try_spec('{"a": {"in": [1, null]}}');
SELECT fraiseql_where_sql('{"a": {"len_gt": -1}}');
-- raised from a query over a table as well (the spec is parsed at the first row)
CREATE TABLE tv_thing (data jsonb);
INSERT INTO tv_thing VALUES ('{"a": 1}'), ('{"a": 2}');
SELECT count(*) FROM tv_thing WHERE fraiseql_where(data, '{"a": {"bogus": 1}}');
-- fraiseql_where_sql rejects the same specs
SELECT fraiseql_where_sql('{"a": {"bogus": 1}}');
-- STRICT: NULL in, NULL out
SELECT fraiseql_where(NULL, '{}') IS NULL AS null_data, fraiseql_where('{}', NULL) IS NULL AS null_spec;
