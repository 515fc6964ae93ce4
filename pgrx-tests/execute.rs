#[pgrx::pg_schema]
mod tests {
    use crate::pgrx_tests::one;
    use pgrx::prelude::*;

    /// Registers `sdl` under `name` and returns the version.
    fn register(sdl: &str, name: &str) -> i32 {
        let sql = format!("SELECT fraiseql_register_schema($${sdl}$$, '{name}')");
        Spi::get_one::<i32>(&sql).unwrap_or_else(|e| panic!("{sql}: {e}")).expect("a version")
    }

    fn exec(query: &str, name: &str) -> String {
        one(&format!("SELECT fraiseql_execute($q${query}$q$, schema_name => '{name}')::text")).expect("a response")
    }

    fn setup() {
        Spi::run(
            r#"CREATE TABLE tv_item (id int PRIMARY KEY, data jsonb NOT NULL);
               INSERT INTO tv_item VALUES
                (1, '{"id": 1, "name": "one", "owner": "alice"}'),
                (2, '{"id": 2, "name": "two", "owner": "bob"}'),
                (3, '{"id": 3, "name": "three", "owner": "alice"}');"#,
        )
        .unwrap();
    }

    const V1: &str = "type Item { id: Int! name: String owner: String } \
                      type Query { items: [Item!]! @view(name: \"tv_item\") }";
    const V2: &str = "type Item { id: Int! label: String owner: String } \
                      type Query { items: [Item!]! @view(name: \"tv_item\") }";

