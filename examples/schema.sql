-- A small FraiseQL schema: every entity is a tv_<entity> table whose "data" column holds
-- the whole denormalized object, snake_case keys, related objects nested inline.

CREATE TABLE tv_machine (
    id   uuid PRIMARY KEY,
    data jsonb NOT NULL
);

CREATE TABLE tv_router_config (
    id   uuid PRIMARY KEY,
    data jsonb NOT NULL
);

INSERT INTO tv_machine (id, data)
SELECT m.id, jsonb_build_object(
    'id', m.id, 'name', m.name, 'ip_address', m.ip, 'is_online', m.online,
    'location', jsonb_build_object('city', m.city, 'rack_unit', m.unit))
FROM (VALUES
    ('11111111-1111-1111-1111-111111111111'::uuid, 'edge-paris-01',  '10.0.0.11',   true,  'Paris',  4),
    ('22222222-2222-2222-2222-222222222222'::uuid, 'edge-berlin-01', '192.0.2.20',  false, 'Berlin', 7),
    ('33333333-3333-3333-3333-333333333333'::uuid, 'core-paris-02',  '203.0.113.5', true,  'Paris',  12)
) AS m(id, name, ip, online, city, unit);

-- Each router config embeds its machine {id, name}; two configs per machine, one current.
INSERT INTO tv_router_config (id, data)
SELECT c.id, jsonb_build_object(
    'id', c.id, 'config_name', c.name, 'version', c.version, 'is_current', c.is_current,
    'created_at', c.created_at,
    'machine', jsonb_build_object('id', m.data->'id', 'name', m.data->'name'))
FROM (VALUES
    ('aaaaaaaa-0000-0000-0000-000000000001'::uuid, 'paris-edge v1',  1, false, '2026-01-10T09:00:00Z', '11111111-1111-1111-1111-111111111111'::uuid),
    ('aaaaaaaa-0000-0000-0000-000000000002'::uuid, 'paris-edge v2',  2, true,  '2026-03-02T14:30:00Z', '11111111-1111-1111-1111-111111111111'),
    ('aaaaaaaa-0000-0000-0000-000000000003'::uuid, 'berlin-edge v1', 1, false, '2026-02-01T08:00:00Z', '22222222-2222-2222-2222-222222222222'),
    ('aaaaaaaa-0000-0000-0000-000000000004'::uuid, 'berlin-edge v2', 2, true,  '2026-04-15T17:45:00Z', '22222222-2222-2222-2222-222222222222'),
    ('aaaaaaaa-0000-0000-0000-000000000005'::uuid, 'paris-core v7',  7, true,  '2026-05-20T06:15:00Z', '33333333-3333-3333-3333-333333333333')
) AS c(id, name, version, is_current, created_at, machine_id)
JOIN tv_machine m ON m.id = c.machine_id;

-- The mutation of schema.graphql: fraiseql_execute passes the input as jsonb with
-- snake_case keys ({"id": "…"}) and shapes the returned document.
CREATE FUNCTION fn_set_current_config(input jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    machine_id text;
    result jsonb;
BEGIN
    SELECT data -> 'machine' ->> 'id' INTO machine_id FROM tv_router_config WHERE id = (input ->> 'id')::uuid;
    IF machine_id IS NULL THEN
        RAISE EXCEPTION 'router config % not found', input ->> 'id';
    END IF;
    UPDATE tv_router_config
    SET data = jsonb_set(data, '{is_current}', to_jsonb(id = (input ->> 'id')::uuid))
    WHERE data -> 'machine' ->> 'id' = machine_id;
    SELECT data INTO result FROM tv_router_config WHERE id = (input ->> 'id')::uuid;
    RETURN result;
END
$$;
