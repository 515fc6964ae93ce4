-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA hardening_compiled_null;
SET search_path = hardening_compiled_null, public;
-- fraiseql_where is STRICT: NULL on a SQL NULL column, so a row whose column is NULL is
-- never selected. The compiled SQL selects the same rows: `isnull` (never unknown on a
-- document) and the empty spec were true on a NULL column.
CREATE TABLE t (id int, data jsonb);
INSERT INTO t VALUES (1, '{"x": 1}'), (2, '{"x": null}'), (3, '{}'), (4, NULL), (5, '[1]');
CREATE VIEW lj AS SELECT i AS id, t.data FROM generate_series(1, 7) i LEFT JOIN t ON t.id = i;
CREATE FUNCTION rows_of(rel text, spec jsonb) RETURNS TABLE (by_call int[], by_sql int[]) LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT array_agg(id ORDER BY id) FROM %I WHERE fraiseql_where(data, %L)', rel, spec) INTO by_call;
  EXECUTE format('SELECT array_agg(id ORDER BY id) FROM %I WHERE %s', rel, fraiseql_where_sql(spec)) INTO by_sql;
  RETURN NEXT;
END $$;
SELECT fraiseql_where_sql('{"x": {"isnull": true}}');
SELECT fraiseql_where_sql('{"x": {"isnull": false}}');
SELECT fraiseql_where_sql('{}');
SELECT rel, spec, r.* FROM unnest(ARRAY['t', 'lj']) rel,
  unnest(ARRAY['{"x": {"isnull": true}}', '{"x": {"isnull": false}}', '{"NOT": {"x": {"isnull": false}}}',
               '{"NOT": {"x": {"isnull": true}}}', '{}', '{"OR": [{"x": {"isnull": true}}, {"x": {"eq": 1}}]}',
               '{"y": {"isnull": true}, "x": {"neq": 2}}']::jsonb[]) spec,
  rows_of(rel, spec) r ORDER BY 1, 2::text;
-- inside a quantifier the scope is an element, never NULL: no guard there
SELECT fraiseql_where_sql('{"posts": {"any": {"title": {"isnull": true}}}}');