    #[pg_test]
    fn documents_are_cached_and_dropped_when_the_schema_changes() {
        setup();
        assert_eq!(register(V1, "cache_test"), 1);
        assert_eq!(register(V1, "cache_test"), 1, "the same document keeps its version");
        let q = "{ items(orderBy: [{id: DESC}], limit: 1) { id name } }";
        assert_eq!(exec(q, "cache_test"), r#"{"data":{"items":[{"id":3,"name":"three"}]}}"#);
        assert_eq!(exec(q, "cache_test"), r#"{"data":{"items":[{"id":3,"name":"three"}]}}"#);
        assert_eq!(crate::execute_fns::cached("cache_test"), (true, 1), "a repeated document is prepared once");
        exec("{ items { id } }", "cache_test");
        assert_eq!(crate::execute_fns::cached("cache_test"), (true, 2));
        // A new version: the next request compiles it and forgets the documents of the old.
        assert_eq!(register(V2, "cache_test"), 2);
        assert_eq!(
            exec(q, "cache_test"),
            r#"{"errors":[{"message":"Cannot query field \"name\" on type \"Item\".","locations":[{"line":1,"column":47}]}]}"#
        );
        assert_eq!(crate::execute_fns::cached("cache_test"), (true, 0), "invalid documents are not kept");
        assert_eq!(exec("{ items(limit: 1) { label } }", "cache_test"), r#"{"data":{"items":[{"label":null}]}}"#);
        assert_eq!(crate::execute_fns::cached("cache_test"), (true, 1));
    }

    #[pg_test]
    fn row_level_security_applies_per_calling_role() {
        setup();
        register(V1, "rls_test");
        Spi::run(
            "CREATE ROLE exec_alice; CREATE ROLE exec_bob;
             GRANT USAGE ON SCHEMA tests TO exec_alice, exec_bob;
             GRANT SELECT ON tv_item TO exec_alice, exec_bob;
             ALTER TABLE tv_item ENABLE ROW LEVEL SECURITY;
             CREATE POLICY own_rows ON tv_item FOR SELECT USING (data->>'owner' = current_user::text);
             UPDATE tv_item SET data = jsonb_set(data, '{owner}', to_jsonb('exec_' || (data->>'owner')));",
        )
        .unwrap();
        let q = "{ items { id owner } }";
        let alice =
            one(&format!("SET LOCAL ROLE exec_alice; SELECT fraiseql_execute('{q}', schema_name => 'rls_test')::text"));
        assert_eq!(
            alice.as_deref(),
            Some(r#"{"data":{"items":[{"id":1,"owner":"exec_alice"},{"id":3,"owner":"exec_alice"}]}}"#)
        );
        let bob = one(&format!(
            "RESET ROLE; SET LOCAL ROLE exec_bob; SELECT fraiseql_execute('{q}', schema_name => 'rls_test')::text"
        ));
        assert_eq!(bob.as_deref(), Some(r#"{"data":{"items":[{"id":2,"owner":"exec_bob"}]}}"#));
        // A role without SELECT gets a field error with the SQLSTATE, not an SQL error.
        let denied = one("RESET ROLE; CREATE ROLE exec_nobody; GRANT USAGE ON SCHEMA tests TO exec_nobody; \
             SET LOCAL ROLE exec_nobody; SELECT fraiseql_execute('{ items { id } }', schema_name => 'rls_test')::text");
        assert_eq!(
            denied.as_deref(),
            Some(
                r#"{"errors":[{"message":"permission denied for table tv_item","locations":[{"line":1,"column":3}],"path":["items"],"extensions":{"code":"42501"}}],"data":null}"#
            )
        );
    }

    #[pg_test]
    fn a_failed_mutation_leaves_no_effect_and_the_others_stay() {
        setup();
        Spi::run(
            "CREATE FUNCTION fn_rename(args jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
             DECLARE r jsonb;
             BEGIN
                 UPDATE tv_item SET data = data || jsonb_build_object('name', args->'new_name')
                 WHERE id = (args->>'id')::int RETURNING data INTO r;
                 IF args->>'new_name' = 'bad' THEN RAISE EXCEPTION 'bad name' USING ERRCODE = '22023'; END IF;
                 RETURN r;
             END $$;",
        )
        .unwrap();
        register(
            "type Item { id: Int! name: String } type Query { items: [Item!]! @view(name: \"tv_item\") }
             type Mutation { rename(id: Int!, newName: String!): Item @function(name: \"fn_rename\") }",
            "mutation_test",
        );
        let got = exec(
            r#"mutation { a: rename(id: 1, newName: "uno") { name } b: rename(id: 2, newName: "bad") { name } }"#,
            "mutation_test",
        );
        assert_eq!(
            got,
            r#"{"errors":[{"message":"bad name","locations":[{"line":1,"column":54}],"path":["b"],"extensions":{"code":"22023"}}],"data":{"a":{"name":"uno"},"b":null}}"#
        );
        let names = one("SELECT string_agg(data->>'name', ',' ORDER BY id) FROM tv_item");
        assert_eq!(names.as_deref(), Some("uno,two,three"));
    }

    /// The view cancels the statement reading it (as pg_cancel_backend from another
    /// session would): the cancel ends the whole statement, it is not one field's error.
    #[pg_test(error = "canceling statement due to user request")]
    fn a_cancel_is_never_a_field_error() {
        Spi::run(
            "CREATE VIEW tv_slow AS SELECT jsonb_build_object('id', 1) AS data
             FROM (SELECT pg_cancel_backend(pg_backend_pid())) AS c, pg_sleep(2);",
        )
        .unwrap();
        register("type Slow { id: Int } type Query { slow: [Slow] @view(name: \"tv_slow\") }", "cancel_test");
        exec("{ slow { id } }", "cancel_test");
    }

    #[pg_test]
    fn persisted_queries_go_through_the_apq_store() {
        setup();
        Spi::run("TRUNCATE fraiseql_apq; SELECT fraiseql_apq_stats_reset()").unwrap();
        register(V1, "apq_test");
        let q = "{ items(limit: 1) { id } }";
        let h = one(&format!("SELECT fraiseql_sha256_hex('{q}')")).unwrap();
        let pq = format!(r#""extensions": {{"persistedQuery": {{"version": 1, "sha256Hash": "{h}"}}}}"#);
        let run =
            |body: String| one(&format!("SELECT fraiseql_execute($b${body}$b$::jsonb, 'apq_test')::text")).unwrap();
        assert_eq!(
            run(format!("{{{pq}}}")),
            r#"{"errors":[{"message":"PersistedQueryNotFound","extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}]}"#
        );
        assert_eq!(run(format!(r#"{{"query": "{q}", {pq}}}"#)), r#"{"data":{"items":[{"id":1}]}}"#);
        assert_eq!(run(format!("{{{pq}}}")), r#"{"data":{"items":[{"id":1}]}}"#);
        let stats = one("SELECT format('%s/%s/%s', total_hits, misses, registrations) FROM fraiseql_apq_summary");
        assert_eq!(stats.as_deref(), Some("1/1/1"));
    }

    #[pg_test]
    fn registration_is_not_for_public() {
        let acl = one("SELECT coalesce(has_function_privilege('public', 'fraiseql_register_schema(text, text)', 'EXECUTE')::text, '')");
        assert_eq!(acl.as_deref(), Some("false"));
        let read = one("SELECT has_table_privilege('public', 'fraiseql_schema', 'SELECT')::text || has_table_privilege('public', 'fraiseql_schema', 'INSERT')::text");
        assert_eq!(read.as_deref(), Some("truefalse"));
    }

    #[pg_test(error = "invalid GraphQL schema at line 1, column 64: Query.items has no @view")]
    fn registration_validates_the_document() {
        register("type Item { id: Int } type Query { ok: [Item] @view(name: \"v\") items: [Item] }", "bad");
    }
}
