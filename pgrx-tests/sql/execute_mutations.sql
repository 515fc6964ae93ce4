-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA execute_mutations;
SET search_path = execute_mutations, public;
-- Mutations: each root field calls its @function with the input object as jsonb (keys in
-- snake_case), in order; the jsonb it returns is shaped by the selection; an exception
-- becomes the field's error, with its SQLSTATE, and its effects are rolled back.
\i fixtures/execute.sql

CREATE FUNCTION fn_rename_config(args jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE r jsonb;
BEGIN
    UPDATE tv_router_config SET data = data || jsonb_build_object('config_name', args->'new_name', 'received', args)
    WHERE data->>'id' = args->>'id' RETURNING data INTO r;
    IF r IS NULL THEN
        RAISE EXCEPTION 'router config % not found', args->>'id' USING ERRCODE = 'no_data_found';
    END IF;
    RETURN r;
END $$;
-- json results are read as jsonb; NULL is null
CREATE FUNCTION fn_create_machine(input jsonb) RETURNS json LANGUAGE sql AS $$
    INSERT INTO tv_machine SELECT 10 + count(*), input || '{"id": "new"}' FROM tv_machine RETURNING data::json
$$;
CREATE FUNCTION fn_nothing(input jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT NULL::jsonb $$;
CREATE FUNCTION fn_text(input jsonb) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE FUNCTION fn_fail(input jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tv_machine SET data = data || '{"name": "changed"}';
    RAISE EXCEPTION 'no machine today' USING ERRCODE = 'check_violation';
END $$;

SELECT fraiseql_register_schema(sdl || $sdl$
input MachineInput { name: String! serialNumber: String location: LocationInput }
input LocationInput { city: String rackUnit: Int = 1 }
type Mutation {
  renameConfig(id: ID!, newName: String!): RouterConfig @function(name: "fn_rename_config")
  createMachine(input: MachineInput!): Machine! @function(name: "fn_create_machine")
  nothing(input: MachineInput): Machine @function(name: "fn_nothing")
  wrongReturn(input: MachineInput): Machine @function(name: "fn_text")
  missing(input: MachineInput): Machine @function(name: "fn_missing")
  fail(input: MachineInput): Machine! @function(name: "fn_fail")
}
$sdl$, current_schema()) FROM fraiseql_schema WHERE name = current_schema();

SELECT gql('mutation { __typename renameConfig(id: "c1", newName: "renamed") { id configName } }');
SELECT data->'received' FROM tv_router_config WHERE id = 1;
-- the single `input` argument is passed alone, defaults applied, keys in snake_case
SELECT gql('mutation M($m: MachineInput!) { createMachine(input: $m) { id name serial location { city rackUnit } } }',
           '{"m": {"name": "new-01", "serialNumber": "SN-9", "location": {"city": "Lyon"}}}');
SELECT data FROM tv_machine WHERE data->>'id' = 'new';
SELECT gql('mutation { nothing { id } }');
-- in order; a failure is that field's error, its effects undone, the fields after it run
SELECT gql('mutation { a: renameConfig(id: "c2", newName: "two") { configName } b: renameConfig(id: "c9", newName: "x") { id } c: renameConfig(id: "c3", newName: "three") { configName } }');
SELECT id, data->>'config_name' FROM tv_router_config ORDER BY id;
-- a non-null mutation field that fails nulls data and stops the fields after it
SELECT gql('mutation { a: fail { id } b: renameConfig(id: "c4", newName: "never") { id } }');
SELECT count(*) FILTER (WHERE data->>'name' = 'changed') AS changed, count(*) FILTER (WHERE data->>'config_name' = 'never') AS renamed
FROM (SELECT data FROM tv_machine UNION ALL SELECT data FROM tv_router_config) d;
SELECT gql('mutation { wrongReturn { id } missing { id } }');
-- a mutation in a read-only transaction is that field's error
BEGIN READ ONLY;
SELECT gql('mutation { renameConfig(id: "c1", newName: "ro") { id } }');
COMMIT;
-- mutations are refused in query operations, and queries in mutations
SELECT gql('{ renameConfig(id: "c1", newName: "x") { id } }');
