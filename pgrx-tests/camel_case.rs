#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    #[pg_test]
    fn camel_case_through_sql() {
        let got = Spi::get_one::<String>("SELECT fraiseql_camel_case('address_line_1')");
        assert_eq!(got, Ok(Some("addressLine1".to_string())));
    }

    #[pg_test]
    fn camel_case_is_strict() {
        let got = Spi::get_one::<String>("SELECT fraiseql_camel_case(NULL)");
        assert_eq!(got, Ok(None));
    }

    #[pg_test]
    fn camel_case_is_immutable_and_parallel_safe() {
        let row = Spi::get_two::<String, String>(
            "SELECT provolatile::text, proparallel::text FROM pg_proc \
             WHERE proname = 'fraiseql_camel_case'",
        )
        .expect("catalog row");
        assert_eq!(row, (Some("i".to_string()), Some("s".to_string())));
    }

    #[pg_test]
    fn camel_case_keeps_leading_underscores() {
        let got = Spi::get_one::<String>(
            "SELECT string_agg(fraiseql_camel_case(k), ',' ORDER BY k) \
             FROM unnest(ARRAY['__typename', '_private', 'ip_v4_address']) AS k",
        );
        assert_eq!(got, Ok(Some("__typename,_private,ipV4Address".to_string())));
    }
}
