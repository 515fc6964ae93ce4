#[pgrx::pg_schema]
mod tests {
    use fraiseql_core::sql::quote_literal;
    use pgrx::prelude::*;

    fn one(sql: &str) -> Option<String> {
        Spi::get_one::<String>(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    #[pg_test]
    fn where_selects_rows() {
        Spi::run(
            "CREATE TABLE tv_m (id int, data jsonb);
             INSERT INTO tv_m VALUES (1, '{\"machine\": {\"id\": 1}, \"is_current\": true}'),
                                     (2, '{\"machine\": {\"id\": 1}, \"is_current\": false}'),
                                     (3, '{\"machine\": {\"id\": 2}, \"is_current\": true}')",
        )
        .unwrap();
        let got = one("SELECT string_agg(id::text, ',' ORDER BY id) FROM tv_m \
             WHERE fraiseql_where(data, '{\"machine\": {\"id\": {\"eq\": 1}}, \"isCurrent\": {\"eq\": true}}')");
        assert_eq!(got.as_deref(), Some("1"));
    }

    #[pg_test]
    fn spec_that_changes_per_row_is_not_served_from_a_stale_cache() {
        Spi::run(
            "CREATE TABLE pairs (id int, data jsonb, spec jsonb);
             INSERT INTO pairs VALUES (1, '{\"a\": 1}', '{\"a\": {\"eq\": 1}}'),
                                      (2, '{\"a\": 1}', '{\"a\": {\"eq\": 2}}'),
                                      (3, '{\"a\": 2}', '{\"a\": {\"eq\": 2}}'),
                                      (4, '{\"a\": 2}', '{\"a\": {\"eq\": 1}}')",
        )
        .unwrap();
        let got = one("SELECT string_agg(id::text, ',' ORDER BY id) FROM pairs WHERE fraiseql_where(data, spec)");
        assert_eq!(got.as_deref(), Some("1,3"));
    }

    #[pg_test]
    fn convert_keys_can_be_turned_off() {
        let on = Spi::get_one::<bool>("SELECT fraiseql_where('{\"is_current\": true}', '{\"isCurrent\": true}')");
        let off =
            Spi::get_one::<bool>("SELECT fraiseql_where('{\"is_current\": true}', '{\"isCurrent\": true}', false)");
        let exact =
            Spi::get_one::<bool>("SELECT fraiseql_where('{\"isCurrent\": true}', '{\"isCurrent\": true}', false)");
        assert_eq!((on, off, exact), (Ok(Some(true)), Ok(Some(false)), Ok(Some(true))));
    }

    #[pg_test]
    fn where_functions_are_immutable_strict_parallel_safe() {
        let got = one(
            "SELECT string_agg(proname || ':' || provolatile::text || proisstrict::text || proparallel::text, ' ' ORDER BY proname) \
             FROM pg_proc WHERE proname IN ('fraiseql_where', 'fraiseql_where_sql')",
        );
        assert_eq!(got.as_deref(), Some("fraiseql_where:itrues fraiseql_where_sql:itrues"));
    }

    #[pg_test(error = "caught invalid where-spec at where.a.nope: unknown operator \"nope\" (with operand 1)")]
    fn bad_spec_raises_invalid_parameter_value() {
        let got = one("DO $$ BEGIN PERFORM fraiseql_where('{}', '{\"a\": {\"nope\": 1}}'); \
             EXCEPTION WHEN invalid_parameter_value THEN RAISE EXCEPTION 'caught %', SQLERRM; END $$; SELECT 'x'");
        // Not reached: the DO block re-raises.
        panic!("expected an error, got {got:?}");
    }

    #[pg_test]
    fn wide_documents_stored_compressed_and_toasted_are_read() {
        Spi::run(
            "CREATE TABLE wide (id int, data jsonb);
             INSERT INTO wide SELECT i, jsonb_build_object('id', i, 'pad', repeat('x', 100000), 'k', i % 3)
             FROM generate_series(1, 6) i",
        )
        .unwrap();
        let got =
            one("SELECT string_agg(id::text, ',' ORDER BY id) FROM wide WHERE fraiseql_where(data, '{\"k\": 0}')");
        assert_eq!(got.as_deref(), Some("3,6"));
        let stored = one("SELECT pg_column_size(data)::text FROM wide LIMIT 1").unwrap();
        assert!(stored.parse::<i64>().unwrap() < 100000, "document should be stored compressed: {stored}");
    }

    // ---- differential test: fraiseql_where(data, spec) vs WHERE <fraiseql_where_sql(spec)> ----

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn chance(&mut self, percent: u64) -> bool {
            self.next() % 100 < percent
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const KEYS: &[&str] = &["a", "n", "s", "b", "tags", "o", "posts"];
    const NUMBERS: &[&str] =
        &["0", "1", "-1", "9", "10", "10.0", "1.5", "-2.25", "1e2", "123456789012345678901234567890", "0.001"];
    const STRINGS: &[&str] = &[
        r#""""#,
        r#""a""#,
        r#""A""#,
        r#""hello""#,
        r#""Hello World""#,
        r#""50%""#,
        r#""a_b""#,
        r#""back\\slash""#,
        r#""quo\"te""#,
        r#""é""#,
        r#""ÉCOLE""#,
        r#""😀 ok""#,
        r#""10""#,
        r#""true""#,
    ];
    const PATTERNS: &[&str] = &[r#""h%""#, r#""%o%""#, r#""_""#, r#""%\\%%""#, r#""a\\_b""#, r#""%""#, r#""É%""#];
    const REGEXES: &[&str] = &[r#""^h""#, r#""o$""#, r#""[0-9]+""#, r#""é""#, r#""^$""#, r#""(a|b)_""#];

    fn scalar(r: &mut Rng) -> String {
        match r.below(4) {
            0 => r.pick(NUMBERS).to_string(),
            1 => r.pick(STRINGS).to_string(),
            2 => if r.chance(50) { "true" } else { "false" }.to_string(),
            _ => r.pick(NUMBERS).to_string(),
        }
    }

    fn value(r: &mut Rng, depth: usize) -> String {
        match r.below(if depth > 2 { 4 } else { 7 }) {
            0 => "null".to_string(),
            1..=3 => scalar(r),
            4 | 5 => {
                let n = r.below(4);
                let items: Vec<String> = (0..n).map(|_| value(r, depth + 1)).collect();
                format!("[{}]", items.join(", "))
            }
            _ => object(r, depth + 1),
        }
    }

    fn object(r: &mut Rng, depth: usize) -> String {
        let mut members = Vec::new();
        for k in KEYS {
            if r.chance(if depth == 0 { 80 } else { 35 }) {
                let v = if *k == "posts" && depth == 0 {
                    let n = r.below(4);
                    let items: Vec<String> = (0..n).map(|_| object(r, depth + 2)).collect();
                    format!("[{}]", items.join(", "))
                } else {
                    value(r, depth)
                };
                members.push(format!("\"{k}\": {v}"));
            }
        }
        format!("{{{}}}", members.join(", "))
    }

    fn list(r: &mut Rng, of: fn(&mut Rng) -> String) -> String {
        let n = r.below(4);
        let items: Vec<String> = (0..n).map(|_| of(r)).collect();
        format!("[{}]", items.join(", "))
    }

    fn string(r: &mut Rng) -> String {
        r.pick(STRINGS).to_string()
    }

    fn key(r: &mut Rng) -> String {
        format!("\"{}\"", r.pick(KEYS))
    }

    fn operator(r: &mut Rng) -> String {
        let (op, operand) = match r.below(24) {
            0 | 1 => ("eq", if r.chance(85) { scalar(r) } else { value(r, 2) }),
            2 => ("neq", scalar(r)),
            3 => (r.pick(&["gt", "gte", "lt", "lte"]), scalar(r)),
            4 => (r.pick(&["in", "nin"]), list(r, scalar)),
            5 => ("isnull", if r.chance(50) { "true" } else { "false" }.to_string()),
            6 => (r.pick(&["contains", "icontains", "startswith", "istartswith", "endswith", "iendswith"]), string(r)),
            7 => (r.pick(&["like", "ilike", "nlike", "nilike"]), r.pick(PATTERNS).to_string()),
            8 => (r.pick(&["matches", "imatches", "not_matches", "niregex"]), r.pick(REGEXES).to_string()),
            9 => ("array_contains", if r.chance(50) { scalar(r) } else { list(r, scalar) }),
            10 => ("array_contained_by", list(r, scalar)),
            11 => ("array_overlaps", list(r, scalar)),
            12 => (r.pick(&["len_eq", "len_neq", "len_gt", "len_gte", "len_lt", "len_lte"]), r.below(4).to_string()),
            13 => (r.pick(&["any_eq", "all_eq"]), scalar(r)),
            14 => ("has_key", key(r)),
            15 => (r.pick(&["has_any_keys", "has_all_keys"]), list(r, key)),
            16 => (r.pick(&["contains", "contained_by"]), object(r, 2)),
            _ => ("eq", scalar(r)),
        };
        format!("\"{op}\": {operand}")
    }

    fn ops(r: &mut Rng) -> String {
        let n = 1 + r.below(2);
        let items: Vec<String> = (0..n).map(|_| operator(r)).collect();
        format!("{{{}}}", items.join(", "))
    }

    fn spec(r: &mut Rng, depth: usize) -> String {
        let n = 1 + r.below(2);
        let mut members = Vec::new();
        for _ in 0..n {
            let m = match r.below(if depth > 2 { 5 } else { 10 }) {
                0..=3 => format!("\"{}\": {}", r.pick(KEYS), ops(r)),
                4 => format!("\"{}\": {}", r.pick(KEYS), if depth == 0 { scalar(r) } else { ops(r) }),
                5 => format!("\"o\": {{\"{}\": {}}}", r.pick(KEYS), ops(r)),
                6 => format!("\"{}\": [{}, {}]", r.pick(&["OR", "AND", "_or"]), spec(r, depth + 1), spec(r, depth + 1)),
                7 => format!("\"{}\": {}", r.pick(&["NOT", "_not"]), spec(r, depth + 1)),
                8 => format!("\"posts\": {{\"{}\": {}}}", r.pick(&["any", "all", "none"]), spec(r, depth + 1)),
                _ => format!("\"tags\": {{\"{}\": {}}}", r.pick(&["any", "all", "none"]), ops(r)),
            };
            members.push(m);
        }
        format!("{{{}}}", members.join(", "))
    }

    #[pg_test]
    fn differential_per_row_function_and_compiled_sql_select_the_same_rows() {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        Spi::run("CREATE TABLE diff_docs (id int PRIMARY KEY, data jsonb NOT NULL)").unwrap();
        let mut values = Vec::new();
        for id in 0..80 {
            let doc = if id % 10 == 9 { value(&mut r, 1) } else { object(&mut r, 0) };
            values.push(format!("({id}, {}::jsonb)", quote_literal(&doc)));
        }
        Spi::run(&format!("INSERT INTO diff_docs VALUES {}", values.join(", "))).unwrap();
        let total = 80usize;
        let (mut checked, mut selective) = (0, 0);
        for _ in 0..400 {
            let s = spec(&mut r, 0);
            let lit = quote_literal(&s);
            let by_fn = one(&format!(
                "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM diff_docs WHERE fraiseql_where(data, {lit}::jsonb)"
            ));
            let sql = one(&format!("SELECT fraiseql_where_sql({lit}::jsonb)")).expect("compiled sql");
            let by_sql =
                one(&format!("SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM diff_docs WHERE {sql}"));
            assert_eq!(by_fn, by_sql, "spec {s}\ncompiled: {sql}");
            checked += 1;
            let n = by_fn.as_deref().map_or(0, |t| if t.is_empty() { 0 } else { t.split(',').count() });
            if n > 0 && n < total {
                selective += 1;
            }
        }
        assert_eq!(checked, 400);
        // The generator must produce specs that actually discriminate between rows.
        assert!(selective > 100, "only {selective} of {checked} specs selected a proper subset");
    }
}
