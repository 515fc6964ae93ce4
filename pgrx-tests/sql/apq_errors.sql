-- Errors of the persisted-query functions: syntax errors with line and column, bad hashes.
TRUNCATE fraiseql_apq;
SELECT fraiseql_apq_register(E'query Q {\n  routerConfigs {\n    id\n  \n');
SELECT fraiseql_apq_register('type Query { id: ID }');
SELECT count(*) AS stored_after_errors FROM fraiseql_apq;
SELECT fraiseql_apq_lookup('not-a-hash');
SELECT fraiseql_apq_lookup(repeat('g', 64));
SELECT fraiseql_graphql_parse('{ a(x: ) }');
-- the table refuses rows whose hash does not match their text
\set VERBOSITY terse
INSERT INTO fraiseql_apq (hash, query, ast, size) VALUES (repeat('0', 64), '{ id }', '{}', 6);
