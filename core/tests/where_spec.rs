//! The where-spec language without a server: parsing, rejection, three-valued evaluation
//! and the shape of the compiled SQL.

mod support;
use fraiseql_core::testutil::Rng;
use support::{parse, reject, select};

const M1: &str = "11111111-1111-1111-1111-111111111111";

/// tv_router_config rows: two per machine, one of them current.
fn router_configs() -> Vec<String> {
    let mk = |id: u32, machine: &str, name: &str, current: bool| {
        format!(
            r#"{{"id": {id}, "config_name": "c{id}", "is_current": {current}, "machine": {{"id": "{machine}", "name": "{name}"}}}}"#
        )
    };
    vec![
        mk(1, M1, "paris", false),
        mk(2, M1, "paris", true),
        mk(3, "22222222-2222-2222-2222-222222222222", "berlin", false),
        mk(4, "22222222-2222-2222-2222-222222222222", "berlin", true),
    ]
}

fn on_configs(spec: &str) -> Vec<usize> {
    let docs = router_configs();
    let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
    select(spec, &refs)
}

#[test]
fn mixed_nested_and_direct_filters_all_apply() {
    // The five scenarios upstream got wrong.
    assert_eq!(on_configs(&format!(r#"{{"machine": {{"id": {{"eq": "{M1}"}}}}}}"#)), vec![0, 1]);
    assert_eq!(on_configs(r#"{"is_current": {"eq": true}}"#), vec![1, 3]);
    assert_eq!(
        on_configs(&format!(r#"{{"machine": {{"id": {{"eq": "{M1}"}}}}, "is_current": {{"eq": true}}}}"#)),
        vec![1]
    );
    assert_eq!(
        on_configs(&format!(
            r#"{{"machine": {{"id": {{"eq": "{M1}"}}}}, "is_current": {{"eq": true}}, "config_name": {{"eq": "c2"}}}}"#
        )),
        vec![1]
    );
    assert_eq!(
        on_configs(&format!(r#"{{"is_current": {{"eq": true}}, "machine": {{"id": {{"eq": "{M1}"}}}}}}"#)),
        vec![1]
    );
}

#[test]
fn camel_case_keys_match_snake_case_data() {
    assert_eq!(on_configs(r#"{"isCurrent": {"eq": true}, "configName": {"eq": "c4"}}"#), vec![3]);
    let spec = fraiseql_core::where_spec::Spec::parse_text(
        r#"{"isCurrent": {"eq": true}}"#,
        fraiseql_core::where_spec::Options { convert_keys: false },
        &support::TestHost,
    )
    .unwrap();
    assert!(spec.to_sql("data").contains("isCurrent"));
}

#[test]
fn logical_operators_at_top_level_and_nested() {
    assert_eq!(on_configs(r#"{"OR": [{"id": {"eq": 1}}, {"id": {"eq": 4}}]}"#), vec![0, 3]);
    assert_eq!(on_configs(r#"{"_or": [{"id": {"eq": 1}}, {"id": {"eq": 4}}], "is_current": true}"#), vec![3]);
    assert_eq!(on_configs(r#"{"NOT": {"is_current": {"eq": true}}}"#), vec![0, 2]);
    assert_eq!(on_configs(r#"{"_not": {"is_current": {"eq": true}}}"#), vec![0, 2]);
    assert_eq!(on_configs(r#"{"AND": [{"id": {"gt": 1}}, {"id": {"lt": 4}}]}"#), vec![1, 2]);
    // Inside a nested object, paths are relative to that object.
    assert_eq!(
        on_configs(
            r#"{"machine": {"OR": [{"name": {"eq": "berlin"}}, {"name": {"eq": "nowhere"}}]}, "is_current": true}"#
        ),
        vec![3]
    );
    assert_eq!(on_configs(r#"{"machine": {"NOT": {"name": {"eq": "berlin"}}}}"#), vec![0, 1]);
}

#[test]
fn shorthand_null_and_empty() {
    assert_eq!(on_configs(r#"{"config_name": "c3"}"#), vec![2]);
    assert_eq!(on_configs(r#"{}"#), vec![0, 1, 2, 3]);
    assert_eq!(on_configs(r#"{"config_name": null}"#), vec![0, 1, 2, 3]);
    assert_eq!(on_configs(r#"{"config_name": {"eq": null}, "id": {"eq": 2}}"#), vec![1]);
    assert_eq!(on_configs(r#"{"NOT": {"config_name": null}}"#), vec![0, 1, 2, 3]);
    assert_eq!(on_configs(r#"{"OR": [{"config_name": null}, {"id": 3}]}"#), vec![2]);
    assert_eq!(on_configs(r#"{"OR": []}"#), vec![0, 1, 2, 3]);
    assert!(parse("null").unwrap().is_empty());
}

const SPARSE: &[&str] = &[
    r#"{"a": 1}"#,
    r#"{"a": null}"#,
    r#"{}"#,
    r#"{"a": "1"}"#,
    r#"{"a": 2, "o": {"b": null}}"#,
    r#"{"a": 10, "o": null}"#,
    r#"[1, 2]"#,
    r#""scalar""#,
];

#[test]
fn missing_null_and_wrong_type_never_satisfy_a_comparison() {
    assert_eq!(select(r#"{"a": {"eq": 1}}"#, SPARSE), vec![0]);
    assert_eq!(select(r#"{"a": {"neq": 1}}"#, SPARSE), vec![4, 5]);
    assert_eq!(select(r#"{"NOT": {"a": {"eq": 1}}}"#, SPARSE), vec![4, 5]);
    assert_eq!(select(r#"{"a": {"nin": [1, 2]}}"#, SPARSE), vec![5]);
    assert_eq!(select(r#"{"NOT": {"a": {"in": [1, 2]}}}"#, SPARSE), vec![5]);
    assert_eq!(select(r#"{"a": {"isnull": true}}"#, SPARSE), vec![1, 2, 6, 7]);
    assert_eq!(select(r#"{"a": {"isnull": false}}"#, SPARSE), vec![0, 3, 4, 5]);
    assert_eq!(select(r#"{"o": {"b": {"isnull": true}}}"#, SPARSE), vec![0, 1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(select(r#"{"o": {"b": {"neq": 1}}}"#, SPARSE), Vec::<usize>::new());
    assert_eq!(select(r#"{"a": {"eq": "1"}}"#, SPARSE), vec![3]);
    assert_eq!(select(r#"{"a": {"gt": "0"}}"#, SPARSE), vec![3]);
    assert_eq!(select(r#"{"NOT": {"a": {"gt": 5}}}"#, SPARSE), vec![0, 4]);
}

#[test]
fn numbers_compare_numerically() {
    let docs = [r#"{"n": 9}"#, r#"{"n": 10}"#, r#"{"n": 10.0}"#, r#"{"n": -1e2}"#, r#"{"n": 0.1}"#];
    assert_eq!(select(r#"{"n": {"lt": 10}}"#, &docs), vec![0, 3, 4]);
    assert_eq!(select(r#"{"n": {"eq": 10}}"#, &docs), vec![1, 2]);
    assert_eq!(select(r#"{"n": {"gte": 1e1}}"#, &docs), vec![1, 2]);
    assert_eq!(select(r#"{"n": {"in": [-100, 0.10]}}"#, &docs), vec![3, 4]);
}

#[test]
fn string_operators() {
    let docs =
        [r#"{"s": "Hello World"}"#, r#"{"s": "50% off_now"}"#, r#"{"s": "hello"}"#, r#"{"s": 5}"#, r#"{"s": "ÉCOLE"}"#];
    assert_eq!(select(r#"{"s": {"contains": "llo"}}"#, &docs), vec![0, 2]);
    assert_eq!(select(r#"{"s": {"icontains": "WORLD"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"s": {"contains": "%"}}"#, &docs), vec![1]);
    assert_eq!(select(r#"{"s": {"contains": "_"}}"#, &docs), vec![1]);
    assert_eq!(select(r#"{"s": {"startswith": "Hello"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"s": {"istartswith": "hello"}}"#, &docs), vec![0, 2]);
    assert_eq!(select(r#"{"s": {"endsWith": "now"}}"#, &docs), vec![1]);
    assert_eq!(select(r#"{"s": {"iendswith": "LD"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"s": {"like": "h_llo"}}"#, &docs), vec![2]);
    assert_eq!(select(r#"{"s": {"ilike": "h_llo%"}}"#, &docs), vec![0, 2]);
    assert_eq!(select(r#"{"s": {"nlike": "h%"}}"#, &docs), vec![0, 1, 4]);
    assert_eq!(select(r#"{"s": {"nilike": "h%"}}"#, &docs), vec![1, 4]);
    assert_eq!(select(r#"{"s": {"icontains": "école"}}"#, &docs), vec![4]);
    assert_eq!(select(r#"{"s": {"matches": "^H.*d$"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"s": {"imatches": "^h"}}"#, &docs), vec![0, 2]);
    assert_eq!(select(r#"{"s": {"not_matches": "^h"}}"#, &docs), vec![0, 1, 4]);
    assert_eq!(select(r#"{"s": {"niregex": "^h"}}"#, &docs), vec![1, 4]);
    assert_eq!(select(r#"{"s": {"gt": "Hello"}}"#, &docs), vec![0, 2, 4]);
}

#[test]
fn array_and_object_operators() {
    let docs = [
        r#"{"tags": ["a", "b"], "meta": {"x": 1, "y": null}}"#,
        r#"{"tags": ["b", "c", "d"], "meta": {"z": [1, 2]}}"#,
        r#"{"tags": [], "meta": {}}"#,
        r#"{"tags": "a", "meta": ["x"]}"#,
        r#"{"tags": [1, 1.0], "meta": {"x": 2}}"#,
    ];
    assert_eq!(select(r#"{"tags": {"array_contains": "a"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"tags": {"arrayContains": ["c", "b"]}}"#, &docs), vec![1]);
    assert_eq!(select(r#"{"tags": {"array_contained_by": ["a", "b", "c"]}}"#, &docs), vec![0, 2]);
    assert_eq!(select(r#"{"tags": {"array_overlaps": ["a", "d"]}}"#, &docs), vec![0, 1]);
    assert_eq!(select(r#"{"tags": {"array_overlaps": []}}"#, &docs), Vec::<usize>::new());
    assert_eq!(select(r#"{"tags": {"len_eq": 0}}"#, &docs), vec![2]);
    assert_eq!(select(r#"{"tags": {"len_gte": 2}}"#, &docs), vec![0, 1, 4]);
    assert_eq!(select(r#"{"tags": {"any_eq": 1}}"#, &docs), vec![4]);
    assert_eq!(select(r#"{"tags": {"all_eq": 1}}"#, &docs), vec![2, 4]);
    assert_eq!(select(r#"{"meta": {"has_key": "y"}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"meta": {"has_any_keys": ["y", "z"]}}"#, &docs), vec![0, 1]);
    assert_eq!(select(r#"{"meta": {"has_all_keys": ["x", "y"]}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"meta": {"contains": {"x": 1}}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"meta": {"contained_by": {"x": 2, "w": 0}}}"#, &docs), vec![2, 4]);
    assert_eq!(select(r#"{"tags": {"contains": ["d"]}}"#, &docs), vec![1]);
}

#[test]
fn quantifiers_over_arrays_of_objects() {
    let docs = [
        r#"{"posts": [{"title": "a", "likes": 3}, {"title": "b", "likes": 10}]}"#,
        r#"{"posts": [{"title": "c", "likes": 1}]}"#,
        r#"{"posts": []}"#,
        r#"{"posts": null}"#,
        r#"{"posts": [{"title": "d"}, 5]}"#,
        r#"{"scores": [1, 5, 9]}"#,
    ];
    assert_eq!(select(r#"{"posts": {"any": {"likes": {"gt": 5}}}}"#, &docs), vec![0]);
    assert_eq!(select(r#"{"posts": {"all": {"likes": {"gte": 1}}}}"#, &docs), vec![0, 1, 2]);
    assert_eq!(select(r#"{"posts": {"none": {"likes": {"gt": 5}}}}"#, &docs), vec![1, 2, 4]);
    assert_eq!(select(r#"{"posts": {"any": {}}}"#, &docs), vec![0, 1, 4]);
    assert_eq!(
        select(r#"{"posts": {"any": {"OR": [{"title": {"eq": "c"}}, {"likes": {"eq": 3}}]}}}"#, &docs),
        vec![0, 1]
    );
    assert_eq!(select(r#"{"scores": {"any": {"gt": 8}}}"#, &docs), vec![5]);
    assert_eq!(select(r#"{"scores": {"all": {"lt": 10, "gt": 0}}}"#, &docs), vec![5]);
    assert_eq!(select(r#"{"NOT": {"posts": {"any": {"likes": {"gt": 5}}}}}"#, &docs), vec![1, 2, 4]);
}

#[test]
fn bad_specs_are_rejected_with_path_token_and_hint() {
    let e = reject(r#"{"machine": {"id": {"eqq": 1}}}"#);
    assert_eq!(e.path, "where.machine.id.eqq");
    assert!(e.message.contains("unknown operator \"eqq\""), "{e}");
    assert!(e.hint.as_deref().unwrap().contains("Valid operators: eq, neq"), "{e:?}");

    let e = reject(r#"{"status": {"eqq": "x"}}"#);
    assert_eq!(e.path, "where.status.eqq");
    assert!(e.message.contains("unknown operator \"eqq\""), "{e}");

    let e = reject(r#"{"id": {"in": 5}}"#);
    assert_eq!(e.path, "where.id.in");
    assert!(e.message.contains("expects a list"), "{e}");

    let e = reject(r#"{"id": {"isnull": "yes"}}"#);
    assert_eq!(e.path, "where.id.isnull");
    assert!(e.message.contains("true or false"), "{e}");

    let e = reject(r#"{"OR": {"id": 1}}"#);
    assert_eq!(e.path, "where.OR");
    assert!(e.message.contains("expects a list"), "{e}");

    let e = reject(r#"[1]"#);
    assert_eq!(e.path, "where");
    assert!(e.message.contains("expected an object"), "{e}");

    let e = reject(r#"{"a": {"eq": 1, "b": {"eq": 2}}}"#);
    assert_eq!(e.path, "where.a.b");
    assert!(e.message.contains("ambiguous"), "{e}");

    let e = reject(r#"{"a": {"matches": "(unclosed"}}"#);
    assert_eq!(e.path, "where.a.matches");
    assert!(e.message.contains("invalid regular expression"), "{e}");

    let e = reject(r#"{"a": {"like": "abc\\"}}"#);
    assert!(e.message.contains("escape character"), "{e}");

    let e = reject(r#"{"a": {"in": [1, null]}}"#);
    assert_eq!(e.path, "where.a.in[1]");

    let e = reject(r#"{"OR": [{"a": 1}, 7]}"#);
    assert_eq!(e.path, "where.OR[1]");

    let e = reject(r#"{"a": [1, 2]}"#);
    assert!(e.message.contains("operator object"), "{e}");

    let e = reject(r#"{"a": {"len_gt": -1}}"#);
    assert!(e.message.contains("non-negative integer"), "{e}");

    let e = reject(r#"{"a": {"gt": {"x": 1}}}"#);
    assert!(e.message.contains("string, number or boolean"), "{e}");
}

#[test]
fn empty_in_list_matches_no_present_value() {
    assert_eq!(select(r#"{"a": {"in": []}}"#, SPARSE), Vec::<usize>::new());
    assert_eq!(select(r#"{"a": {"nin": []}}"#, SPARSE), vec![0, 3, 4, 5]);
}

#[test]
fn equalities_compile_to_one_containment() {
    let sql = parse(&format!(r#"{{"machine": {{"id": {{"eq": "{M1}"}}}}, "is_current": {{"eq": true}}}}"#))
        .unwrap()
        .to_sql("data");
    assert_eq!(
        sql,
        format!(
            r#"("data" OPERATOR(pg_catalog.@>) '{{"machine": {{"id": "{M1}"}}, "is_current": true}}'::pg_catalog.jsonb)"#
        )
    );
    // Under NOT the exact three-valued form is used instead.
    let sql = parse(r#"{"NOT": {"a": {"eq": 1}}}"#).unwrap().to_sql("data");
    assert_eq!(
        sql,
        r#"(NOT CASE WHEN pg_catalog.jsonb_typeof(("data" OPERATOR(pg_catalog.->) 'a')) OPERATOR(pg_catalog.=) 'number' THEN ("data" OPERATOR(pg_catalog.->) 'a') OPERATOR(pg_catalog.=) '1'::pg_catalog.jsonb END)"#
    );
    // Conflicting equalities on one path are kept apart, never merged into one key.
    let sql = parse(r#"{"AND": [{"a": {"eq": 1}}, {"a": {"eq": 2}}]}"#).unwrap().to_sql("data");
    assert_eq!(
        sql,
        r#"("data" OPERATOR(pg_catalog.@>) '{"a": 1}'::pg_catalog.jsonb AND "data" OPERATOR(pg_catalog.@>) '{"a": 2}'::pg_catalog.jsonb)"#
    );
}

#[test]
fn compiled_sql_quotes_everything() {
    let sql = parse(r#"{"we'ird": {"eq": "it's \\ here"}, "x": {"matches": "a'b"}}"#).unwrap().to_sql("da\"ta");
    assert!(sql.contains(r#""da""ta""#), "{sql}");
    assert!(sql.contains("E'{\"we''ird\": \"it''s \\\\\\\\ here\"}'"), "{sql}");
    assert!(sql.contains("OPERATOR(pg_catalog.~) 'a''b'"), "{sql}");
}

#[test]
fn deeply_nested_specs_are_rejected_not_recursed_into() {
    let deep = format!("{}{{}}{}", r#"{"NOT": "#.repeat(500), "}".repeat(500));
    let e = reject(&deep);
    assert!(e.message.contains("nested more than"), "{e}");
    let deep_operand = format!(r#"{{"a": {{"eq": {}1{}}}}}"#, "[".repeat(300), "]".repeat(300));
    let e = reject(&deep_operand);
    assert!(e.message.contains("nested more than"), "{e}");
    // 20 levels are fine.
    let ok = format!("{}{{\"a\": 1}}{}", r#"{"NOT": "#.repeat(20), "}".repeat(20));
    assert!(parse(&ok).is_ok());
}

/// Arbitrary JSON as a spec: every document either parses or is rejected with a path,
/// and evaluation of whatever parses never panics.
#[test]
fn arbitrary_documents_as_specs_never_panic() {
    let mut r = Rng(0x2545_F491_4F6C_DD1D);
    const ATOMS: &[&str] = &[
        "null",
        "true",
        "false",
        "0",
        "-1.5",
        "1e400",
        r#""""#,
        r#""x""#,
        r#""10.0.0.0/8""#,
        r#""*.a""#,
        r#""2026-01-01""#,
        r#""[2026-01-01,2026-02-01)""#,
        r#""(""#,
        r#""a\""#,
        "[]",
        "{}",
    ];
    const KEYS: &[&str] = &[
        "a",
        "eq",
        "in",
        "OR",
        "AND",
        "NOT",
        "_not",
        "any",
        "all",
        "isnull",
        "gt",
        "contains",
        "like",
        "matches_lquery",
        "inRange",
        "from",
        "to",
        "isPrivate",
        "overlaps",
        "len_gt",
        "has_any_keys",
        "plain_query",
        "query",
    ];
    fn gen(r: &mut Rng, depth: usize) -> String {
        match r.next_u64() % if depth > 4 { 1 } else { 4 } {
            0 => r.pick(ATOMS).to_string(),
            1 => {
                let n = r.next_u64() % 3;
                let items: Vec<String> = (0..n).map(|_| gen(r, depth + 1)).collect();
                format!("[{}]", items.join(","))
            }
            _ => {
                let n = 1 + r.next_u64() % 3;
                let items: Vec<String> =
                    (0..n).map(|_| format!("\"{}\": {}", r.pick(KEYS), gen(r, depth + 1))).collect();
                format!("{{{}}}", items.join(","))
            }
        }
    }
    let docs =
        [r#"{"a": [1, {"a": "x"}], "eq": {"in": null}}"#, r#"{"a": "10.1.1.1"}"#, "[]", r#"{"a": {"b": {"c": []}}}"#];
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..3000 {
        let spec = gen(&mut r, 0);
        match parse(&spec) {
            Ok(s) => {
                accepted += 1;
                for d in docs {
                    let bytes = fraiseql_core::jsonb::encode(d).unwrap();
                    s.matches(fraiseql_core::jsonb::root(&bytes).unwrap(), &support::TestHost).unwrap();
                }
                let _ = s.to_sql("data");
            }
            Err(e) => {
                rejected += 1;
                assert!(e.path.starts_with("where"), "{spec}: {e}");
            }
        }
    }
    assert!(accepted > 100 && rejected > 100, "accepted {accepted}, rejected {rejected}");
}
