-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA security_search_path;
SET search_path = security_search_path, public;
-- search_path hijack (CVE-2018-1058): an attacker puts overloads of the built-ins the
-- extension's SQL functions call (better matches than pg_catalog's polymorphic or
-- variadic ones) into a schema on the caller's search_path. Run as the caller, none of
-- them may be called: every SQL/PL/pgSQL function pins search_path, the statements the
-- C functions run are schema-qualified, and fraiseql_query's dynamic SQL runs under the
-- pinned path with the view printed schema-qualified.
\set VERBOSITY terse
CREATE ROLE fq_sp_attacker;
CREATE ROLE fq_sp_caller;
CREATE SCHEMA fq_evil AUTHORIZATION fq_sp_attacker;
GRANT USAGE ON SCHEMA fq_evil, security_search_path TO fq_sp_caller;
GRANT SELECT, INSERT, UPDATE, DELETE ON fraiseql_apq TO fq_sp_caller;
GRANT INSERT, UPDATE ON fraiseql_types TO fq_sp_caller;
CREATE TABLE tv_sp_machine (data jsonb NOT NULL);
INSERT INTO tv_sp_machine VALUES
 ('{"id": 1, "name": "paris", "period": "[2026-01-01,2026-02-01)"}'),
 ('{"id": 2, "name": "berlin", "period": "[2026-03-01,2026-04-01)"}');
CREATE SCHEMA "Sp App";
CREATE TABLE "Sp App"."Tv Sp" (data jsonb NOT NULL);
INSERT INTO "Sp App"."Tv Sp" VALUES ('{"id": 7, "name": "quoted"}');
GRANT USAGE ON SCHEMA "Sp App" TO fq_sp_caller;
GRANT SELECT ON tv_sp_machine, "Sp App"."Tv Sp" TO fq_sp_caller;

