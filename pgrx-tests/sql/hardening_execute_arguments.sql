-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA hardening_execute_arguments;
SET search_path = hardening_execute_arguments, public;
-- fraiseql_execute's variables and the values it quotes in errors are bounded before they
-- are copied: one 1 MB variable used 4,000 times (a 72 kB document) made a 4 GB where-spec
-- and aborted the backend; a 200 MB variable of U+0001 became 1.2 GB of escaped text; a
-- 40 MB stored value quoted in 100 field errors made 4 GB of messages; the expansion
-- ignored statement_timeout. Now the variables are at most fraiseql.max_spec_bytes as
-- jsonb, each root field's arguments at most that much once variables are substituted
-- (54000), and an error quotes 256 characters of a value.
\i fixtures/hostile.sql
SELECT fraiseql_register_schema('type Item { id: ID! name: String count: Int }
type Query { items: [Item!]! @view(name: "hardening_execute_arguments.tv_item") }', 'hea');
CREATE TABLE tv_item (data jsonb NOT NULL);
INSERT INTO tv_item VALUES ('{"id": "1", "name": "a", "count": 1}');
CREATE ROLE hea_caller;
GRANT USAGE ON SCHEMA hardening_execute_arguments TO hea_caller;
GRANT SELECT ON tv_item TO hea_caller;
CREATE TABLE start AS SELECT pg_postmaster_start_time() AS t;
SET ROLE hea_caller;
SET statement_timeout = '5s';
-- one variable, 4,000 uses: refused with 54000, nothing run
SELECT left(fraiseql_execute(jsonb_build_object(
  'query', 'query($v: String) { items(where: {OR: ['
           || (SELECT string_agg('{name: {eq: $v}}', ', ') FROM generate_series(1, 4000)) || ']}) { id } }',
  'variables', jsonb_build_object('v', repeat('x', 1000000))), 'hea')::text, 230);
-- the same in the two-argument form
SELECT left(fraiseql_execute('query($v: String) { items(where: {OR: ['
           || (SELECT string_agg('{name: {eq: $v}}', ', ') FROM generate_series(1, 4000)) || ']}) { id } }',
  jsonb_build_object('v', repeat('x', 1000000)), NULL, 'hea')::text, 230);
-- within the bound it runs: 7 uses of 1 MB
SELECT fraiseql_execute(jsonb_build_object(
  'query', 'query($v: String) { items(where: {OR: ['
           || (SELECT string_agg('{name: {eq: $v}}', ', ') FROM generate_series(1, 7)) || ', {name: {eq: "a"}}]}) { id } }',
  'variables', jsonb_build_object('v', repeat('x', 1000000))), 'hea');
-- variables over the bound (9 MB of U+0001): refused before they are read
SELECT left(fraiseql_execute(jsonb_build_object(
  'query', 'query($v: String) { items(where: {name: {eq: $v}}) { id } }',
  'variables', jsonb_build_object('v', repeat(chr(1), 9 * 1024 * 1024))), 'hea')::text, 200);
SELECT left(fraiseql_execute('query($v: String) { items(where: {name: {eq: $v}}) { id } }',
  jsonb_build_object('v', repeat(chr(1), 9 * 1024 * 1024)), NULL, 'hea')::text, 200);
RESET statement_timeout;
RESET ROLE;
-- 32 root fields, each at its bound (7 uses of a 1 MB variable): done, or canceled
-- within twice a 300 ms statement_timeout (1,000 uses took 3 s to cancel after 1 s)
CREATE TABLE big_request AS SELECT jsonb_build_object(
  'query', 'query($v: String) { ' || (SELECT string_agg(format('f%s: items(where: {OR: [%s]}) { id }', r,
             (SELECT string_agg('{name: {eq: $v}}', ', ') FROM generate_series(1, 7))), ' ') FROM generate_series(1, 32) r) || ' }',
  'variables', jsonb_build_object('v', repeat('x', 1000000))) AS body;
SET statement_timeout = '300ms';
SELECT ends_in_time(format('SELECT length(fraiseql_execute(body, %L)::text) FROM %I.big_request', 'hea', current_schema()))
       IN ('finished', 'canceled within 2x statement_timeout') AS ends_in_time;
RESET statement_timeout;
-- a 4 MB stored value a field cannot represent, selected under 100 aliases: 100 errors
-- of a few hundred bytes each
UPDATE tv_item SET data = jsonb_build_object('id', '1', 'name', 'a', 'count', repeat('9x', 2 * 1024 * 1024));
SET ROLE hea_caller;
SELECT length(r::text) < 100 * 600 AS bounded,
       strpos(r::text, 'Int cannot represent non-integer value: \"9x9x') > 0 AND strpos(r::text, '9x…\"') > 0 AS cut
FROM (SELECT fraiseql_execute('{ items { ' || (SELECT string_agg('c' || i || ': count', ' ') FROM generate_series(1, 100) i) || ' } }',
                              NULL, NULL, 'hea') AS r) s;
RESET ROLE;
-- the server did not restart
SELECT pg_postmaster_start_time() = t AS same_postmaster FROM start;
DELETE FROM fraiseql_schema WHERE name = 'hea';
DROP OWNED BY hea_caller;
DROP ROLE hea_caller;
