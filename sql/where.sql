-- fraiseql_where / fraiseql_where_sql: the where-spec engine (docs/where.md).
-- Declared by hand because they are V1 C functions reading jsonb in place (src/pg.rs).

CREATE FUNCTION fraiseql_where(data jsonb, spec jsonb, convert_keys boolean DEFAULT true)
RETURNS boolean
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fraiseql_where_v1';

COMMENT ON FUNCTION fraiseql_where(jsonb, jsonb, boolean) IS
'true when the jsonb document satisfies the FraiseQL where-spec; false when it does not or the answer is unknown (missing or null values)';

CREATE FUNCTION fraiseql_where_sql(spec jsonb, column_name text DEFAULT 'data', convert_keys boolean DEFAULT true)
RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fraiseql_where_sql_v1';

COMMENT ON FUNCTION fraiseql_where_sql(jsonb, text, boolean) IS
'the where-spec compiled to a SQL boolean expression over the named jsonb column, every identifier and literal quoted';
