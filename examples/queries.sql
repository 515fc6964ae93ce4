-- camelCase keys as GraphQL responses spell them
SELECT k AS data_key, fraiseql_camel_case(k) AS graphql_field
FROM (SELECT DISTINCT jsonb_object_keys(data) AS k FROM tv_router_config) AS keys
ORDER BY k;

-- The stored rows
SELECT data->>'config_name' AS config, data->'machine'->>'name' AS machine,
       (data->>'is_current')::boolean AS is_current
FROM tv_router_config ORDER BY data->>'created_at';
