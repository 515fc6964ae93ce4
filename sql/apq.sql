-- Automatic Persisted Queries (docs/apq.md).

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

CREATE FUNCTION fraiseql_apq_count(hash text, hit boolean) RETURNS void
LANGUAGE c VOLATILE STRICT PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'fraiseql_apq_count_v1';
CREATE FUNCTION fraiseql_apq_count_registration() RETURNS void
LANGUAGE c VOLATILE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'fraiseql_apq_count_registration_v1';

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

-- Stores a parsed query under its hash (idempotent, also under concurrent registration
-- of the same query), counts a new registration, and applies fraiseql.apq_max_entries.
CREATE FUNCTION fraiseql_apq_store(hash text, query text, ast jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
    cap integer := coalesce(nullif(current_setting('fraiseql.apq_max_entries', true), '')::integer, 0);
BEGIN
    INSERT INTO @extschema@.fraiseql_apq (hash, query, ast, size)
    VALUES (hash, query, ast, octet_length(query))
    ON CONFLICT ON CONSTRAINT fraiseql_apq_pkey DO NOTHING;
    IF FOUND THEN
        PERFORM @extschema@.fraiseql_apq_count_registration();
        IF cap > 0 AND (SELECT count(*) FROM @extschema@.fraiseql_apq) > cap THEN
            PERFORM @extschema@.fraiseql_apq_evict(cap, NULL);
        END IF;
    END IF;
END
$$;

-- Registers a query and returns its hash. ERROR 42601 for a syntax error: nothing is stored.
CREATE FUNCTION fraiseql_apq_register(query text) RETURNS text
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
    ast jsonb := @extschema@.fraiseql_graphql_parse(query);
    h text := @extschema@.fraiseql_sha256_hex(query);
BEGIN
    PERFORM @extschema@.fraiseql_apq_store(h, query, ast);
    RETURN h;
END
$$;

-- The stored AST, or NULL when the hash is unknown; counts a hit or a miss.
CREATE FUNCTION fraiseql_apq_lookup(hash text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
    h text := @extschema@.fraiseql_apq_hash(hash);
    result jsonb;
BEGIN
    SELECT a.ast INTO result FROM @extschema@.fraiseql_apq a WHERE a.hash = h;
    PERFORM @extschema@.fraiseql_apq_count(h, result IS NOT NULL);
    RETURN result;
END
$$;

CREATE FUNCTION fraiseql_apq_error(message text, code text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('errors', jsonb_build_array(
        jsonb_build_object('message', message, 'extensions', jsonb_build_object('code', code))))
$$;

-- The Apollo APQ protocol for one GraphQL request body. Answers
--   {"sha256Hash", "query", "document", "variables"?, "operationName"?}  for a known or
--   newly registered query (document: the graphql-js AST), or a GraphQL error response.
CREATE FUNCTION fraiseql_apq_request(request jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
    d jsonb := @extschema@.fraiseql_apq_decide(request);
    h text := d->>'hash';
    q text;
    ast jsonb;
    extra jsonb := jsonb_strip_nulls(jsonb_build_object('variables', request->'variables',
                                                       'operationName', request->'operationName'));
BEGIN
    CASE d->>'action'
    WHEN 'lookup' THEN
        SELECT a.query, a.ast INTO q, ast FROM @extschema@.fraiseql_apq a WHERE a.hash = h;
        PERFORM @extschema@.fraiseql_apq_count(h, FOUND);
        IF q IS NULL THEN
            RETURN @extschema@.fraiseql_apq_error('PersistedQueryNotFound', 'PERSISTED_QUERY_NOT_FOUND');
        END IF;
    WHEN 'register' THEN
        -- fraiseql_apq_decide verified the hash and parsed the query already.
        q := d->>'query';
        ast := d->'ast';
        PERFORM @extschema@.fraiseql_apq_store(h, q, ast);
    WHEN 'passthrough' THEN
        q := request->>'query';
        BEGIN
            ast := @extschema@.fraiseql_graphql_parse(q);
        EXCEPTION WHEN syntax_error THEN
            RETURN @extschema@.fraiseql_apq_error(SQLERRM, 'GRAPHQL_PARSE_FAILED');
        END;
        RETURN jsonb_build_object('query', q, 'document', ast) || extra;
    ELSE
        RETURN @extschema@.fraiseql_apq_error(d->>'message', d->>'code');
    END CASE;
    RETURN jsonb_build_object('sha256Hash', h, 'query', q, 'document', ast) || extra;
END
$$;

-- Evicts persisted queries: those unused for longer than max_age, then the least
-- recently used beyond max_entries. NULL arguments take fraiseql.apq_max_entries and
-- fraiseql.apq_max_age (0 = no limit). Also writes the last-use times the counters hold
-- into the table, so they survive a restart. Returns the number of queries removed.
CREATE FUNCTION fraiseql_apq_evict(max_entries integer DEFAULT NULL, max_age interval DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    loaded text := @extschema@.fraiseql_sha256_hex('');  -- loads the library: defines the settings
    cap integer := coalesce(max_entries, nullif(current_setting('fraiseql.apq_max_entries', true), '')::integer, 0);
    age interval := coalesce(max_age, make_interval(secs => coalesce(nullif(current_setting('fraiseql.apq_max_age', true), '')::integer, 0)));
    removed integer;
BEGIN
    IF cap < 0 OR age < interval '0' THEN
        RAISE EXCEPTION 'fraiseql_apq_evict: limits must not be negative' USING ERRCODE = '22023';
    END IF;
    UPDATE @extschema@.fraiseql_apq a SET last_used_at = c.last_hit
    FROM @extschema@.fraiseql_apq_counters() c
    WHERE c.hash = a.hash AND c.last_hit > a.last_used_at;
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
