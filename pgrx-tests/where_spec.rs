#[pgrx::pg_schema]
mod tests {
    use crate::pgrx_tests::one;
    use fraiseql_core::sql::quote_literal;
    use fraiseql_core::testutil::Rng;
    use pgrx::prelude::*;

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
        let off = Spi::get_one::<bool>(
            "SELECT fraiseql_where('{\"is_current\": true}', '{\"isCurrent\": true}', convert_keys => false)",
        );
        let exact = Spi::get_one::<bool>(
            "SELECT fraiseql_where('{\"isCurrent\": true}', '{\"isCurrent\": true}', convert_keys => false)",
        );
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

    const KEYS: &[&str] =
        &["a", "n", "s", "b", "tags", "o", "posts", "at", "d", "ip", "mac", "path", "period", "body", "amount"];
    /// Keys generic (JSON) operators are generated for: those without a type hint.
    const PLAIN_KEYS: &[&str] = &["a", "n", "s", "b", "tags", "o", "posts", "ip", "path", "period", "body"];
    /// Type hints passed with every spec (fields not listed compare as JSON).
    const TYPES: &str =
        r#"{"at": "timestamptz", "d": "date", "mac": "macaddr", "amount": "numeric", "posts.at": "timestamptz"}"#;

    /// Values of the typed fields: valid ones in several notations, and malformed ones.
    fn typed_value(r: &mut Rng, key: &str) -> Option<String> {
        let pool: &[&str] = match key {
            "at" => &[
                r#""2026-01-01T10:00:00Z""#,
                r#""2026-01-01T12:00:00+02:00""#,
                r#""2026-01-01 09:59:59.5Z""#,
                r#""2026-06-30T00:00:00-05:00""#,
                r#""2026-01-01T10:00:00""#,
                r#""yesterday""#,
                r#""2026-02-30T00:00:00Z""#,
            ],
            "d" => &[r#""2026-01-01""#, r#""2026-02-28""#, r#""2025-12-31""#, r#""2026-02-30""#, r#""01/02/2026""#],
            "ip" => &[
                r#""10.1.2.3""#,
                r#""192.168.1.10""#,
                r#""8.8.8.8""#,
                r#""2001:db8::1""#,
                r#""fe80::1""#,
                r#""127.0.0.1""#,
                r#""100.64.1.1""#,
                r#""10.0.0.0/8""#,
                r#""224.0.0.5""#,
                r#""host.internal.lan""#,
                r#""1.2.3""#,
            ],
            "mac" => &[
                r#""08:00:2b:01:02:03""#,
                r#""08-00-2B-01-02-03""#,
                r#""0800.2b01.0203""#,
                r#""08:00:2b:01:02:04""#,
                r#""08:00:2b""#,
            ],
            "path" => &[
                r#""top.science.astronomy""#,
                r#""top.science""#,
                r#""top.hobbies.astronomy""#,
                r#""Top.Science""#,
                r#""top""#,
                r#""not a path""#,
                r#""1.2.3""#,
            ],
            "period" => &[
                r#""[2026-01-01,2026-02-01)""#,
                r#""[2026-02-01,2026-03-01)""#,
                r#""empty""#,
                r#""(,2026-01-01)""#,
                r#""[2026-01-15,)""#,
                r#""(2026-01-01,2026-01-31]""#,
                r#""2026-01-01""#,
            ],
            "body" => &[r#""The quick brown fox""#, r#""slow green turtle""#, r#""quick turtles jumped""#, r#""""#],
            "amount" => &["12.5", r#""12.50""#, "9", r#""1e2""#, r#""abc""#, "-0.5"],
            _ => return None,
        };
        Some(if r.chance(85) { r.pick(pool).to_string() } else { value(r, 2) })
    }
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
                let v = if let Some(t) = typed_value(r, k) {
                    t
                } else if *k == "posts" && depth == 0 {
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

    /// An operator suited to a typed field (the value read by the field's hint or by
    /// the operator's own type).
    fn typed_operator(r: &mut Rng, key: &str) -> String {
        let cmp = |r: &mut Rng| r.pick(&["eq", "neq", "gt", "gte", "lt", "lte"]);
        let (op, operand) = match key {
            "at" => match r.below(3) {
                0 => (
                    "in",
                    format!(
                        "[{}, {}]",
                        r.pick(&[r#""2026-01-01T12:00:00+02:00""#, r#""2026-06-30T05:00:00Z""#]),
                        r#""2026-01-01T10:00:00Z""#
                    ),
                ),
                _ => (
                    cmp(r),
                    r.pick(&[
                        r#""2026-01-01T10:00:00Z""#,
                        r#""2026-01-01T05:00:00-05:00""#,
                        r#""2026-03-01T00:00:00+01:00""#,
                    ])
                    .to_string(),
                ),
            },
            "d" => (cmp(r), r.pick(&[r#""2026-01-01""#, r#""2026-02-28""#]).to_string()),
            "amount" => match r.below(2) {
                0 => (cmp(r), r.pick(&["12.5", r#""10""#, "100"]).to_string()),
                _ => (r.pick(&["in", "nin"]), r#"[12.5, "9"]"#.to_string()),
            },
            "mac" => match r.below(2) {
                0 => (r.pick(&["eq", "neq"]), r#""08002b010203""#.to_string()),
                _ => (r.pick(&["in", "nin"]), r#"["08:00:2b:01:02:03", "08-00-2b-01-02-04"]"#.to_string()),
            },
            "ip" => match r.below(4) {
                0 => {
                    ("inSubnet", r.pick(&[r#""10.0.0.0/8""#, r#""192.168.0.0/16""#, r#""2001:db8::/32""#]).to_string())
                }
                1 => ("inRange", r#"{"from": "8.0.0.0", "to": "11.0.0.0"}"#.to_string()),
                _ => (
                    r.pick(&[
                        "isPrivate",
                        "isPublic",
                        "isIPv4",
                        "isIPv6",
                        "isLoopback",
                        "isLinkLocal",
                        "isMulticast",
                        "isDocumentation",
                        "isCarrierGrade",
                    ]),
                    if r.chance(70) { "true" } else { "false" }.to_string(),
                ),
            },
            "path" => match r.below(5) {
                0 => (
                    r.pick(&["ancestor_of", "descendant_of"]),
                    r.pick(&[r#""top.science""#, r#""top.science.astronomy.stars""#, r#""top""#]).to_string(),
                ),
                1 => (
                    "matches_lquery",
                    r.pick(&[r#""*.astronomy""#, r#""top.*{1}""#, r#""top@.!science.*""#, r#""*.sci*@.*""#])
                        .to_string(),
                ),
                2 => ("matches_any_lquery", r#"["top.science", "*.hobbies.*"]"#.to_string()),
                3 => ("matches_ltxtquery", r.pick(&[r#""astronomy & !hobbies""#, r#""science | top""#]).to_string()),
                _ => (r.pick(&["depth_eq", "depth_gt", "depth_lte"]), r.below(4).to_string()),
            },
            "period" => match r.below(2) {
                0 => ("contains_date", r.pick(&[r#""2026-01-15""#, r#""2026-02-01""#, r#""2025-06-01""#]).to_string()),
                _ => (
                    r.pick(&["overlaps", "adjacent", "strictly_left", "strictly_right", "not_left", "not_right"]),
                    r.pick(&[
                        r#""[2026-01-20,2026-02-10)""#,
                        r#""[2026-02-01,2026-02-05]""#,
                        r#""(,2026-01-01)""#,
                        r#""empty""#,
                    ])
                    .to_string(),
                ),
            },
            "body" => (
                r.pick(&["plain_query", "phrase_query", "websearch_query"]),
                r.pick(&[
                    r#""quick fox""#,
                    r#""turtle""#,
                    r#"{"query": "quick -fox", "config": "english"}"#,
                    r#""quick brown""#,
                ])
                .to_string(),
            ),
            _ => return operator(r),
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
                0 | 1 => format!("\"{}\": {}", r.pick(PLAIN_KEYS), ops(r)),
                2 | 3 => {
                    let k = r.pick(&["at", "d", "ip", "mac", "path", "period", "body", "amount"]);
                    format!("\"{k}\": {{{}}}", typed_operator(r, k))
                }
                4 => format!("\"{}\": {}", r.pick(PLAIN_KEYS), if depth == 0 { scalar(r) } else { ops(r) }),
                5 => format!("\"o\": {{\"{}\": {}}}", r.pick(PLAIN_KEYS), ops(r)),
                6 => format!("\"{}\": [{}, {}]", r.pick(&["OR", "AND", "_or"]), spec(r, depth + 1), spec(r, depth + 1)),
                7 => format!("\"{}\": {}", r.pick(&["NOT", "_not"]), spec(r, depth + 1)),
                8 if r.chance(50) => {
                    format!("\"posts\": {{\"{}\": {}}}", r.pick(&["any", "all", "none"]), spec(r, depth + 1))
                }
                8 => format!("\"posts\": {{\"any\": {{\"at\": {{{}}}}}}}", typed_operator(r, "at")),
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
        for id in 0..120 {
            let doc = if id % 10 == 9 { value(&mut r, 1) } else { object(&mut r, 0) };
            values.push(format!("({id}, {}::jsonb)", quote_literal(&doc)));
        }
        Spi::run(&format!("INSERT INTO diff_docs VALUES {}", values.join(", "))).unwrap();
        let total = 120usize;
        let (mut checked, mut selective) = (0, 0);
        for _ in 0..600 {
            let s = spec(&mut r, 0);
            let lit = quote_literal(&s);
            let types = quote_literal(TYPES);
            let by_fn = one(&format!(
                "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM diff_docs WHERE fraiseql_where(data, {lit}::jsonb, {types}::jsonb)"
            ));
            let sql =
                one(&format!("SELECT fraiseql_where_sql({lit}::jsonb, 'data', {types}::jsonb)")).expect("compiled sql");
            let by_sql =
                one(&format!("SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM diff_docs WHERE {sql}"));
            assert_eq!(by_fn, by_sql, "spec {s}\ncompiled: {sql}");
            checked += 1;
            let n = by_fn.as_deref().map_or(0, |t| if t.is_empty() { 0 } else { t.split(',').count() });
            if n > 0 && n < total {
                selective += 1;
            }
        }
        assert_eq!(checked, 600);
        // The generator must produce specs that actually discriminate between rows.
        assert!(selective > 150, "only {selective} of {checked} specs selected a proper subset");
    }

    // ---- differential test: fraiseql_where through indexes vs in a sequential scan ----

    /// `ix_plan(query)`: the query's plan (EXPLAIN, costs off) on one line.
    const PLAN_FN: &str = "CREATE FUNCTION ix_plan(q text) RETURNS text LANGUAGE plpgsql AS $$
             DECLARE line text; acc text := '';
             BEGIN
               FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP acc := acc || line || ' '; END LOOP;
               RETURN acc;
             END $$";

    #[pg_test]
    fn differential_indexed_and_sequential_plans_select_the_same_rows() {
        // The documents and specs of the test above (same seed), with the indexes the
        // planner support function derives conditions for (docs/where.md, "Indexes").
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        Spi::run("CREATE TABLE ix_docs (id int PRIMARY KEY, data jsonb NOT NULL)").unwrap();
        let mut values = Vec::new();
        for id in 0..120 {
            let doc = if id % 10 == 9 { value(&mut r, 1) } else { object(&mut r, 0) };
            values.push(format!("({id}, {}::jsonb)", quote_literal(&doc)));
        }
        Spi::run(&format!("INSERT INTO ix_docs VALUES {}", values.join(", "))).unwrap();
        Spi::run(
            "CREATE INDEX ON ix_docs USING gin (data);
             CREATE INDEX ON ix_docs USING gin (data jsonb_path_ops);
             CREATE INDEX ON ix_docs ((data->>'s'));
             CREATE INDEX ON ix_docs ((data->>'a') COLLATE \"C\");
             CREATE INDEX ON ix_docs ((data->'o'->>'s') text_pattern_ops);
             CREATE INDEX ON ix_docs ((data->>'b'));
             CREATE INDEX ON ix_docs (fraiseql_as_numeric(data->'n'));
             CREATE INDEX ON ix_docs (fraiseql_as_numeric(data->'amount'));
             CREATE INDEX ON ix_docs (fraiseql_as_timestamptz(data->'at'));
             CREATE INDEX ON ix_docs (fraiseql_as_date(data->'d'));
             CREATE INDEX ON ix_docs (fraiseql_as_macaddr(data->'mac'));
             ANALYZE ix_docs;",
        )
        .unwrap();
        Spi::run(PLAN_FN).unwrap();
        let types = quote_literal(TYPES);
        let (mut checked, mut indexed, mut replaced) = (0, 0, 0);
        for _ in 0..600 {
            let s = spec(&mut r, 0);
            let query = format!(
                "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM ix_docs WHERE fraiseql_where(data, {}::jsonb, {types}::jsonb)",
                quote_literal(&s)
            );
            Spi::run("SET enable_seqscan = off").unwrap();
            let plan = one(&format!("SELECT ix_plan({})", quote_literal(&query))).unwrap_or_default();
            let by_index = one(&query);
            Spi::run("SET enable_seqscan = on; SET enable_indexscan = off; SET enable_bitmapscan = off").unwrap();
            let by_seq = one(&query);
            // The call itself on every row: a spec the planner cannot see as a constant
            // (a column of a subquery kept apart by OFFSET 0) is neither rewritten nor
            // replaced, so this is the evaluator's answer, which a replacement by the
            // spec's native form must equal.
            let by_call = one(&format!(
                "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM ix_docs,
                 (SELECT {}::jsonb AS spec, {types}::jsonb AS types OFFSET 0) s WHERE fraiseql_where(data, s.spec, s.types)",
                quote_literal(&s)
            ));
            Spi::run("RESET enable_seqscan; RESET enable_indexscan; RESET enable_bitmapscan").unwrap();
            assert_eq!(by_index, by_seq, "spec {s}\nindexed plan: {plan}");
            assert_eq!(by_index, by_call, "spec {s}\nindexed plan: {plan}");
            if !plan.contains("fraiseql_where") {
                replaced += 1;
            }
            checked += 1;
            if plan.contains("Index") {
                indexed += 1;
            }
        }
        assert_eq!(checked, 600);
        // Enough of the specs must actually run through an index for the test to mean something.
        assert!(indexed > 100, "only {indexed} of {checked} specs used an index");
        // ... and enough of them must be replaced by their native form, without the call.
        assert!(replaced > 20, "only {replaced} of {checked} specs were replaced");
    }

    // ---- differential test: every kind of table, the call in every boolean context ----

    /// Boolean contexts of a call: `{X}` is the call on `a.data`, `{Xb}` on `b.data`,
    /// `{R}` the relation. PostgreSQL simplifies the arguments of an AND (and, after NOT,
    /// an OR) that simplification produced, and each partition's or child's quals, again:
    /// each context is a way the planner support's output is seen a second time.
    const CONTEXTS: &[&str] = &[
        "SELECT a.id FROM {R} a WHERE {X} AND a.id >= 0",
        "SELECT a.id FROM {R} a WHERE NOT {X} OR a.id < 0",
        "SELECT a.id FROM {R} a WHERE NOT ({X} AND a.id > 3)",
        "SELECT a.id FROM {R} a WHERE ({X}) IS NOT TRUE",
        "SELECT a.id FROM {R} a WHERE ({X}) IS FALSE OR ({X}) IS UNKNOWN AND a.id % 2 = 0",
        "SELECT a.id FROM {R} a WHERE CASE WHEN {X} THEN a.id % 2 = 0 ELSE a.id % 3 = 0 END",
        "SELECT a.id FROM {R} a JOIN {R} b ON a.id = b.id AND {Xb} AND b.id >= 0",
        "SELECT a.id FROM {R} a WHERE NOT EXISTS (SELECT 1 FROM {R} b WHERE b.id = a.id AND NOT {Xb} AND b.id >= 0)",
    ];

    #[pg_test]
    fn differential_every_table_kind_and_boolean_context() {
        // Planning that does not end would fail here as a timeout, not hang the suite.
        Spi::run("SET statement_timeout = '20s'").unwrap();
        let mut r = Rng(0x2545_F491_4F6C_DD1D);
        let mut values = Vec::new();
        for id in 0..90 {
            let doc = match id % 15 {
                14 => "NULL".to_string(),
                13 => quote_literal(&value(&mut r, 1)),
                _ => quote_literal(&object(&mut r, 0)),
            };
            values.push(format!("({id}, {doc}::jsonb)"));
        }
        let indexes = |t: &str| {
            format!(
                "CREATE INDEX ON {t} USING gin (data);
                 CREATE INDEX ON {t} ((data->>'s'));
                 CREATE INDEX ON {t} ((data->>'a') COLLATE \"C\");
                 CREATE INDEX ON {t} ((data->>'b'));
                 CREATE INDEX ON {t} ((data->'o'->>'s') text_pattern_ops);
                 CREATE INDEX ON {t} (fraiseql_as_numeric(data->'n'));
                 CREATE INDEX ON {t} (fraiseql_as_timestamptz(data->'at'));"
            )
        };
        Spi::run(&format!(
            "CREATE TABLE k_src (id int, data jsonb);
             INSERT INTO k_src VALUES {};
             CREATE TABLE k_nn (id int, data jsonb NOT NULL);
             INSERT INTO k_nn SELECT id, data FROM k_src WHERE data IS NOT NULL;
             CREATE TABLE k_null (id int, data jsonb);
             INSERT INTO k_null SELECT * FROM k_src;
             CREATE TABLE k_part (id int, data jsonb NOT NULL) PARTITION BY RANGE (id);
             CREATE TABLE k_part1 PARTITION OF k_part FOR VALUES FROM (MINVALUE) TO (45);
             CREATE TABLE k_part2 PARTITION OF k_part FOR VALUES FROM (45) TO (MAXVALUE);
             INSERT INTO k_part SELECT * FROM k_nn;
             CREATE TABLE k_inh (id int, data jsonb NOT NULL);
             CREATE TABLE k_inh_child () INHERITS (k_inh);
             ALTER TABLE k_inh_child ALTER COLUMN data DROP NOT NULL;
             INSERT INTO k_inh SELECT * FROM k_nn WHERE id < 45;
             INSERT INTO k_inh_child SELECT * FROM k_src WHERE id >= 45;
             CREATE TABLE k_noindex (id int, data jsonb NOT NULL);
             INSERT INTO k_noindex SELECT * FROM k_nn;
             CREATE VIEW k_left AS SELECT i AS id, k_nn.data FROM generate_series(0, 95) i LEFT JOIN k_nn ON k_nn.id = i;
             CREATE VIEW k_union AS SELECT id, data FROM k_nn WHERE id < 30 UNION ALL SELECT id + 100, data FROM k_null;
             {} {} {} {} {}
             ANALYZE k_nn, k_null, k_part, k_inh, k_inh_child, k_noindex;",
            values.join(", "),
            indexes("k_nn"),
            indexes("k_null"),
            indexes("k_part"),
            indexes("k_inh"),
            indexes("k_inh_child"),
        ))
        .unwrap();
        let relations = ["k_nn", "k_null", "k_part", "k_inh", "k_noindex", "k_left", "k_union"];
        let types = quote_literal(TYPES);
        let ids = |q: &str| one(&format!("SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM ({q}) s"));
        let (mut checked, mut selective) = (0, 0);
        for _ in 0..70 {
            let s = spec(&mut r, 0);
            let lit = format!("{}::jsonb", quote_literal(&s));
            // The spec in an InitPlan is not a constant to the planner: the call itself.
            let hidden = format!("(SELECT {lit})");
            let sql = one(&format!("SELECT fraiseql_where_sql({lit}, 'data', {types}::jsonb)")).expect("compiled");
            for rel in relations {
                let instance = |ctx: &str, spec: &str| {
                    ctx.replace("{Xb}", &format!("fraiseql_where(b.data, {spec}, {types}::jsonb)"))
                        .replace("{X}", &format!("fraiseql_where(a.data, {spec}, {types}::jsonb)"))
                        .replace("{R}", rel)
                };
                for ctx in CONTEXTS {
                    let planned = ids(&instance(ctx, &lit));
                    let reference = ids(&instance(ctx, &hidden));
                    assert_eq!(planned, reference, "spec {s}\nrelation {rel}\ncontext {ctx}");
                    checked += 1;
                }
                // The compiled SQL selects the rows the call selects.
                let by_call = ids(&instance("SELECT a.id FROM {R} a WHERE {X}", &hidden));
                let by_sql = ids(&format!("SELECT id FROM {rel} WHERE {sql}"));
                assert_eq!(by_call, by_sql, "spec {s}\nrelation {rel}\ncompiled: {sql}");
                let n = by_call.as_deref().map_or(0, |t| if t.is_empty() { 0 } else { t.split(',').count() });
                if n > 0 && n < 60 {
                    selective += 1;
                }
            }
        }
        assert_eq!(checked, 70 * relations.len() * CONTEXTS.len());
        assert!(selective > 100, "only {selective} spec and relation pairs selected a proper subset");
        Spi::run("RESET statement_timeout").unwrap();
    }

    /// Wherever the hand-written native form of a spec (its compiled SQL: one `@>` for the
    /// equalities, typed readers for ranges) plans an index scan, the call plans one too:
    /// the rewrite never hides an index the planner would have used.
    #[pg_test]
    fn where_a_native_form_uses_an_index_the_call_does_too() {
        Spi::run(
            "CREATE TABLE est_rc (id int PRIMARY KEY, data jsonb NOT NULL);
             INSERT INTO est_rc SELECT i, jsonb_build_object(
               'config_name', 'cfg ' || i, 'is_current', i % 4 = 0, 'version', i % 7,
               'created_at', to_char(timestamptz '2026-01-01' + (i % 1000) * interval '2 hours', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
               'machine', jsonb_build_object('id', 'm' || (i % 400), 'city', (ARRAY['Oslo','Paris','Lima'])[1 + i % 3]))
             FROM generate_series(1, 20000) i;
             CREATE INDEX ON est_rc USING gin (data jsonb_path_ops);
             CREATE INDEX ON est_rc ((data -> 'machine' ->> 'id'));
             CREATE INDEX ON est_rc (fraiseql_as_timestamptz(data -> 'created_at'));
             ANALYZE est_rc;",
        )
        .unwrap();
        Spi::run(PLAN_FN.replace("ix_plan", "est_plan").as_str()).unwrap();
        let mut r = Rng(0x1234_5678_9ABC_DEF1);
        let types = r#"{"createdAt": "timestamptz"}"#;
        let (mut checked, mut native_indexed) = (0, 0);
        for _ in 0..150 {
            let mut members = Vec::new();
            if r.chance(60) {
                members.push(format!(r#""machine": {{"id": {{"eq": "m{}"}}}}"#, r.below(400)));
            }
            if r.chance(40) {
                members.push(format!(r#""configName": {{"eq": "cfg {}"}}"#, r.below(20000)));
            }
            if r.chance(40) {
                members.push(format!(r#""isCurrent": {{"eq": {}}}"#, r.chance(50)));
            }
            if r.chance(30) {
                members.push(format!(r#""machine": {{"city": {{"eq": "{}"}}}}"#, r.pick(&["Oslo", "Paris", "Lima"])));
            }
            if r.chance(60) {
                let (op, day) = (r.pick(&["gte", "gt", "lt", "lte"]), 1 + r.below(80));
                members.push(format!(
                    r#""createdAt": {{"{op}": "2026-{:02}-{:02}T00:00:00Z"}}"#,
                    1 + day / 28,
                    1 + day % 28
                ));
            }
            // one member per key: a repeated key would make the JSON object ambiguous
            let mut seen = std::collections::HashSet::new();
            members.retain(|m| seen.insert(m.split(':').next().unwrap().to_string()));
            if members.is_empty() {
                continue;
            }
            let spec = format!("{{{}}}", members.join(", "));
            let (lit, t) = (quote_literal(&spec), quote_literal(types));
            let native = one(&format!("SELECT fraiseql_where_sql({lit}::jsonb, 'data', {t}::jsonb)")).unwrap();
            let plan_native =
                one(&format!("SELECT est_plan({})", quote_literal(&format!("SELECT id FROM est_rc WHERE {native}"))))
                    .unwrap_or_default();
            let plan_call = one(&format!(
                "SELECT est_plan({})",
                quote_literal(&format!("SELECT id FROM est_rc WHERE fraiseql_where(data, {lit}::jsonb, {t}::jsonb)"))
            ))
            .unwrap_or_default();
            checked += 1;
            if plan_native.contains("Index") {
                native_indexed += 1;
                assert!(plan_call.contains("Index"), "spec {spec}\nnative: {plan_native}\ncall: {plan_call}");
            }
        }
        assert!(checked > 120 && native_indexed > 40, "{checked} specs, {native_indexed} with an indexed native plan");
    }

    #[pg_test]
    fn timestamp_readers_agree_with_the_server_on_every_accepted_form() {
        // Generated ISO texts: every fraction length, with and without seconds, `T` or a
        // space, each offset spelling; the reader must give what the server's input
        // function gives (session time zone UTC, as for the stored UTC instants).
        Spi::run("SET LOCAL TimeZone = 'UTC'").unwrap();
        let disagreements = Spi::get_one::<i64>(
            "WITH texts AS (
               SELECT to_char(timestamp '1999-12-31 23:00' + g * interval '7 hours 13 minutes 17.123457 seconds',
                              'YYYY-MM-DD') || sep || to_char(timestamp '1999-12-31 23:00' + g * interval '7 hours 13 minutes 17.123457 seconds', 'HH24:MI')
                      || CASE WHEN g % 5 = 0 THEN '' ELSE ':' || to_char(timestamp '1999-12-31 23:00' + g * interval '7 hours 13 minutes 17.123457 seconds', 'SS')
                           || CASE WHEN g % 7 = 0 THEN '' ELSE '.' || left(to_char(timestamp '1999-12-31 23:00' + g * interval '7 hours 13 minutes 17.123457 seconds', 'US'), 1 + g % 6) END END
                      AS local, off
               FROM generate_series(0, 3000) g,
                    (VALUES ('T'), (' ')) s(sep),
                    (VALUES ('Z'), ('+00:00'), ('-05:30'), ('+0930'), ('+14'), ('-00')) o(off))
             SELECT count(*) FROM texts
             WHERE fraiseql_as_timestamptz(to_jsonb(local || off)) IS DISTINCT FROM (local || off)::timestamptz
                OR fraiseql_as_timestamp(to_jsonb(local)) IS DISTINCT FROM local::timestamp",
        )
        .unwrap();
        assert_eq!(disagreements, Some(0));
    }
}
