-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA shape;
SET search_path = shape, public;
-- fraiseql_shape / fraiseql_shape_agg / fraiseql_response: exact GraphQL response fragments.
SELECT fraiseql_register_types('{"RouterConfig": {"machine": "Machine", "posts": "[Post]"},
                                 "Machine": {"location": "Location"}, "Location": {}, "Post": {"author": "User"}, "User": {}}');
CREATE TABLE tv_router_config (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_router_config VALUES
 (1, '{"id": 1, "config_name": "edge", "is_current": true, "secret": "s3cr3t", "_private": 7,
       "machine": {"id": "m1", "name": "paris", "location": {"city": "Paris", "rack": 4}},
       "posts": [{"id": 10, "title": "a", "author": {"name": "ann"}}, null, {"id": 11, "title": "b"}],
       "tags": ["x", 1, null, {"k": "v"}], "empty": []}'),
 (2, '{"id": 2, "config_name": "core", "is_current": false, "machine": null, "posts": []}');

-- selection order, camelCase keys, only selected fields, missing fields are null
SELECT fraiseql_shape(data, '{ isCurrent id configName nope }', 'RouterConfig') FROM tv_router_config ORDER BY id;
-- nested objects and __typename of each level (never the root's)
SELECT fraiseql_shape(data, '{ __typename box: machine { __typename name location { __typename city } } }', 'RouterConfig')
FROM tv_router_config ORDER BY id;
-- lists: each element shaped, null elements stay null, [] stays [], scalar lists untouched
SELECT fraiseql_shape(data, '{ posts { __typename title author { name } } tags empty }', 'RouterConfig')
FROM tv_router_config ORDER BY id;
-- aliases win over camelCase; one field twice under two aliases; same key merged
SELECT fraiseql_shape(data, '{ a: id b: id machine { id } machine { name } }', 'RouterConfig') FROM tv_router_config WHERE id = 1;
-- fragments, inline fragments, @skip / @include with literal arguments
SELECT fraiseql_shape(data, '{ ...Cfg machine { ... on Machine { name } ... { id } } secret @skip(if: true) }
                             fragment Cfg on RouterConfig { configName isCurrent @include(if: false) }', 'RouterConfig')
FROM tv_router_config WHERE id = 1;
-- strings and numbers byte-exact
SELECT fraiseql_shape(E'{"s": "q\\" b\\\\ t\\t c\\u0001 😀 𝄞 end\\\\", "n": 1.10, "big": 1e30, "z": -0.0}', '{ s n big z }');
-- the aggregate keeps the ORDER BY given in the call; no rows gives []
SELECT fraiseql_shape_agg(data, '{ id configName }', 'RouterConfig' ORDER BY id DESC) FROM tv_router_config;
SELECT fraiseql_shape_agg(data, '{ id }') FROM tv_router_config WHERE false;
-- the envelope
SELECT fraiseql_response('routerConfigs', fraiseql_shape_agg(data, '{ id }' ORDER BY id)) FROM tv_router_config;
SELECT fraiseql_response('routerConfig', NULL);
-- NULL data gives NULL
SELECT fraiseql_shape(NULL, '{ id }') IS NULL AS null_row;

-- errors: syntax (42601, with line and column), unknown type (42704), invalid selection (22023)
CREATE FUNCTION try_shape(selection text, type_name text DEFAULT 'RouterConfig') RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; msg text;
BEGIN
  PERFORM fraiseql_shape('{}', selection, type_name);
  RETURN 'accepted';
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN state || ' ' || msg;
END $$;
SELECT try_shape(E'{ id\n  machine {\n    name\n  ');
SELECT try_shape('{ id(first: }');
SELECT try_shape('{ id }', 'RouterConfg');
SELECT try_shape('{ tags { __typename } }');
SELECT try_shape('{ __typename }', NULL);
SELECT try_shape('{ a: id a: configName }');
SELECT try_shape('{ posts(first: 2) { id } }');
SELECT try_shape('{ id @include(if: $flag) }');
SELECT try_shape('{ ...Missing }');
SELECT try_shape('type Query { id: ID }');
-- the registry validates what is stored
INSERT INTO fraiseql_types VALUES ('Bad', '{"x": 5}');
INSERT INTO fraiseql_types VALUES ('bad name', '{}');
