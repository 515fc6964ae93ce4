-- Automatic Persisted Queries (docs/apq.md).
--
-- Every SQL and PL/pgSQL function here pins search_path to pg_catalog, pg_temp and names
-- the extension's own objects with @extschema@: an overload a caller's search_path puts
-- in front of the built-ins (format, jsonb_build_object, …) must never run inside them.
-- The C functions look rows up and store them through SPI as the calling role, with
-- every name in their statements schema-qualified; they alone move the counters.

CREATE FUNCTION fraiseql_sha256_hex(query text) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_sha256_hex_v1';
COMMENT ON FUNCTION fraiseql_sha256_hex(text) IS 'lowercase hex SHA-256 of the exact UTF-8 bytes of the text';

CREATE FUNCTION fraiseql_apq_hash(hash text) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_apq_hash_v1';
COMMENT ON FUNCTION fraiseql_apq_hash(text) IS 'a persisted query hash validated (64 hex digits, else 22023) and lowercased';

CREATE FUNCTION fraiseql_graphql_parse(query text) RETURNS jsonb
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_graphql_parse_v1';
COMMENT ON FUNCTION fraiseql_graphql_parse(text) IS
'the GraphQL document as graphql-js DocumentNode JSON (no loc); 42601 with line and column on a syntax error';

CREATE FUNCTION fraiseql_apq_decide(request jsonb) RETURNS jsonb
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'fraiseql_apq_decide_v1';

CREATE TABLE fraiseql_apq (
    hash         text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
    query        text NOT NULL,
    ast          jsonb NOT NULL,
    size         integer NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Last use as of the last eviction pass or registration: lookups do not write here.
    last_used_at timestamptz NOT NULL DEFAULT now(),
    CHECK (fraiseql_sha256_hex(query) = hash)
);
COMMENT ON TABLE fraiseql_apq IS 'persisted GraphQL queries: SHA-256 hash, exact text, graphql-js AST';
SELECT pg_catalog.pg_extension_config_dump('fraiseql_apq', '');
-- Nobody but the owner by default: GRANT SELECT for lookups, INSERT for registration,
-- DELETE and UPDATE for eviction (docs/apq.md names the roles to create).
REVOKE ALL ON fraiseql_apq FROM PUBLIC;

-- The counting primitives. Each runs its statement as the calling role, so a hit or a
-- miss is counted only for a lookup that role may make, a registration only for a row it
-- inserted; table privileges, not EXECUTE, decide who may call them.
CREATE FUNCTION fraiseql_apq_lookup(hash text) RETURNS jsonb
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

-- Stores a parsed query under its hash (idempotent, also under concurrent registration
-- of the same query), counts a new registration, and applies fraiseql.apq_max_entries.
CREATE FUNCTION fraiseql_apq_store(hash text, query text, ast jsonb) RETURNS void
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

-- Registers a query and returns its hash. ERROR 42601 for a syntax error, 54000 beyond
-- fraiseql.apq_max_query_bytes: nothing is stored.
CREATE FUNCTION fraiseql_apq_register(query text) RETURNS text
LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ast jsonb := @extschema@.fraiseql_graphql_parse(query);
    h text := @extschema@.fraiseql_sha256_hex(query);
BEGIN
    PERFORM @extschema@.fraiseql_apq_store(h, query, ast);
    RETURN h;
END
$$;

CREATE FUNCTION fraiseql_apq_error(message text, code text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_build_object('errors', jsonb_build_array(
        jsonb_build_object('message', message, 'extensions', jsonb_build_object('code', code))))
$$;

-- The Apollo APQ protocol for one GraphQL request body. Answers
--   {"sha256Hash", "query", "document", "variables"?, "operationName"?}  for a known or
--   newly registered query (document: the graphql-js AST), or a GraphQL error response.
CREATE FUNCTION fraiseql_apq_request(request jsonb) RETURNS jsonb
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

-- Evicts persisted queries: those unused for longer than max_age, then the least
-- recently used beyond max_entries. NULL arguments take fraiseql.apq_max_entries and
-- fraiseql.apq_max_age (0 = no limit). First writes the last-hit times the counters hold
-- into the table, which is what survives a restart or a reset: eviction decides on
-- last_used_at alone, never on hit counts. Returns the number of queries removed.
CREATE FUNCTION fraiseql_apq_evict(max_entries integer DEFAULT NULL, max_age interval DEFAULT NULL)
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

CREATE VIEW fraiseql_apq_stats AS
SELECT a.hash,
       CASE WHEN length(a.query) > 200 THEN left(a.query, 197) || '...' ELSE a.query END AS query,
       coalesce(c.hits, 0) AS hits,
       c.last_hit,
       a.created_at AS registered_at,
       a.size
FROM fraiseql_apq a
LEFT JOIN fraiseql_apq_counters() c ON c.hash = a.hash;
COMMENT ON VIEW fraiseql_apq_stats IS 'per persisted query: hits and last hit since the last reset';

CREATE VIEW fraiseql_apq_summary AS
SELECT (SELECT count(*) FROM fraiseql_apq) AS entries,
       t.hits AS total_hits,
       t.misses,
       t.registrations,
       t.lookups,
       CASE WHEN t.lookups > 0 THEN round(t.hits::numeric / t.lookups, 4) END AS hit_rate,
       CASE WHEN t.lookups < 100 THEN 'ok'
            WHEN t.hits::numeric / t.lookups < 0.5 THEN 'critical'
            WHEN t.hits::numeric / t.lookups < 0.7 THEN 'warning'
            ELSE 'ok' END AS health,
       t.shared_memory,
       t.stats_reset
FROM fraiseql_apq_totals() t;
COMMENT ON VIEW fraiseql_apq_summary IS
'persisted query totals since the last reset; health: critical under 50% hits after 100 lookups, warning under 70%';

REVOKE ALL ON fraiseql_apq_stats, fraiseql_apq_summary FROM PUBLIC;
-- Reading the counters (every hash of the database) is for monitoring roles, resetting
-- them for the owner: GRANT EXECUTE explicitly (docs/apq.md). A view's caller needs
-- EXECUTE on the functions it calls, so monitoring roles get both.
REVOKE ALL ON FUNCTION fraiseql_apq_counters(), fraiseql_apq_totals(), fraiseql_apq_stats_reset() FROM PUBLIC;
