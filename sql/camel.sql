-- snake_case → camelCase (docs/camel_case.md): a V1 C function in src/lib.rs, declared as
-- 0.1.0 generated it.
CREATE FUNCTION "fraiseql_camel_case"("key" TEXT) RETURNS TEXT
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c AS 'MODULE_PATHNAME', 'fraiseql_camel_case_wrapper';
