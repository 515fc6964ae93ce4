//! Type hints and the typed operator families (network, MAC, ltree, date ranges,
//! full text), without a server.

mod support;
use support::{reject, select, select_typed};

#[test]
fn timestamps_compare_as_instants_with_a_hint() {
    let docs = [
        r#"{"at": "2026-01-01T10:00:00Z"}"#,
        r#"{"at": "2026-01-01T11:30:00+02:00"}"#,
        r#"{"at": "2026-01-01 09:59:59.999999Z"}"#,
        r#"{"at": "not a time"}"#,
        r#"{"at": "2026-01-01T10:00:00"}"#,
        r#"{}"#,
    ];
    let t = r#"{"at": "timestamptz"}"#;
    assert_eq!(select_typed(r#"{"at": {"gte": "2026-01-01T10:00:00Z"}}"#, t, &docs), vec![0]);
    assert_eq!(select_typed(r#"{"at": {"lt": "2026-01-01T12:00:00+02:00"}}"#, t, &docs), vec![1, 2]);
    assert_eq!(select_typed(r#"{"at": {"eq": "2026-01-01T12:00:00+02:00"}}"#, t, &docs), vec![0]);
    assert_eq!(select_typed(r#"{"NOT": {"at": {"eq": "2026-01-01T10:00:00Z"}}}"#, t, &docs), vec![1, 2]);
    // Without the hint the same spec compares strings.
    assert_eq!(select(r#"{"at": {"gte": "2026-01-01T10:00:00Z"}}"#, &docs), vec![0, 1, 3]);
}

#[test]
fn dates_uuids_numerics_and_macs() {
    let docs = [
        r#"{"d": "2026-03-01", "u": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "n": "12.50", "mac": "08:00:2B:01:02:03"}"#,
        r#"{"d": "2026-02-28", "u": "a0eebc999c0b4ef8bb6d6bb9bd380a11", "n": 9, "mac": "0800.2b01.0203"}"#,
        r#"{"d": "2026-02-30", "u": "nope", "n": "1e2", "mac": "08-00-2b-01-02-04"}"#,
    ];
    let t = r#"{"d": "date", "u": "uuid", "n": "numeric", "mac": "macaddr"}"#;
    assert_eq!(select_typed(r#"{"d": {"gt": "2026-02-28"}}"#, t, &docs), vec![0]);
    assert_eq!(select_typed(r#"{"u": {"eq": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}}"#, t, &docs), vec![0, 1]);
    assert_eq!(select_typed(r#"{"n": {"gt": 10}}"#, t, &docs), vec![0, 2]);
    assert_eq!(select_typed(r#"{"n": {"in": ["12.5", 9]}}"#, t, &docs), vec![0, 1]);
    assert_eq!(select_typed(r#"{"mac": {"eq": "08002b010203"}}"#, t, &docs), vec![0, 1]);
    assert_eq!(select_typed(r#"{"mac": {"nin": ["08:00:2b:01:02:03"]}}"#, t, &docs), vec![2]);
}

#[test]
fn hints_reach_fields_inside_quantifiers() {
    let docs = [r#"{"posts": [{"at": "2026-01-02"}, {"at": "2025-12-31"}]}"#, r#"{"posts": [{"at": "2025-01-01"}]}"#];
    let t = r#"{"posts.at": "date"}"#;
    assert_eq!(select_typed(r#"{"posts": {"any": {"at": {"gte": "2026-01-01"}}}}"#, t, &docs), vec![0]);
}

#[test]
fn network_operators() {
    let docs = [
        r#"{"ip": "10.1.2.3"}"#,
        r#"{"ip": "192.168.1.10"}"#,
        r#"{"ip": "8.8.8.8"}"#,
        r#"{"ip": "2001:db8::1"}"#,
        r#"{"ip": "fe80::1"}"#,
        r#"{"ip": "127.0.0.1"}"#,
        r#"{"ip": "100.64.1.1"}"#,
        r#"{"ip": "host.internal.lan"}"#,
        r#"{"ip": 42}"#,
    ];
    assert_eq!(select(r#"{"ip": {"inSubnet": "10.0.0.0/8"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"ip": {"isPrivate": true}}"#, &docs), vec![0, 1, 4, 5]);
    assert_eq!(select(r#"{"ip": {"isPublic": true}}"#, &docs), vec![2, 3, 6]);
    assert_eq!(select(r#"{"ip": {"isPrivate": false}}"#, &docs), vec![2, 3, 6]);
    assert_eq!(select(r#"{"ip": {"isIPv6": true}}"#, &docs), vec![3, 4]);
    assert_eq!(select(r#"{"ip": {"isIPv4": true}}"#, &docs), vec![0, 1, 2, 5, 6]);
    assert_eq!(select(r#"{"ip": {"isLoopback": true}}"#, &docs), vec![5]);
    assert_eq!(select(r#"{"ip": {"isLinkLocal": true}}"#, &docs), vec![4]);
    assert_eq!(select(r#"{"ip": {"isDocumentation": true}}"#, &docs), vec![3]);
    assert_eq!(select(r#"{"ip": {"isCarrierGrade": true}}"#, &docs), vec![6]);
    assert_eq!(select(r#"{"ip": {"inRange": {"from": "8.0.0.0", "to": "11.0.0.0"}}}"#, &docs), vec![0, 2]);
    // Address-aware equality with a hint: 10.1.2.3 = 10.1.2.3/32.
    assert_eq!(select_typed(r#"{"ip": {"eq": "10.1.2.3/32"}}"#, r#"{"ip": "inet"}"#, &docs), vec![0]);
    let e = reject(r#"{"ip": {"inRange": {"from": "10.0.0.1"}}}"#);
    assert!(e.message.contains("\"to\" is missing"), "{e}");
    let e = reject(r#"{"ip": {"inSubnet": "10.0.0.0/33"}}"#);
    assert_eq!(e.path, "where.ip.inSubnet");
}

#[test]
fn plain_strings_are_never_guessed_as_typed() {
    // "1.2.3" looks like an ltree path and "host.internal.lan" like one too: without an
    // ltree operator or hint they are plain strings.
    let docs = [r#"{"v": "1.2.3"}"#, r#"{"v": "host.internal.lan"}"#];
    assert_eq!(select(r#"{"v": {"eq": "1.2.3"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"v": {"gt": "1.2.10"}}"#, &docs), vec![0, 1]);
}

#[test]
fn ltree_operators() {
    let docs = [
        r#"{"path": "top.science.astronomy"}"#,
        r#"{"path": "top.science"}"#,
        r#"{"path": "top.hobbies.astronomy"}"#,
        r#"{"path": "not a path"}"#,
    ];
    assert_eq!(select(r#"{"path": {"ancestor_of": "top.science.astronomy.stars"}}"#, &docs), vec![0, 1]);
    assert_eq!(select(r#"{"path": {"descendant_of": "top.science"}}"#, &docs), vec![0, 1]);
    assert_eq!(select(r#"{"path": {"matches_lquery": "*.astronomy"}}"#, &docs), vec![0, 2]);
    assert_eq!(select(r#"{"path": {"matches_any_lquery": ["top.science", "*.hobbies.*"]}}"#, &docs), vec![1, 2]);
    assert_eq!(select(r#"{"path": {"matches_ltxtquery": "astronomy & !hobbies"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"path": {"depth_gt": 2}}"#, &docs), vec![0, 2]);
    assert_eq!(select(r#"{"path": {"depth_eq": 2}}"#, &docs), vec![1]);
    let e = reject(r#"{"path": {"matches_lquery": "a..b"}}"#);
    assert!(e.message.contains("invalid lquery"), "{e}");
}

#[test]
fn date_range_operators() {
    let docs = [
        r#"{"p": "[2026-01-01,2026-02-01)"}"#,
        r#"{"p": "[2026-02-01,2026-03-01)"}"#,
        r#"{"p": "empty"}"#,
        r#"{"p": "(,2026-01-01)"}"#,
        r#"{"p": "2026-01-01"}"#,
    ];
    assert_eq!(select(r#"{"p": {"contains_date": "2026-01-15"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"p": {"overlaps": "[2026-01-20,2026-02-10)"}}"#, &docs), vec![0, 1]);
    assert_eq!(select(r#"{"p": {"adjacent": "[2026-02-01,2026-02-05]"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"p": {"strictly_left": "[2026-02-01,2026-02-05]"}}"#, &docs), vec![0, 3]);
    assert_eq!(select(r#"{"p": {"strictly_right": "[2025-01-01,2026-01-01)"}}"#, &docs), vec![0, 1]);
    assert_eq!(select(r#"{"p": {"not_left": "[2026-01-15,2026-01-16)"}}"#, &docs), vec![1]);
    assert_eq!(select(r#"{"p": {"not_right": "[2026-01-15,2026-02-01)"}}"#, &docs), vec![0, 3]);
    let e = reject(r#"{"p": {"overlaps": "[2026-02-01,2026-01-01)"}}"#);
    assert!(e.message.contains("daterange"), "{e}");
}

#[test]
fn full_text_operators() {
    let docs = [r#"{"body": "The quick brown fox"}"#, r#"{"body": "slow green turtle"}"#, r#"{"body": 7}"#];
    assert_eq!(select(r#"{"body": {"plain_query": "quick fox"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"body": {"websearch_query": {"query": "turtle", "config": "simple"}}}"#, &docs), vec![1]);
    let e = reject(r#"{"body": {"plain_query": {"query": "x", "config": "klingon"}}}"#);
    assert!(e.message.contains("klingon"), "{e}");
}

#[test]
fn bad_hints_and_typed_operands_are_rejected() {
    let e = support::reject_typed(r#"{"at": {"gt": "yesterday"}}"#, r#"{"at": "timestamptz"}"#);
    assert_eq!(e.path, "where.at.gt");
    assert!(e.message.contains("timestamptz"), "{e}");
    let e = support::reject_typed(r#"{}"#, r#"{"at": "datetime"}"#);
    assert_eq!(e.path, "types.at");
    assert!(e.hint.as_deref().unwrap().contains("timestamptz"), "{e:?}");
    let e = support::reject_typed(r#"{"p": {"gt": "a.b"}}"#, r#"{"p": "ltree"}"#);
    assert!(e.message.contains("not defined for ltree"), "{e}");
    let e = support::reject_typed(r#"{}"#, r#"["at"]"#);
    assert_eq!(e.path, "types");
}

#[test]
fn non_ascii_text_is_not_a_timestamp_and_never_panics() {
    use fraiseql_core::where_spec::typed::{parse_date, parse_timestamp};
    for s in [
        "2026-01-€1T10:00",
        "2026-01-01T1€:00:00Z",
        "2026-01-01T10:0€Z",
        "2026-01-01T10:00:0€Z",
        "2026-01-01T10:00+€1",
        "2026-0€-01",
    ] {
        assert_eq!(parse_timestamp(s, true), None, "{s}");
        assert_eq!(parse_timestamp(s, false), None, "{s}");
        let _ = parse_date(s.get(..10).unwrap_or(s));
    }
}

/// The engine's `UUID` equalities: the operand in any spelling, compared with the stored
/// canonical text (one containment a GIN index serves); ordering stays typed.
#[test]
fn uuid_equalities_as_canonical_text() {
    use fraiseql_core::jsonb;
    use fraiseql_core::where_spec::{Options, Spec};
    let docs = [
        r#"{"u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}"#,
        r#"{"u": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"}"#,
        r#"{"u": "b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}"#,
        r#"{"u": null}"#,
        r#"{}"#,
    ];
    let rewritten = |spec: &str| {
        let tbytes = jsonb::encode(r#"{"u": "uuid"}"#).unwrap();
        let hints = Spec::parse_types(jsonb::root(&tbytes).unwrap(), Options::default()).unwrap();
        let sbytes = jsonb::encode(spec).unwrap();
        let mut s =
            Spec::parse_typed(jsonb::root(&sbytes).unwrap(), &hints, Options::default(), &support::TestHost).unwrap();
        s.uuid_equalities_as_text();
        let hits: Vec<usize> = docs
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                let b = jsonb::encode(d).unwrap();
                s.matches(jsonb::root(&b).unwrap(), &support::TestHost).unwrap()
            })
            .map(|(i, _)| i)
            .collect();
        (hits, s.to_sql("data"))
    };
    // Typed, the uppercase row is the same uuid.
    let t = r#"{"u": "uuid"}"#;
    assert_eq!(select_typed(r#"{"u": {"eq": "A0EEBC999C0B4EF8BB6D6BB9BD380A11"}}"#, t, &docs), vec![0, 1]);
    let (hits, sql) = rewritten(r#"{"u": {"eq": "A0EEBC999C0B4EF8BB6D6BB9BD380A11"}}"#);
    assert_eq!(hits, vec![0]);
    assert_eq!(
        sql,
        r#""data" OPERATOR(pg_catalog.@>) '{"u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}'::pg_catalog.jsonb"#
    );
    let (hits, _) = rewritten(r#"{"u": {"neq": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}}"#);
    assert_eq!(hits, vec![1, 2]);
    let (hits, sql) =
        rewritten(r#"{"u": {"in": ["B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]}}"#);
    assert_eq!(hits, vec![0, 2]);
    assert!(sql.contains("'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"), "{sql}");
    let (hits, _) = rewritten(r#"{"u": {"nin": ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]}}"#);
    assert_eq!(hits, vec![1, 2]);
    // Ordering keeps the typed reading: the uppercase row is the same uuid, not below it.
    let (hits, sql) = rewritten(r#"{"u": {"gte": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}}"#);
    assert_eq!(hits, vec![0, 1, 2]);
    assert!(sql.contains("fraiseql_as_uuid"), "{sql}");
}
