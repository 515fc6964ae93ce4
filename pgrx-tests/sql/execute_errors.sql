-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA execute_errors;
SET search_path = execute_errors, public;
-- fraiseql_execute's errors: request errors (nothing runs, no "data"), field errors (a
-- path, the SQLSTATE, null propagated to the nearest nullable position), limits, and
-- the registration's own errors.
\i fixtures/execute.sql
-- SQL errors as SQLSTATE, message and hint
CREATE FUNCTION try(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; msg text; hint text; r text;
BEGIN
  EXECUTE statement INTO r;
  RETURN r;
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
  RETURN state || ' ' || msg || coalesce(E'\nHINT: ' || nullif(hint, ''), '');
END $$;

-- validation: nothing is executed
SELECT gql('{ routerConfigs { id nope } }');
SELECT gql('{ routerConfigs(where: {configName: {eqq: "x"}}) { id } }');
SELECT gql('{ routerConfigs { id { x } } }');
SELECT gql('{ routerConfigs(limit: $n) { id } }');
SELECT gql('{ routerConfigs { id ');
SELECT gql('query A { machines { id } } query B { machines { name } }');
SELECT gql('query A { machines { id } }', NULL, 'C');
-- variables
SELECT gql('query Q($id: ID!) { routerConfig(id: $id) { id } }');
SELECT gql('query Q($id: ID!) { routerConfig(id: $id) { id } }', '{"id": null}');
SELECT gql('query Q($n: Int) { routerConfigs(limit: $n) { id } }', '{"n": "ten"}');
SELECT gql('query Q($w: RouterConfigWhereInput) { routerConfigs(where: $w) { id } }', '{"w": {"nope": {"eq": 1}}}');

-- field errors: path and SQLSTATE; a non-null root field nulls data, a nullable one
-- only itself, and the other root fields keep their data
SELECT gql('{ machines { id } routerConfigs(where: {configName: {matches: "("}}) { id } }');
SELECT gql('{ machines { id } configsByStatus(status: ACTIVE) { id } routerConfig(id: "c1") { id } }');
SELECT gql('{ routerConfigs(limit: -1) { id } }');
SELECT gql('{ routerConfigs(where: {createdAt: {gt: "not a time"}}) { id } }');
-- null in the data: a non-null field null, an enum value the schema does not know
SELECT gql('{ configsByStatus { id status configName } }');
SELECT gql('{ routerConfigs(orderBy: [{id: ASC}]) { id status } }');
-- a single-object field matching several rows
SELECT gql('{ machine(id: "m1") { id } }');
INSERT INTO tv_machine VALUES (4, '{"id": "m1", "name": "duplicate"}');
SELECT gql('{ machine(id: "m1") { id } machines { id } }');
DELETE FROM tv_machine WHERE id = 4;
-- a view that does not exist, and one the caller may not read
SELECT fraiseql_register_schema('type T { id: ID } type Query { ts: [T] @view(name: "tv_missing") ok: [T] @view(name: "tv_machine") }', 'execute_errors_missing');
SELECT fraiseql_execute('{ ts { id } ok { id } }', schema_name => 'execute_errors_missing')::text;
CREATE ROLE execute_errors_nobody;
GRANT USAGE ON SCHEMA execute_errors TO execute_errors_nobody;
SET ROLE execute_errors_nobody;
SELECT gql('{ machines { id } }');
RESET ROLE;
DROP OWNED BY execute_errors_nobody;
DROP ROLE execute_errors_nobody;

-- limits
SET fraiseql.max_query_depth = 2;
SELECT gql('{ machines { location { city } } }');
RESET fraiseql.max_query_depth;
SET fraiseql.max_root_fields = 2;
SELECT gql('{ a: machines { id } b: machines { id } c: machines { id } }');
RESET fraiseql.max_root_fields;
SET fraiseql.max_document_bytes = 1024;
SELECT gql('{ machines { id } } # ' || repeat('x', 1024));
RESET fraiseql.max_document_bytes;
SET ROLE pg_monitor;
SET fraiseql.max_query_depth = 100;
RESET ROLE;

-- request bodies
SELECT fraiseql_execute('[1]'::jsonb, current_schema())::text;
SELECT fraiseql_execute('{"query": "{ machines { id } }", "variables": [1]}'::jsonb, current_schema())::text;
SELECT fraiseql_execute('{"variables": {}}'::jsonb, current_schema())::text;
SELECT try($$SELECT fraiseql_execute('{ machines { id } }', schema_name => 'nope')::text$$);

-- registration: syntax errors (42601) and invalid schemas (42P17) name line and column
SELECT try($$SELECT fraiseql_register_schema(E'type Query {\n  a: Int @view(name: "v"\n}', 'bad')::text$$);
SELECT try($$SELECT fraiseql_register_schema('type Query { a: [Nope] @view(name: "v") }', 'bad')::text$$);
SELECT try($$SELECT fraiseql_register_schema('type A { id: ID } type Query { a: [A] }', 'bad')::text$$);
SELECT try($$SELECT fraiseql_register_schema('type A { id: ID } type Query { a: [A] @view(name: "v") } type Mutation { m: A }', 'bad')::text$$);
SELECT try($$SELECT fraiseql_register_schema('type A { id: ID b(x: Int): Int } type Query { a: [A] @view(name: "v") }', 'bad')::text$$);
SELECT try($$SELECT fraiseql_register_schema('type A { id: ID } type B { id: ID } union U = A | B type Query { a: [A] @view(name: "v") }', 'bad')::text$$);
SELECT try($$SELECT fraiseql_register_schema('type A { id: ID } input AWhereInput { x: Int } type Query { a: [A] @view(name: "v") }', 'bad')::text$$);
SELECT try($$SELECT fraiseql_register_schema('type A { id: ID } type Query { a(nope: Int): A @view(name: "v") }', 'bad')::text$$);
SELECT try($$SELECT fraiseql_register_schema('query { a }', 'bad')::text$$);
SELECT count(*) FROM fraiseql_schema WHERE name = 'bad';
