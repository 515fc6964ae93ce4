-- Response shaping (docs/shape.md). V1 C functions in src/shape_fns.rs.
-- The SQL and PL/pgSQL functions pin search_path (see sql/apq.sql for why).

-- Validates a registered type's fields document; raises 22023 naming the fault.
CREATE FUNCTION fraiseql_check_type(type_name text, fields jsonb) RETURNS boolean
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_check_type_v1';

-- The registered GraphQL object types: for each type, its object-valued fields and their
-- types ({"machine": "Machine", "posts": "[Post]"}); scalar fields need no entry.
CREATE TABLE fraiseql_types (
    type_name text PRIMARY KEY,
    fields    jsonb NOT NULL DEFAULT '{}',
    CONSTRAINT fraiseql_types_valid CHECK (fraiseql_check_type(type_name, fields))
);
COMMENT ON TABLE fraiseql_types IS 'GraphQL object types known to fraiseql shaping: type name and the types of its object-valued fields';
SELECT pg_catalog.pg_extension_config_dump('fraiseql_types', '');
-- Shaping reads the registry as the calling role; registering types is for its owner
-- (GRANT INSERT, UPDATE, DELETE to a deployment role to delegate it).
GRANT SELECT ON fraiseql_types TO PUBLIC;

-- Registers (or replaces) several types at once: {"RouterConfig": {"machine": "Machine"}, "Machine": {}}.
CREATE FUNCTION fraiseql_register_types(types jsonb) RETURNS integer
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
    WITH upserted AS (
        INSERT INTO @extschema@.fraiseql_types AS t (type_name, fields)
        SELECT key, value FROM jsonb_each(types)
        ON CONFLICT (type_name) DO UPDATE SET fields = EXCLUDED.fields
        RETURNING 1
    )
    SELECT count(*)::integer FROM upserted
$$;

CREATE FUNCTION fraiseql_shape(data jsonb, selection text, type_name text DEFAULT NULL)
RETURNS json
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fraiseql_shape_v1';
COMMENT ON FUNCTION fraiseql_shape(jsonb, text, text) IS
'the row shaped by a GraphQL selection set: selected fields only, in selection order, camelCase keys, aliases, __typename';

CREATE FUNCTION fraiseql_shape_agg_step(state internal, data jsonb, selection text, type_name text)
RETURNS internal LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_shape_agg_step_v1';
CREATE FUNCTION fraiseql_shape_agg_step(state internal, data jsonb, selection text)
RETURNS internal LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_shape_agg_step_v1';
CREATE FUNCTION fraiseql_shape_agg_final(state internal)
RETURNS json LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_shape_agg_final_v1';

CREATE AGGREGATE fraiseql_shape_agg(data jsonb, selection text, type_name text) (
    SFUNC = fraiseql_shape_agg_step, STYPE = internal,
    FINALFUNC = fraiseql_shape_agg_final, FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE
);
CREATE AGGREGATE fraiseql_shape_agg(data jsonb, selection text) (
    SFUNC = fraiseql_shape_agg_step, STYPE = internal,
    FINALFUNC = fraiseql_shape_agg_final, FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE
);
COMMENT ON AGGREGATE fraiseql_shape_agg(jsonb, text, text) IS
'a JSON array of the shaped rows (use ORDER BY inside the call); [] for no rows';

CREATE FUNCTION fraiseql_response(field text, value json)
RETURNS json LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_response_v1';
COMMENT ON FUNCTION fraiseql_response(text, json) IS 'the GraphQL response envelope {"data":{"<field>":<value>}}';

CREATE FUNCTION fraiseql_order_sql(order_by jsonb, column_name text DEFAULT 'data', types jsonb DEFAULT '{}', convert_keys boolean DEFAULT true)
RETURNS text LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_order_sql_v1';
COMMENT ON FUNCTION fraiseql_order_sql(jsonb, text, jsonb, boolean) IS
'an order_by spec compiled to a SQL sort list over the named jsonb column';

-- One call for a whole GraphQL field: filter, order, page and shape the rows of a tv_ view
-- (its jsonb column must be named "data") and wrap them in the response envelope.
-- Runs as the caller: privileges and row-level security apply as for a plain SELECT.
-- The statement it builds runs under the pinned search_path too: the view prints
-- schema-qualified (regclass output), helpers carry @extschema@, and every built-in
-- function, operator and type in it resolves in pg_catalog.
CREATE FUNCTION fraiseql_query(
    view regclass, field text, selection text, type_name text DEFAULT NULL,
    "where" jsonb DEFAULT '{}', order_by jsonb DEFAULT NULL,
    "limit" bigint DEFAULT NULL, "offset" bigint DEFAULT NULL,
    single boolean DEFAULT false, types jsonb DEFAULT '{}')
RETURNS json
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    filter text := @extschema@.fraiseql_where_sql(coalesce("where", '{}'), 'data', coalesce(types, '{}'));
    sort text := CASE WHEN order_by IS NULL THEN NULL
                      ELSE @extschema@.fraiseql_order_sql(order_by, 'data', coalesce(types, '{}')) END;
    page text;
    shaped json[];
    result json;
BEGIN
    IF field IS NULL OR selection IS NULL OR view IS NULL THEN
        RAISE EXCEPTION 'fraiseql_query: view, field and selection must not be null' USING ERRCODE = '22004';
    END IF;
    IF "limit" < 0 OR "offset" < 0 THEN
        RAISE EXCEPTION 'fraiseql_query: limit and offset must not be negative (got % and %)', "limit", "offset"
            USING ERRCODE = '22023';
    END IF;
    IF single THEN
        page := format(' LIMIT 2 OFFSET %s', coalesce("offset", 0));
        EXECUTE format('SELECT array_agg(@extschema@.fraiseql_shape(data, $1, $2)) FROM (SELECT data FROM %s WHERE %s%s%s) AS fraiseql_rows',
                       view, filter, coalesce(' ORDER BY ' || sort, ''), page)
            INTO shaped USING selection, type_name;
        IF cardinality(shaped) > 1 THEN
            RAISE EXCEPTION 'fraiseql_query: more than one row of % matches single field "%"', view, field
                USING ERRCODE = '21000', HINT = 'filter on a unique key, or pass single => false for a list';
        END IF;
        result := shaped[1];
    ELSE
        page := format(' LIMIT %s OFFSET %s', coalesce("limit"::text, 'ALL'), coalesce("offset", 0));
        EXECUTE format('SELECT @extschema@.fraiseql_shape_agg(data, $1, $2%s) FROM (SELECT data FROM %s WHERE %s%s%s) AS fraiseql_rows',
                       coalesce(' ORDER BY ' || sort, ''), view, filter, coalesce(' ORDER BY ' || sort, ''), page)
            INTO result USING selection, type_name;
    END IF;
    RETURN @extschema@.fraiseql_response(field, result);
END
$$;
COMMENT ON FUNCTION fraiseql_query(regclass, text, text, text, jsonb, jsonb, bigint, bigint, boolean, jsonb) IS
'filter (where-spec), order, page and shape the rows of a view into {"data":{"<field>": …}}';
