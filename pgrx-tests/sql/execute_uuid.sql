-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA execute_uuid;
SET search_path = execute_uuid, public;
-- UUID fields in fraiseql_execute (docs/execute.md, "UUID equality"): eq/neq/in/nin take
-- the operand in any spelling and compare the stored string with its canonical text, one
-- containment a GIN index serves; ordering operators read the stored value as a uuid.
CREATE TABLE tv_device (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_device VALUES
 (1, '{"id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "name": "canonical"}'),
 (2, '{"id": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "name": "uppercase, same uuid"}'),
 (3, '{"id": "b0eebc999c0b4ef8bb6d6bb9bd380a11", "name": "unhyphenated"}'),
 (4, '{"id": "c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "name": "another"}');
CREATE INDEX ON tv_device USING gin (data jsonb_path_ops);
SELECT fraiseql_register_schema($sdl$
type Device { id: UUID! name: String! }
type Query {
  devices: [Device!]! @view(name: "tv_device")
  device(id: UUID!): Device @view(name: "tv_device")
}
$sdl$, current_schema()) AS version;
CREATE FUNCTION gql(query text) RETURNS text
LANGUAGE sql AS $$ SELECT fraiseql_execute(query, NULL, NULL, current_schema())::text $$;

-- the operand in any spelling finds the canonical text, not other spellings of the uuid
SELECT gql('{ devices(where: {id: {eq: "A0EEBC999C0B4EF8BB6D6BB9BD380A11"}}) { name } }');
SELECT gql('{ device(id: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11") { name } }');
SELECT gql('{ devices(where: {id: {in: ["C0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]}}) { name } }');
SELECT gql('{ devices(where: {id: {neq: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}}) { name } }');
SELECT gql('{ devices(where: {id: {nin: ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]}}) { name } }');
-- ordering reads every spelling as the uuid it is
SELECT gql('{ devices(where: {id: {lte: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}}) { name } }');
SELECT gql('{ devices(where: {id: {gt: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}}, orderBy: [{id: DESC}]) { name } }');
-- an operand that is no uuid is a field error naming the operand's path
SELECT gql('{ devices(where: {id: {in: ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "nope"]}}) { name } }');
