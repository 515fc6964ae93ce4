-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA hardening_view_types;
SET search_path = hardening_view_types, public;
-- fraiseql_execute reads a @view's `data` column only when its type is jsonb (or a
-- domain over jsonb). Any role may create a temporary table that shadows an
-- unqualified @view name in its own session (pg_temp comes first for relations); a
-- column of another type was read as jsonb bytes: an int crashed the backend, a
-- fixed-length type's bytes forming a TOAST pointer detoasted another table's document
-- without privileges. Now every other type is a field error 42804, nothing read.
SELECT fraiseql_register_schema('type Item { id: ID name: String }
type Query { items: [Item] @view(name: "hvt_item") item: Item @view(name: "hvt_item") }', 'hvt');
CREATE ROLE hvt_caller;
GRANT USAGE ON SCHEMA hardening_view_types TO hvt_caller;
SET ROLE hvt_caller;
CREATE FUNCTION pg_temp.shadowed(typ text, val text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE 'DROP TABLE IF EXISTS pg_temp.hvt_item';
  EXECUTE format('CREATE TEMP TABLE hvt_item (data %s)', typ);
  EXECUTE format('INSERT INTO pg_temp.hvt_item VALUES (%L::%s)', val, typ);
  SELECT fraiseql_execute('{ items { id name } }', NULL, NULL, 'hvt')::text INTO r;
  -- the temporary schema's number depends on the backend
  RETURN regexp_replace(r, 'pg_temp_[0-9]+', 'pg_temp_N', 'g');
END $$;
-- by-value types
SELECT typ, pg_temp.shadowed(typ, val) FROM (VALUES
  ('boolean', 'true'), ('"char"', 'x'), ('smallint', '42'), ('integer', '42'), ('bigint', '42'),
  ('real', '4.2'), ('double precision', '4.2'), ('oid', '42'), ('date', '2026-01-01'),
  ('time', '12:00'), ('timestamp', '2026-01-01 12:00'), ('timestamptz', '2026-01-01 12:00+00'),
  ('money', '42')) AS v(typ, val);
-- fixed-length types passed by reference (an lseg is four float8s: 32 bytes that could
-- spell a TOAST pointer)
SELECT typ, pg_temp.shadowed(typ, val) FROM (VALUES
  ('uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('name', 'n'), ('interval', '1 day'),
  ('timetz', '12:00+01'), ('point', '(1,2)'), ('lseg', '[(1,2),(3,4)]'), ('box', '((1,2),(3,4))'),
  ('line', '{1,2,3}'), ('circle', '<(1,2),3>'), ('macaddr', '08:00:2b:01:02:03'),
  ('macaddr8', '08:00:2b:01:02:03:04:05'), ('tid', '(0,1)')) AS v(typ, val);
-- variable-length types that are not jsonb
SELECT typ, pg_temp.shadowed(typ, val) FROM (VALUES
  ('text', '{"id": "t"}'), ('json', '{"id": "j"}'), ('bytea', '\x00'), ('integer[]', '{1,2}')) AS v(typ, val);
-- jsonb and a domain over jsonb are read
SELECT pg_temp.shadowed('jsonb', '{"id": "j1", "name": "one"}');
RESET ROLE;
CREATE DOMAIN hardening_view_types.doc AS jsonb CHECK (VALUE ? 'id');
GRANT USAGE ON TYPE hardening_view_types.doc TO hvt_caller;
SET ROLE hvt_caller;
SELECT pg_temp.shadowed('hardening_view_types.doc', '{"id": "d1", "name": "domain"}');
DROP TABLE pg_temp.hvt_item;
-- without the temporary table the name resolves to nothing: an error, no other table
SELECT fraiseql_execute('{ items { id } }', NULL, NULL, 'hvt');
RESET ROLE;
DELETE FROM fraiseql_schema WHERE name = 'hvt';
DROP OWNED BY hvt_caller;
DROP ROLE hvt_caller;
