-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA shape_query;
SET search_path = shape_query, public;
-- fraiseql_query: filter + order + page + shape in one statement; fraiseql_order_sql.
SELECT fraiseql_register_types('{"RouterConfig": {"machine": "Machine"}, "Machine": {}}');
CREATE TABLE tv_router_config (data jsonb NOT NULL);
INSERT INTO tv_router_config VALUES
 ('{"id": 1, "config_name": "paris v1",  "version": 1, "is_current": false, "created_at": "2026-01-10T09:00:00Z", "machine": {"id": "m1", "name": "paris"}}'),
 ('{"id": 2, "config_name": "paris v2",  "version": 2, "is_current": true,  "created_at": "2026-03-02T14:30:00+01:00", "machine": {"id": "m1", "name": "paris"}}'),
 ('{"id": 3, "config_name": "berlin v1", "version": 10, "is_current": false, "created_at": "2026-02-01T08:00:00Z", "machine": {"id": "m2", "name": "berlin"}}'),
 ('{"id": 4, "config_name": "berlin v2", "version": 9, "is_current": true,  "created_at": "2026-04-15T17:45:00Z", "machine": {"id": "m2", "name": "berlin"}}');

SELECT fraiseql_query('tv_router_config', 'routerConfigs', '{ id configName }', 'RouterConfig',
                      "where" => '{"isCurrent": true}', order_by => '{"id": "ASC"}');
-- numbers order numerically (9 before 10), nested paths, several keys as a list
SELECT fraiseql_query('tv_router_config', 'routerConfigs', '{ version }', order_by => '{"version": "DESC"}');
SELECT fraiseql_query('tv_router_config', 'routerConfigs', '{ machine { name } id }', 'RouterConfig',
                      order_by => '[{"machine": {"name": "ASC"}}, {"id": "DESC"}]');
-- typed ordering through the same type hints as filters
SELECT fraiseql_query('tv_router_config', 'routerConfigs', '{ id createdAt }', order_by => '{"createdAt": "DESC"}',
                      types => '{"createdAt": "timestamptz"}', "limit" => 2);
-- paging
SELECT fraiseql_query('tv_router_config', 'routerConfigs', '{ id }', order_by => '{"id": "ASC"}', "limit" => 2, "offset" => 1);
SELECT fraiseql_query('tv_router_config', 'routerConfigs', '{ id }', "where" => '{"id": {"gt": 100}}');
-- single-object fields: the object, null, or an error for several rows
SELECT fraiseql_query('tv_router_config', 'routerConfig', '{ configName }', "where" => '{"id": 3}', single => true);
SELECT fraiseql_query('tv_router_config', 'routerConfig', '{ configName }', "where" => '{"id": 99}', single => true);
SELECT fraiseql_query('tv_router_config', 'routerConfig', '{ configName }', "where" => '{"isCurrent": true}', single => true);
-- bad arguments
SELECT fraiseql_query('tv_router_config', 'routerConfigs', '{ id }', "limit" => -1);
SELECT fraiseql_query('tv_router_config', 'routerConfigs', '{ id }', order_by => '{"a": "ASC", "b": "DESC"}');
SELECT fraiseql_query('tv_router_config', 'routerConfigs', '{ id }', "where" => '{"id": {"eqq": 1}}');
SELECT fraiseql_query('no_such_view', 'x', '{ id }');
-- identifiers from the caller are quoted
CREATE TABLE "Weird ""View""" (data jsonb);
INSERT INTO "Weird ""View""" VALUES ('{"id": 1}');
SELECT fraiseql_query('"Weird ""View"""', 'weird', '{ id }');
SELECT fraiseql_order_sql('[{"machine": {"name": "desc_nulls_last"}}, {"we''ird": "asc"}]');
