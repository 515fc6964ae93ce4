-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_mixed_filters;
SET search_path = where_mixed_filters, public;
-- Regression: upstream FraiseQL dropped the nested filter when nested and direct
-- filters were mixed in one where-spec. Here every filter applies, in any order.
CREATE TABLE tv_router_config (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_router_config VALUES
 (1, '{"id": 1, "config_name": "paris v1",  "is_current": false, "machine": {"id": "11111111-1111-1111-1111-111111111111", "name": "paris"}}'),
 (2, '{"id": 2, "config_name": "paris v2",  "is_current": true,  "machine": {"id": "11111111-1111-1111-1111-111111111111", "name": "paris"}}'),
 (3, '{"id": 3, "config_name": "berlin v1", "is_current": false, "machine": {"id": "22222222-2222-2222-2222-222222222222", "name": "berlin"}}'),
 (4, '{"id": 4, "config_name": "berlin v2", "is_current": true,  "machine": {"id": "22222222-2222-2222-2222-222222222222", "name": "berlin"}}');

CREATE TABLE scenario (name text PRIMARY KEY, spec jsonb NOT NULL);
INSERT INTO scenario VALUES
 ('1 nested only',         '{"machine": {"id": {"eq": "11111111-1111-1111-1111-111111111111"}}}'),
 ('2 direct only',         '{"is_current": {"eq": true}}'),
 ('3 nested + direct',     '{"machine": {"id": {"eq": "11111111-1111-1111-1111-111111111111"}}, "is_current": {"eq": true}}'),
 ('4 nested + two direct', '{"machine": {"id": {"eq": "11111111-1111-1111-1111-111111111111"}}, "is_current": {"eq": true}, "config_name": {"eq": "paris v2"}}'),
 ('5 direct before nested','{"is_current": {"eq": true}, "machine": {"id": {"eq": "11111111-1111-1111-1111-111111111111"}}}');

-- per-row function
SELECT s.name, array_agg(t.id ORDER BY t.id) AS ids
FROM scenario s JOIN tv_router_config t ON fraiseql_where(t.data, s.spec)
GROUP BY s.name ORDER BY s.name;

-- the compiled SQL, and the rows it selects
SELECT name, fraiseql_where_sql(spec) FROM scenario ORDER BY name;

CREATE FUNCTION ids_by_sql(spec jsonb) RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE r int[];
BEGIN
  EXECUTE format('SELECT array_agg(id ORDER BY id) FROM tv_router_config WHERE %s', fraiseql_where_sql(spec)) INTO r;
  RETURN r;
END $$;
SELECT name, ids_by_sql(spec) AS ids FROM scenario ORDER BY name;

-- camelCase spelling of the same spec
SELECT array_agg(id ORDER BY id) FROM tv_router_config
WHERE fraiseql_where(data, '{"isCurrent": {"eq": true}, "configName": {"startsWith": "berlin"}}');