SET ROLE fq_sp_attacker;
-- Each overload raises, naming itself: its name in the output is a hijack.
CREATE FUNCTION fq_evil.format(text, text, bigint) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: format(text, text, bigint)'; END $$;
CREATE FUNCTION fq_evil.format(text, bigint) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: format(text, bigint)'; END $$;
CREATE FUNCTION fq_evil.format(text, regclass, text, text, text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: format(text, regclass, …)'; END $$;
CREATE FUNCTION fq_evil.format(text, text, regclass, text, text, text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: format(text, text, regclass, …)'; END $$;
CREATE FUNCTION fq_evil.cardinality(json[]) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: cardinality(json[])'; END $$;
CREATE FUNCTION fq_evil.jsonb_build_object(text, jsonb, text, jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: jsonb_build_object(text, jsonb, text, jsonb)'; END $$;
CREATE FUNCTION fq_evil.jsonb_build_object(text, text, text, text, text, jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: jsonb_build_object(text, text, text, text, text, jsonb)'; END $$;
CREATE FUNCTION fq_evil.jsonb_build_object(text, text, text, jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: jsonb_build_object(text, text, text, jsonb)'; END $$;
CREATE FUNCTION fq_evil.jsonb_build_object(text, text) RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: jsonb_build_object(text, text)'; END $$;
CREATE FUNCTION fq_evil.jsonb_build_array(jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: jsonb_build_array(jsonb)'; END $$;
CREATE FUNCTION fq_evil.make_interval(secs integer) RETURNS interval LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: make_interval(integer)'; END $$;
CREATE FUNCTION fq_evil.step(json[], json) RETURNS json[] LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: array_agg(json)'; END $$;
CREATE AGGREGATE fq_evil.array_agg(json) (SFUNC = fq_evil.step, STYPE = json[]);
CREATE FUNCTION fq_evil.range_has(daterange, date) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: @>(daterange, date)'; END $$;
CREATE OPERATOR fq_evil.@> (LEFTARG = daterange, RIGHTARG = date, FUNCTION = fq_evil.range_has);
CREATE FUNCTION fq_evil.path_text(jsonb, text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: #>>(jsonb, text)'; END $$;
CREATE OPERATOR fq_evil.#>> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = fq_evil.path_text);
-- Same signatures as pg_catalog's: they win only on a path that lists pg_catalog after them.
CREATE FUNCTION fq_evil.jsonb_strip_nulls(jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: jsonb_strip_nulls(jsonb)'; END $$;
CREATE FUNCTION fq_evil.current_setting(text, boolean) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: current_setting(text, boolean)'; END $$;
CREATE FUNCTION fq_evil.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: =(text, text)'; END $$;
CREATE OPERATOR fq_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = fq_evil.text_eq);
CREATE FUNCTION fq_evil.field_text(jsonb, text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: ->>(jsonb, text)'; END $$;
CREATE OPERATOR fq_evil.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = fq_evil.field_text);
CREATE FUNCTION fq_evil.concat_jsonb(jsonb, jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: ||(jsonb, jsonb)'; END $$;
CREATE OPERATOR fq_evil.|| (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = fq_evil.concat_jsonb);
CREATE FUNCTION fq_evil.octet_length(text) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: octet_length(text)'; END $$;
RESET ROLE;

TRUNCATE fraiseql_apq;
SELECT fraiseql_sha256_hex('{ spTwo }') AS h2 \gset
SET ROLE fq_sp_caller;
-- 1. The usual path shape: the attacker's schema first, pg_catalog implicitly before it.
SET search_path = fq_evil, security_search_path, public;
-- the overloads are live: plain SQL of the caller picks them
SELECT cardinality(ARRAY['{}'::json]);
SELECT jsonb_build_object('a', 'b');
SELECT fraiseql_query('tv_sp_machine', 'machines', '{ id name }', "where" => '{"period": {"contains_date": "2026-01-15"}}');
SELECT fraiseql_query('tv_sp_machine', 'machines', '{ name }', order_by => '{"id": "DESC"}', "limit" => 1, "offset" => 0);
SELECT fraiseql_query('tv_sp_machine', 'machine', '{ name }', "where" => '{"id": {"eq": 2}}', single => true);
SELECT fraiseql_query('tv_sp_machine', 'machine', '{ name }', single => true);
SELECT fraiseql_query('"Sp App"."Tv Sp"', 'quoted', '{ id name }');
SELECT fraiseql_register_types('{"SpMachine": {}}');
SELECT fraiseql_apq_register('{ spOne }') = fraiseql_sha256_hex('{ spOne }') AS registered;
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ spOne }')) IS NOT NULL AS found;
SELECT fraiseql_apq_request('{"query": "{ spTwo }", "variables": {"a": 1}, "operationName": null,
  "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0aa3a8faa5e8a24f8b9d2c9d8e8ec3bb26ff4d1d74e1e3f5b4c8c3c2c76c5ad0"}}}');
SELECT fraiseql_apq_request(('{"query": "{ spTwo }", "variables": {"a": 1}, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "'
  || :'h2' || '"}}}')::jsonb) - 'document';
SELECT fraiseql_apq_request('{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0000000000000000000000000000000000000000000000000000000000000000"}}}');
SELECT fraiseql_apq_request('{"query": "{ spThree }", "operationName": "X"}');
SELECT fraiseql_apq_evict(max_entries => 10, max_age => NULL);
SELECT fraiseql_apq_evict();
-- 2. A path that puts pg_catalog after the attacker's schema: overloads with the very
-- signatures of the built-ins win there too, except inside the extension.
SET search_path = fq_evil, pg_catalog, security_search_path, public;
SELECT current_setting('search_path', true);
SELECT fraiseql_query('tv_sp_machine', 'machines', '{ id name }', "where" => '{"name": {"eq": "paris"}}');
SELECT fraiseql_register_types('{"SpMachine": {}}');
SELECT fraiseql_apq_register('{ spFour }') IS NOT NULL AS registered;
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ spFour }')) IS NOT NULL AS found;
SELECT fraiseql_apq_request('{"query": "{ spThree }", "operationName": "X"}');
SELECT fraiseql_apq_request('{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0000000000000000000000000000000000000000000000000000000000000000"}}}');
SELECT fraiseql_apq_evict(max_entries => 10, max_age => interval '1 day');
SELECT fraiseql_shape('{"id": 1, "machine": {"name": "m"}}', '{ id machine { name } }', 'SpMachine');
-- 3. The compiled SQL run by the caller itself, outside the extension, under both paths:
-- every operator, type and function it names is pg_catalog's (or the extension's).
SELECT fraiseql_where_sql('{"period": {"contains_date": "2026-01-15"}, "name": {"startsWith": "pa"}, "id": {"in": [1, 2]}, "NOT": {"name": {"eq": "x"}}}') AS cond \gset
SELECT fraiseql_order_sql('{"name": "DESC"}') AS sort \gset
SELECT count(*) AS matched FROM tv_sp_machine WHERE :cond;
SELECT count(*) AS sorted FROM (SELECT data FROM tv_sp_machine ORDER BY :sort) t;
SET search_path = fq_evil, security_search_path, public;
SELECT count(*) AS matched FROM tv_sp_machine WHERE :cond;
SELECT count(*) AS sorted FROM (SELECT data FROM tv_sp_machine ORDER BY :sort) t;
RESET search_path;
RESET ROLE;

SET search_path = security_search_path, public;
SELECT count(*) AS stored FROM fraiseql_apq;
TRUNCATE fraiseql_apq;
DELETE FROM fraiseql_types WHERE type_name = 'SpMachine';
DROP SCHEMA fq_evil CASCADE;
DROP SCHEMA "Sp App" CASCADE;
REVOKE ALL ON fraiseql_apq, fraiseql_types FROM fq_sp_caller;
REVOKE ALL ON SCHEMA security_search_path FROM fq_sp_caller;
DROP TABLE tv_sp_machine;
DROP ROLE fq_sp_attacker;
DROP ROLE fq_sp_caller;
