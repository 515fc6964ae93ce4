#[pgrx::pg_schema]
mod tests {
    use crate::pgrx_tests::one;
    use pgrx::prelude::*;

    fn setup() {
        Spi::run(
            r#"SELECT fraiseql_register_types('{"RouterConfig": {"machine": "Machine", "posts": "[Post]"}, "Machine": {}, "Post": {}}');
               CREATE TABLE tv_rc (id int PRIMARY KEY, data jsonb NOT NULL);
               INSERT INTO tv_rc VALUES
                (1, '{"id": 1, "config_name": "a", "machine": {"id": "m1", "name": "paris"}, "posts": [{"id": 1}, null]}'),
                (2, '{"id": 2, "config_name": "b", "machine": null, "posts": []}'),
                (3, '{"id": 3, "config_name": "c"}');"#,
        )
        .unwrap();
    }

    #[pg_test]
    fn shape_row_and_aggregate() {
        setup();
        let got = one("SELECT fraiseql_shape(data, '{ __typename configName m: machine { __typename name } }', 'RouterConfig')::text FROM tv_rc WHERE id = 1");
        assert_eq!(
            got.as_deref(),
            Some(r#"{"__typename":"RouterConfig","configName":"a","m":{"__typename":"Machine","name":"paris"}}"#)
        );
        let got = one(
            "SELECT fraiseql_shape_agg(data, '{ id posts { id } }', 'RouterConfig' ORDER BY id DESC)::text FROM tv_rc",
        );
        assert_eq!(
            got.as_deref(),
            Some(r#"[{"id":3,"posts":null},{"id":2,"posts":[]},{"id":1,"posts":[{"id":1},null]}]"#)
        );
        let got = one("SELECT fraiseql_shape_agg(data, '{ id }')::text FROM tv_rc WHERE false");
        assert_eq!(got.as_deref(), Some("[]"));
    }

    #[pg_test]
    fn strings_and_numbers_match_the_server_byte_for_byte() {
        Spi::run(
            r#"CREATE TABLE vals (id int, data jsonb);
               INSERT INTO vals SELECT i, jsonb_build_object('s', s, 'n', n::numeric)
               FROM unnest(ARRAY[E'quote " back \\ end\\', E'tab\tnl\nctl\u0001', '😀 𝄞 é', '', E'\\u0000 as text'],
                           ARRAY['1.10', '1e20', '-0.000', '123456789012345678901234567890.5', '0.1']) WITH ORDINALITY AS t(s, n, i);"#,
        )
        .unwrap();
        // The server's own escaping and numeric_out: json_build_object renders the same text values.
        let bad = one(
            "SELECT count(*)::text FROM vals \
             WHERE fraiseql_shape(data, '{ s n }')::text <> '{\"s\":' || to_json(data->>'s')::text || ',\"n\":' || (data->>'n') || '}'",
        );
        assert_eq!(bad.as_deref(), Some("0"));
        let n = one("SELECT count(*)::text FROM vals");
        assert_eq!(n.as_deref(), Some("5"));
    }

    #[pg_test]
    fn wide_compressed_documents_are_shaped() {
        Spi::run(
            "CREATE TABLE wide (id int, data jsonb);
             INSERT INTO wide SELECT i, (SELECT jsonb_object_agg('field_' || f, repeat('v', 200) || f) FROM generate_series(1, 60) f)
                                        || jsonb_build_object('id', i)
             FROM generate_series(1, 3) i",
        )
        .unwrap();
        let got = one("SELECT fraiseql_shape(data, '{ id field_60 }')::text FROM wide WHERE id = 2").unwrap();
        assert_eq!(got, format!(r#"{{"id":2,"field60":"{}60"}}"#, "v".repeat(200)));
    }

    #[pg_test]
    fn query_applies_privileges_and_row_level_security() {
        setup();
        Spi::run(
            "CREATE ROLE fraiseql_reader;
             GRANT USAGE ON SCHEMA tests TO fraiseql_reader;
             GRANT SELECT ON tv_rc TO fraiseql_reader;
             ALTER TABLE tv_rc ENABLE ROW LEVEL SECURITY;
             CREATE POLICY only_a ON tv_rc FOR SELECT TO fraiseql_reader USING (data->>'config_name' = 'a');
             CREATE TABLE tv_secret (data jsonb); INSERT INTO tv_secret VALUES ('{\"x\": 1}');",
        )
        .unwrap();
        let got = one("SET LOCAL ROLE fraiseql_reader; \
             SELECT fraiseql_query('tv_rc', 'routerConfigs', '{ configName }', 'RouterConfig')::text");
        assert_eq!(got.as_deref(), Some(r#"{"data":{"routerConfigs":[{"configName":"a"}]}}"#));
    }

    #[pg_test(error = "permission denied for table tv_secret")]
    fn query_refuses_unreadable_views() {
        setup();
        Spi::run(
            "CREATE ROLE fraiseql_nobody; GRANT USAGE ON SCHEMA tests TO fraiseql_nobody;
             CREATE TABLE tv_secret (data jsonb); INSERT INTO tv_secret VALUES ('{\"x\": 1}');
             SET LOCAL ROLE fraiseql_nobody;",
        )
        .unwrap();
        one("SELECT fraiseql_query('tv_secret', 'secrets', '{ x }')::text");
    }

    #[pg_test(error = "GraphQL syntax error at line 2, column 5: expected an Argument (at \"}\")")]
    fn bad_selection_is_a_syntax_error() {
        setup();
        one("SELECT fraiseql_shape(data, E'{ id\\n  ( }')::text FROM tv_rc");
    }

    #[pg_test]
    fn shaping_functions_are_marked_stable() {
        let got = one("SELECT string_agg(DISTINCT provolatile::text, '') FROM pg_proc WHERE proname IN ('fraiseql_shape', 'fraiseql_query')");
        assert_eq!(got.as_deref(), Some("s"));
    }
}
