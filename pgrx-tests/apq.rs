#[pgrx::pg_schema]
mod tests {
    use crate::pgrx_tests::one;
    use pgrx::prelude::*;

    #[pg_test]
    fn counts_per_backend_without_preloading() {
        // The test server does not preload the library: the documented fallback.
        Spi::run("TRUNCATE fraiseql_apq; SELECT fraiseql_apq_stats_reset()").unwrap();
        let h = one("SELECT fraiseql_apq_register('{ a }')").unwrap();
        Spi::run(&format!(
            "SELECT fraiseql_apq_lookup('{h}'), fraiseql_apq_lookup('{h}'), fraiseql_apq_lookup(repeat('0', 64))"
        ))
        .unwrap();
        let got = one(
            "SELECT format('%s/%s/%s/%s/%s/%s', entries, total_hits, misses, registrations, lookups, shared_memory) FROM fraiseql_apq_summary",
        );
        assert_eq!(got.as_deref(), Some("1/2/1/1/3/f"));
        let hits = one(&format!("SELECT hits::text FROM fraiseql_apq_stats WHERE hash = '{h}'"));
        assert_eq!(hits.as_deref(), Some("2"));
    }

    #[pg_test]
    fn lookups_work_in_read_only_transactions() {
        let h = one("SELECT fraiseql_apq_register('{ b }')").unwrap();
        let got = one(&format!("SET TRANSACTION READ ONLY; SELECT fraiseql_apq_lookup('{h}')->>'kind'"));
        assert_eq!(got.as_deref(), Some("Document"));
    }

    #[pg_test]
    fn lookup_role_can_look_up_but_not_register() {
        let h = one("SELECT fraiseql_apq_register('{ c }')").unwrap();
        Spi::run("CREATE ROLE apq_lookup_test; GRANT SELECT ON fraiseql_apq TO apq_lookup_test; SET LOCAL ROLE apq_lookup_test").unwrap();
        let got = one(&format!("SELECT fraiseql_apq_lookup('{h}')->>'kind'"));
        assert_eq!(got.as_deref(), Some("Document"));
        let denied = one("DO $$ BEGIN PERFORM fraiseql_apq_register('{ d }'); \
             EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'denied'; END $$; SELECT 'denied'");
        assert_eq!(denied.as_deref(), Some("denied"));
        let stored = one("RESET ROLE; SELECT count(*)::text FROM fraiseql_apq WHERE query = '{ d }'");
        assert_eq!(stored.as_deref(), Some("0"));
    }

    #[pg_test(error = "permission denied for table fraiseql_apq")]
    fn public_cannot_read_the_table() {
        Spi::run("CREATE ROLE apq_nobody_test; SET LOCAL ROLE apq_nobody_test").unwrap();
        one("SELECT fraiseql_apq_lookup(repeat('0', 64))::text");
    }

    #[pg_test]
    fn ast_round_trips_through_jsonb() {
        let got = one("SELECT fraiseql_graphql_parse('query Q($id: ID!) { node(id: $id) { ... on User { name } } }')\
             #>> '{definitions,0,selectionSet,selections,0,selectionSet,selections,0,typeCondition,name,value}'");
        assert_eq!(got.as_deref(), Some("User"));
    }
}
