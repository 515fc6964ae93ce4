-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA execute_introspection;
SET search_path = execute_introspection, public;
-- Introspection: __schema, __type and __typename, generated types included (GraphiQL's
-- full introspection query and graphql-js buildClientSchema: tests/execute_introspection.sh).
\i fixtures/execute.sql

SELECT gql('{ __typename __schema { queryType { name } mutationType { name } subscriptionType { name } } }');
SELECT gql('{ __schema { types { name } } }')::jsonb #> '{data,__schema,types}' @> '[{"name": "RouterConfigWhereInput"}, {"name": "StringFilter"}, {"name": "OrderDirection"}, {"name": "DateTime"}]' AS generated_types_listed;
SELECT gql('{ __type(name: "Query") { fields { name args { name type { kind name ofType { kind name } } } type { kind name ofType { kind name } } } } }');
SELECT gql('{ __type(name: "RouterConfigWhereInput") { kind inputFields { name type { name kind ofType { name } } } } }');
SELECT gql('{ __type(name: "RouterConfigOrderBy") { inputFields { name type { name } } } }');
SELECT gql('{ __type(name: "StringListFilter") { inputFields { name type { name kind ofType { name } } } } }');
SELECT gql('{ __type(name: "OrderDirection") { enumValues { name } } }');
SELECT gql('{ __type(name: "Machine") { description fields { name type { name kind ofType { name } } } } }');
SELECT gql('{ __type(name: "Nope") { name } }');
-- introspection and data in one request, in selection order
SELECT gql('{ machines { id } __type(name: "Location") { name } m: __typename }');
