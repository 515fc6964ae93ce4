-- fraiseql 0.1.0 -> 0.2.0, run by ALTER EXTENSION fraiseql UPDATE.
--
-- The result must be the catalog a fresh CREATE EXTENSION fraiseql (0.2.0) builds, to the
-- byte: tests/upgrade.sh installs 0.1.0 (sql/archive/), updates, and
-- compares every function (attributes, search_path, ACL, source), table, column,
-- constraint, index, view, comment, initial privilege and extension membership with a
-- fresh install; any difference fails it.
--
-- Adding to it: put each change in the section of the sql/ file it belongs to.
--   * new function, table, view: the same statement as in sql/*.sql;
--   * changed function body or attributes: CREATE OR REPLACE FUNCTION with the text of
--     sql/*.sql copied verbatim (function source is compared byte for byte); a changed
--     setting alone: ALTER FUNCTION ... SET / RESET;
--   * changed argument list or return type: DROP FUNCTION, then CREATE as in sql/*.sql
--     (and re-create the views or aggregates that depend on it);
--   * removed function: DROP FUNCTION (its C symbol stays in the library: a 0.1.0
--     catalog must load with the new library until it is updated);
--   * GRANT/REVOKE and COMMENT ON exactly as the install script has them.
-- pgrx-generated functions (#[pg_extern]) appear in the install script as
-- CREATE FUNCTION "name"(...) ... AS 'MODULE_PATHNAME', 'name_wrapper'.

\echo Use "ALTER EXTENSION fraiseql UPDATE TO '0.2.0'" to load this file. \quit

-- ---------------------------------------------------------------------------------------
-- sql/where.sql: where-spec functions
-- ---------------------------------------------------------------------------------------

-- Planner support: fraiseql_where is served by indexes (docs/where.md, "Indexes").
CREATE FUNCTION fraiseql_where_support(internal) RETURNS internal
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_where_support';
REVOKE ALL ON FUNCTION fraiseql_where_support(internal) FROM PUBLIC;
COMMENT ON FUNCTION fraiseql_where_support(internal) IS
'planner support of fraiseql_where: index conditions, derived clauses, selectivity and cost of a constant spec';
ALTER FUNCTION fraiseql_where(jsonb, jsonb, jsonb, boolean) SUPPORT fraiseql_where_support;

-- ---------------------------------------------------------------------------------------
-- sql/shape.sql: response shaping
-- ---------------------------------------------------------------------------------------

-- search_path pinned (CVE-2018-1058): bodies unchanged.
ALTER FUNCTION fraiseql_register_types(jsonb) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION fraiseql_query(regclass, text, text, text, jsonb, jsonb, bigint, bigint, boolean, jsonb)
    SET search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------------------
-- sql/camel.sql: fraiseql_camel_case
-- ---------------------------------------------------------------------------------------

-- (no change: declared by hand now, as 0.1.0 generated it)

-- ---------------------------------------------------------------------------------------
-- sql/apq.sql: persisted queries
-- ---------------------------------------------------------------------------------------

-- Counting moves into the C functions that look up and insert as the calling role; the
-- SQL-callable counters of 0.1.0 let any role forge hits and registrations.
CREATE OR REPLACE FUNCTION fraiseql_apq_lookup(hash text) RETURNS jsonb
LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', 'fraiseql_apq_lookup_v1';
COMMENT ON FUNCTION fraiseql_apq_lookup(text) IS 'the stored AST of a persisted query, or NULL; counts a hit or a miss';

CREATE FUNCTION fraiseql_apq_answer(hash text) RETURNS jsonb
LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', 'fraiseql_apq_answer_v1';
COMMENT ON FUNCTION fraiseql_apq_answer(text) IS
'the APQ answer for a stored query, {"sha256Hash", "query", "document"}, or NULL; counts a hit or a miss';

CREATE FUNCTION fraiseql_apq_insert(hash text, query text, ast jsonb) RETURNS boolean
LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', 'fraiseql_apq_insert_v1';
COMMENT ON FUNCTION fraiseql_apq_insert(text, text, jsonb) IS
'stores a parsed query unless its hash is stored already; true (and counted) when it inserted the row';

CREATE FUNCTION fraiseql_apq_save_last_used() RETURNS integer
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'fraiseql_apq_save_last_used_v1';
COMMENT ON FUNCTION fraiseql_apq_save_last_used() IS
'writes the last-hit times this database''s counters hold into fraiseql_apq.last_used_at; returns the rows updated';

DROP FUNCTION fraiseql_apq_count(text, boolean);
DROP FUNCTION fraiseql_apq_count_registration();

-- search_path pinned; counting through fraiseql_apq_insert/answer/save_last_used; the
-- passthrough path parses in fraiseql_apq_decide (size limit, U+0000 refused).
CREATE OR REPLACE FUNCTION fraiseql_apq_store(hash text, query text, ast jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cap integer := coalesce(nullif(current_setting('fraiseql.apq_max_entries', true), '')::integer, 0);
BEGIN
    IF @extschema@.fraiseql_apq_insert(hash, query, ast) THEN
        IF cap > 0 AND (SELECT count(*) FROM @extschema@.fraiseql_apq) > cap THEN
            PERFORM @extschema@.fraiseql_apq_evict(cap, NULL);
        END IF;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION fraiseql_apq_register(query text) RETURNS text
LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ast jsonb := @extschema@.fraiseql_graphql_parse(query);
    h text := @extschema@.fraiseql_sha256_hex(query);
BEGIN
    PERFORM @extschema@.fraiseql_apq_store(h, query, ast);
    RETURN h;
END
$$;

CREATE OR REPLACE FUNCTION fraiseql_apq_error(message text, code text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_build_object('errors', jsonb_build_array(
        jsonb_build_object('message', message, 'extensions', jsonb_build_object('code', code))))
$$;

CREATE OR REPLACE FUNCTION fraiseql_apq_request(request jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d jsonb := @extschema@.fraiseql_apq_decide(request);
    h text := d->>'hash';
    q text;
    ast jsonb;
    answer jsonb;
    extra jsonb := jsonb_strip_nulls(jsonb_build_object('variables', request->'variables',
                                                       'operationName', request->'operationName'));
BEGIN
    CASE d->>'action'
    WHEN 'lookup' THEN
        answer := @extschema@.fraiseql_apq_answer(h);
        IF answer IS NULL THEN
            RETURN @extschema@.fraiseql_apq_error('PersistedQueryNotFound', 'PERSISTED_QUERY_NOT_FOUND');
        END IF;
        RETURN answer || extra;
    WHEN 'register' THEN
        -- fraiseql_apq_decide checked the size, verified the hash and parsed the query.
        q := d->>'query';
        ast := d->'ast';
        PERFORM @extschema@.fraiseql_apq_store(h, q, ast);
    WHEN 'passthrough' THEN
        RETURN jsonb_build_object('query', d->'query', 'document', d->'ast') || extra;
    ELSE
        RETURN @extschema@.fraiseql_apq_error(d->>'message', d->>'code');
    END CASE;
    RETURN jsonb_build_object('sha256Hash', h, 'query', q, 'document', ast) || extra;
END
$$;

CREATE OR REPLACE FUNCTION fraiseql_apq_evict(max_entries integer DEFAULT NULL, max_age interval DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    loaded text := @extschema@.fraiseql_sha256_hex('');  -- loads the library: defines the settings
    cap integer := coalesce(max_entries, nullif(current_setting('fraiseql.apq_max_entries', true), '')::integer, 0);
    age interval := coalesce(max_age, make_interval(secs => coalesce(nullif(current_setting('fraiseql.apq_max_age', true), '')::integer, 0)));
    removed integer;
BEGIN
    IF cap < 0 OR age < interval '0' THEN
        RAISE EXCEPTION 'fraiseql_apq_evict: limits must not be negative' USING ERRCODE = '22023';
    END IF;
    PERFORM @extschema@.fraiseql_apq_save_last_used();
    WITH ranked AS (
        SELECT a.hash, a.last_used_at, row_number() OVER (ORDER BY a.last_used_at DESC, a.hash) AS rank
        FROM @extschema@.fraiseql_apq a
    )
    DELETE FROM @extschema@.fraiseql_apq a USING ranked r
    WHERE a.hash = r.hash
      AND ((age > interval '0' AND r.last_used_at < now() - age) OR (cap > 0 AND r.rank > cap));
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;

-- Counters are read by monitoring roles and reset by the owner, never by PUBLIC.
REVOKE ALL ON FUNCTION fraiseql_apq_counters(), fraiseql_apq_totals(), fraiseql_apq_stats_reset() FROM PUBLIC;

-- ---------------------------------------------------------------------------------------
-- sql/execute.sql: GraphQL execution (new in 0.2.0; the statements of sql/execute.sql)
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION fraiseql_check_schema(sdl text) RETURNS boolean
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_check_schema_v1';
COMMENT ON FUNCTION fraiseql_check_schema(text) IS
'true for a GraphQL SDL document fraiseql_execute can serve; an error naming line and column otherwise';

-- The registered schemas: name, SDL document, version (1, then one more per change) and
-- the document's SHA-256, which backends compare to know when their compiled copy is stale.
CREATE TABLE fraiseql_schema (
    name          text PRIMARY KEY CHECK (name <> ''),
    sdl           text NOT NULL,
    version       integer NOT NULL DEFAULT 1,
    sdl_sha256    text GENERATED ALWAYS AS (fraiseql_sha256_hex(sdl)) STORED,
    registered_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fraiseql_schema_valid CHECK (fraiseql_check_schema(sdl))
);
COMMENT ON TABLE fraiseql_schema IS 'GraphQL schemas served by fraiseql_execute: name, SDL, version';
SELECT pg_catalog.pg_extension_config_dump('fraiseql_schema', '');
-- Execution reads the schema as the calling role; writing it is for the owner (GRANT
-- INSERT, UPDATE, DELETE and EXECUTE on fraiseql_register_schema to delegate).
REVOKE ALL ON fraiseql_schema FROM PUBLIC;
GRANT SELECT ON fraiseql_schema TO PUBLIC;

-- Registers (or replaces) a schema and returns its version: 1 for a new name, one more
-- than before for a changed document, unchanged for the same document.
CREATE FUNCTION fraiseql_register_schema(sdl text, name text DEFAULT 'default') RETURNS integer
LANGUAGE sql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
    WITH up AS (
        INSERT INTO @extschema@.fraiseql_schema AS s (name, sdl) VALUES ($2, $1)
        ON CONFLICT ON CONSTRAINT fraiseql_schema_pkey DO UPDATE
            SET sdl = EXCLUDED.sdl, version = s.version OPERATOR(pg_catalog.+) 1, registered_at = now()
            WHERE s.sdl IS DISTINCT FROM EXCLUDED.sdl
        RETURNING s.version
    )
    SELECT coalesce((SELECT version FROM up),
                    (SELECT s.version FROM @extschema@.fraiseql_schema s WHERE s.name OPERATOR(pg_catalog.=) $2))
$$;
COMMENT ON FUNCTION fraiseql_register_schema(text, text) IS
'stores a GraphQL SDL document under a name (validated first); returns its version';
REVOKE ALL ON FUNCTION fraiseql_register_schema(text, text) FROM PUBLIC;

-- A GraphQL-over-HTTP request body {query, variables, operationName, extensions} →
-- the response body {"data": …} / {"errors": […], "data": …} / {"errors": […]}.
-- Runs as the caller: privileges and row-level security apply to every view and
-- function the request reaches. VOLATILE: mutations write.
CREATE FUNCTION fraiseql_execute(request jsonb, schema_name text DEFAULT 'default') RETURNS json
LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', 'fraiseql_execute_request_v1';
COMMENT ON FUNCTION fraiseql_execute(jsonb, text) IS
'answers a GraphQL request body with the response body, against a registered schema';

CREATE FUNCTION fraiseql_execute(query text, variables jsonb DEFAULT NULL, operation_name text DEFAULT NULL,
                                 schema_name text DEFAULT 'default') RETURNS json
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'fraiseql_execute_query_v1';
COMMENT ON FUNCTION fraiseql_execute(text, jsonb, text, text) IS
'answers a GraphQL query with the response body, against a registered schema';
