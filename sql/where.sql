-- fraiseql_where / fraiseql_where_sql: the where-spec engine (docs/where.md).
-- Declared by hand because they are V1 C functions reading jsonb in place (src/pg.rs).

-- The planner support function of fraiseql_where (src/support.rs; docs/where.md, "Indexes"):
-- index conditions, native clauses for expression indexes, selectivity and cost of a
-- constant spec. Its argument is `internal`, so no SQL statement can call it; only the
-- planner does (without a privilege check), and EXECUTE is revoked from PUBLIC anyway.
CREATE FUNCTION fraiseql_where_support(internal) RETURNS internal
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_where_support';
REVOKE ALL ON FUNCTION fraiseql_where_support(internal) FROM PUBLIC;
COMMENT ON FUNCTION fraiseql_where_support(internal) IS
'planner support of fraiseql_where: index conditions, derived clauses, selectivity and cost of a constant spec';

CREATE FUNCTION fraiseql_where(data jsonb, spec jsonb, types jsonb DEFAULT '{}', convert_keys boolean DEFAULT true)
RETURNS boolean
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
SUPPORT fraiseql_where_support
AS 'MODULE_PATHNAME', 'fraiseql_where_v1';

COMMENT ON FUNCTION fraiseql_where(jsonb, jsonb, jsonb, boolean) IS
'true when the jsonb document satisfies the FraiseQL where-spec; false when it does not or the answer is unknown (missing or null values)';

CREATE FUNCTION fraiseql_where_sql(spec jsonb, column_name text DEFAULT 'data', types jsonb DEFAULT '{}', convert_keys boolean DEFAULT true)
RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fraiseql_where_sql_v1';

COMMENT ON FUNCTION fraiseql_where_sql(jsonb, text, jsonb, boolean) IS
'the where-spec compiled to a SQL boolean expression over the named jsonb column, every identifier and literal quoted';

CREATE FUNCTION fraiseql_test(value jsonb, operators jsonb)
RETURNS boolean
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fraiseql_test_v1';

COMMENT ON FUNCTION fraiseql_test(jsonb, jsonb) IS
'where-spec operators applied to the value itself; NULL when the answer is unknown';

-- Typed readers: a jsonb value read as a type, NULL when it is not a valid value of it
-- (docs/where.md, "Type hints"). The compiled SQL of typed comparisons calls them.
CREATE FUNCTION fraiseql_as_numeric(value jsonb) RETURNS numeric
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_as_numeric';
CREATE FUNCTION fraiseql_as_timestamptz(value jsonb) RETURNS timestamptz
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_as_timestamptz';
CREATE FUNCTION fraiseql_as_timestamp(value jsonb) RETURNS timestamp
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_as_timestamp';
CREATE FUNCTION fraiseql_as_date(value jsonb) RETURNS date
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_as_date';
CREATE FUNCTION fraiseql_as_uuid(value jsonb) RETURNS uuid
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_as_uuid';
CREATE FUNCTION fraiseql_as_inet(value jsonb) RETURNS inet
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_as_inet';
CREATE FUNCTION fraiseql_as_cidr(value jsonb) RETURNS cidr
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_as_cidr';
CREATE FUNCTION fraiseql_as_macaddr(value jsonb) RETURNS macaddr
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_as_macaddr';
CREATE FUNCTION fraiseql_as_daterange(value jsonb) RETURNS daterange
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_as_daterange';
CREATE FUNCTION fraiseql_as_ltree(value jsonb) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_as_ltree';
