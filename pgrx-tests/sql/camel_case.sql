-- fraiseql_camel_case: snake_case keys to GraphQL camelCase.
SELECT k, fraiseql_camel_case(k)
FROM unnest(ARRAY[
    'address_line_1', 'ip_v4_address', 'is_current', '__typename', '_private',
    '_private_field', 'type_', 'a__b', 'HTTP_status', 'isCurrent', '', '_', 'caf_été'
]) WITH ORDINALITY AS t(k, n)
ORDER BY n;

-- STRICT: NULL in, NULL out
SELECT fraiseql_camel_case(NULL) IS NULL AS is_null;

-- planner markings
SELECT provolatile, proisstrict, proparallel
FROM pg_proc WHERE proname = 'fraiseql_camel_case';
