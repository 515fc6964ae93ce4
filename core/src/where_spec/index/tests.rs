//! Derivation, estimate and cost of specs, and a randomized check that every derived
//! condition is implied by its spec on every document.

use super::super::typed::{TypeName, Typed};
use super::super::{Options, Spec};
use super::{Derived, GinOps, Indexes, KeyForm, Operand, Sample, Strategy};
use crate::jsonb::{self, Value};
use crate::testutil::{Rng, TestHost};
use std::cmp::Ordering;

mod rewrite;

fn try_spec(text: &str, types: &str) -> Result<Spec, super::super::SpecError> {
    let t = jsonb::encode(types).unwrap();
    let hints = Spec::parse_types(jsonb::root(&t).unwrap(), Options::default()).unwrap();
    let b = jsonb::encode(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    Spec::parse_typed(jsonb::root(&b).unwrap(), &hints, Options::default(), &TestHost)
}

fn spec_typed(text: &str, types: &str) -> Spec {
    try_spec(text, types).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn spec(text: &str) -> Spec {
    spec_typed(text, "{}")
}

fn path(p: &str) -> Vec<String> {
    p.split('.').map(str::to_string).collect()
}

fn contains(doc: &str) -> Derived {
    Derived::Contains(doc.to_string())
}

#[test]
fn equalities_merge_into_one_containment() {
    let s = spec(r#"{"machine": {"id": {"eq": "m8"}}, "isCurrent": {"eq": true}}"#);
    assert_eq!(s.gin_conditions(GinOps::Paths), vec![contains(r#"{"machine": {"id": "m8"}, "is_current": true}"#)]);
    let s =
        spec(r#"{"a": 1.50, "o": {"b": {"eq": "x"}, "c": {"d": {"eq": false}}}, "AND": [{"o": {"e": {"eq": 2}}}]}"#);
    assert_eq!(
        s.gin_conditions(GinOps::Keys),
        vec![contains(r#"{"a": 1.50, "o": {"b": "x", "c": {"d": false}, "e": 2}}"#)]
    );
}

#[test]
fn nothing_under_not_or_from_non_equalities() {
    for s in [
        r#"{"NOT": {"a": {"eq": 1}}}"#,
        r#"{"a": {"neq": 1}}"#,
        r#"{"a": {"gt": 1}}"#,
        r#"{"a": {"eq": null}}"#,
        r#"{"a": {"isnull": true}}"#,
        r#"{"a": {"like": "x%"}}"#,
        r#"{"posts": {"all": {"id": {"eq": 1}}}}"#,
        r#"{"posts": {"none": {"id": {"eq": 1}}}}"#,
        r#"{"a": {"eq": [1]}}"#,
        r#"{"a": {"in": [1, 2]}}"#,
    ] {
        assert_eq!(spec(s).gin_conditions(GinOps::Keys), vec![], "{s}");
        assert_eq!(spec(s).planner_clauses(&Indexes::default()), vec![], "{s}");
    }
}

#[test]
fn conflicting_equalities_keep_the_first() {
    let s = spec(r#"{"a": {"eq": 1}, "AND": [{"a": {"eq": 2}}, {"a": {"b": {"eq": 3}}}]}"#);
    assert_eq!(s.gin_conditions(GinOps::Paths), vec![contains(r#"{"a": 1}"#)]);
}

#[test]
fn containment_operators_and_any() {
    let s = spec(
        r#"{"o": {"contains": {"k": 1}}, "tags": {"array_contains": "t3"}, "posts": {"any": {"id": {"eq": 5}}},
            "n": {"any": {"eq": "x"}}}"#,
    );
    assert_eq!(
        s.gin_conditions(GinOps::Paths),
        vec![contains(r#"{"n": ["x"], "o": {"k": 1}, "tags": ["t3"], "posts": [{"id": 5}]}"#)]
    );
    // jsonb_path_ops indexes scalars only: nothing to look up.
    let s = spec(r#"{"o": {"contains": {}}}"#);
    assert_eq!(s.gin_conditions(GinOps::Paths), vec![]);
    assert_eq!(s.gin_conditions(GinOps::Keys), vec![contains(r#"{"o": {}}"#)]);
}

#[test]
fn key_existence_for_jsonb_ops_only() {
    let s = spec(r#"{"deletedAt": {"isnull": false}, "a": {"isnull": false}, "o": {"p": {"isnull": false}}}"#);
    assert_eq!(s.gin_conditions(GinOps::Keys), vec![Derived::HasKeys(vec!["a".into(), "deleted_at".into()])]);
    assert_eq!(s.gin_conditions(GinOps::Paths), vec![]);
}

fn btree() -> Indexes {
    Indexes {
        gin: None,
        keys: vec![
            KeyForm::Text { path: path("config_name"), byte_order: false },
            KeyForm::Text { path: path("machine.id"), byte_order: true },
            KeyForm::Typed { path: path("created_at"), ty: TypeName::Timestamptz },
            KeyForm::Typed { path: path("version"), ty: TypeName::Numeric },
        ],
    }
}

fn text(s: &str) -> Operand {
    Operand::Text(s.to_string())
}

fn numeric(n: &str) -> Operand {
    Operand::Typed(Typed::from_text(TypeName::Numeric, n).unwrap())
}

#[test]
fn btree_expression_keys() {
    let idx = btree();
    let s = spec(r#"{"configName": {"eq": "c1"}, "machine": {"id": {"gte": "m1", "lt": "m2"}}}"#);
    assert_eq!(
        s.planner_clauses(&idx),
        // (spec members in jsonb order: shorter keys first)
        vec![
            Derived::Cmp { key: 1, strategy: Strategy::Lt, value: text("m2") },
            Derived::Cmp { key: 1, strategy: Strategy::Ge, value: text("m1") },
            Derived::Cmp { key: 0, strategy: Strategy::Eq, value: text("c1") },
        ]
    );
    // String ranges need byte order; number equality never becomes text equality.
    assert_eq!(spec(r#"{"configName": {"gt": "c1"}}"#).planner_clauses(&idx), vec![]);
    assert_eq!(spec(r#"{"configName": {"eq": 10}}"#).planner_clauses(&idx), vec![]);
    assert_eq!(
        spec(r#"{"configName": {"eq": true}}"#).planner_clauses(&idx),
        vec![Derived::Cmp { key: 0, strategy: Strategy::Eq, value: text("true") }]
    );
    // Numbers through fraiseql_as_numeric.
    assert_eq!(
        spec(r#"{"version": {"gt": 10}, "AND": [{"version": {"in": [1, 2.0]}}]}"#).planner_clauses(&idx),
        vec![
            Derived::AnyOf { key: 3, values: vec![numeric("1"), numeric("2.0")] },
            Derived::Cmp { key: 3, strategy: Strategy::Gt, value: numeric("10") },
        ]
    );
    assert_eq!(spec(r#"{"version": {"eq": "10"}}"#).planner_clauses(&idx), vec![]);
}

#[test]
fn typed_comparisons_need_the_same_type() {
    let idx = btree();
    let at = Typed::from_text(TypeName::Timestamptz, "2026-09-01T00:00:00Z").unwrap();
    let s = spec_typed(r#"{"createdAt": {"gte": "2026-09-01T00:00:00Z"}}"#, r#"{"createdAt": "timestamptz"}"#);
    assert_eq!(
        s.planner_clauses(&idx),
        vec![Derived::Cmp { key: 2, strategy: Strategy::Ge, value: Operand::Typed(at) }]
    );
    let s = spec_typed(r#"{"createdAt": {"gte": "2026-09-01"}}"#, r#"{"createdAt": "date"}"#);
    assert_eq!(s.planner_clauses(&idx), vec![]);
    let s = spec_typed(r#"{"createdAt": {"neq": "2026-09-01T00:00:00Z"}}"#, r#"{"createdAt": "timestamptz"}"#);
    assert_eq!(s.planner_clauses(&idx), vec![]);
    // A hinted uuid is never compared as text.
    let idx = Indexes { gin: None, keys: vec![KeyForm::Text { path: path("id"), byte_order: true }] };
    let s = spec_typed(r#"{"id": {"eq": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"}}"#, r#"{"id": "uuid"}"#);
    assert_eq!(s.planner_clauses(&idx), vec![]);
}

#[test]
fn or_needs_every_alternative_indexable() {
    let mut idx = btree();
    let s = spec(r#"{"OR": [{"configName": {"eq": "a"}}, {"machine": {"id": {"eq": "m1"}}}]}"#);
    assert_eq!(
        s.planner_clauses(&idx),
        vec![Derived::Or(vec![
            vec![Derived::Cmp { key: 0, strategy: Strategy::Eq, value: text("a") }],
            vec![Derived::Cmp { key: 1, strategy: Strategy::Eq, value: text("m1") }],
        ])]
    );
    let s = spec(r#"{"OR": [{"configName": {"eq": "a"}}, {"other": {"eq": "b"}}]}"#);
    assert_eq!(s.planner_clauses(&idx), vec![]);
    idx.gin = Some(GinOps::Paths);
    assert_eq!(
        s.planner_clauses(&idx),
        vec![Derived::Or(vec![
            vec![Derived::Cmp { key: 0, strategy: Strategy::Eq, value: text("a") }],
            vec![contains(r#"{"other": "b"}"#)],
        ])]
    );
    // An alternative with nothing indexable (NOT) spoils the OR.
    let s = spec(r#"{"OR": [{"other": {"eq": "a"}}, {"NOT": {"other": {"eq": "b"}}}]}"#);
    assert_eq!(s.planner_clauses(&idx), vec![]);
    // in-lists: = ANY on a btree key, an OR of containments otherwise.
    let s = spec(r#"{"status": {"in": ["a", "b"]}}"#);
    assert_eq!(
        s.planner_clauses(&idx),
        vec![Derived::Or(vec![vec![contains(r#"{"status": "a"}"#)], vec![contains(r#"{"status": "b"}"#)]])]
    );
    // The top-level conjunction's containment is an index condition, not a clause.
    assert_eq!(spec(r#"{"other": {"eq": "a"}}"#).planner_clauses(&idx), vec![]);
}

#[test]
fn operands_as_input_text() {
    let key = KeyForm::Typed { path: path("at"), ty: TypeName::Timestamptz };
    let at = Typed::from_text(TypeName::Timestamptz, "2026-09-01T02:00:00+02:00").unwrap();
    assert_eq!(Operand::Typed(at).input_text(&key), "2026-09-01 00:00:00.000000+00");
    let key = KeyForm::Typed { path: path("n"), ty: TypeName::Numeric };
    assert_eq!(numeric("12.50").input_text(&key), "12.50");
    assert_eq!(text("it's").input_text(&KeyForm::Text { path: path("s"), byte_order: false }), "it's");
    assert_eq!(super::unquote("E'a\\\\b''c'::text"), "a\\b'c");
}

// ---- every derived condition holds on every document the spec selects ----

/// `->` along `path`, SQL NULL (None) when a key is missing or a value is not an object.
fn at<'a>(doc: Value<'a>, path: &[String]) -> Option<Value<'a>> {
    let mut v = doc;
    for k in path {
        match v {
            Value::Object(c) => v = c.get(k.as_bytes()).unwrap()?,
            _ => return None,
        }
    }
    Some(v)
}

/// `->>`: the text of the value (NULL for JSON null).
fn as_text(v: Value<'_>) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(_) => Some(v.as_str().unwrap().unwrap().to_string()),
        other => Some(other.to_text().unwrap()),
    }
}

/// A derived condition on a document, SQL three-valued (None: NULL).
fn holds(d: &Derived, doc: Value<'_>, idx: &Indexes) -> Option<bool> {
    let key_value = |key: usize| -> Option<(Option<String>, Option<Typed>)> {
        match &idx.keys[key] {
            KeyForm::Text { path, .. } => Some((Some(as_text(at(doc, path)?)?), None)),
            KeyForm::Typed { path, ty } => Some((None, Some(Typed::from_json(*ty, &at(doc, path)?)?))),
        }
    };
    let cmp = |key: usize, value: &Operand| -> Option<Ordering> {
        let (t, ty) = key_value(key)?;
        match (value, t, ty) {
            (Operand::Text(s), Some(t), _) => Some(t.as_bytes().cmp(s.as_bytes())),
            (Operand::Typed(o), _, Some(v)) => v.cmp_same(o),
            _ => panic!("operand of the wrong kind for key {key}"),
        }
    };
    match d {
        Derived::Contains(text) => {
            let b = jsonb::encode(text).unwrap();
            Some(doc.contains(&jsonb::root(&b).unwrap()).unwrap())
        }
        Derived::HasKeys(keys) => match doc {
            Value::Object(c) => Some(keys.iter().all(|k| c.get(k.as_bytes()).unwrap().is_some())),
            _ => Some(false),
        },
        Derived::Cmp { key, strategy, value } => {
            let o = cmp(*key, value)?;
            Some(match strategy {
                Strategy::Lt => o == Ordering::Less,
                Strategy::Le => o != Ordering::Greater,
                Strategy::Eq => o == Ordering::Equal,
                Strategy::Ge => o != Ordering::Less,
                Strategy::Gt => o == Ordering::Greater,
            })
        }
        Derived::AnyOf { key, values } => {
            let mut any = Some(false);
            for v in values {
                match cmp(*key, v) {
                    Some(Ordering::Equal) => return Some(true),
                    None => any = None,
                    _ => {}
                }
            }
            any
        }
        Derived::NotNull { key } => Some(key_value(*key).is_some()),
        Derived::Equalities { doc: d, spec } => {
            // The spec the planner support calls must select what the document contains.
            let b = jsonb::encode(spec).unwrap();
            let keep_keys = Options { convert_keys: false };
            let s = Spec::parse_typed(jsonb::root(&b).unwrap(), &Default::default(), keep_keys, &TestHost).unwrap();
            assert!(super::equalities_match(&s, d), "{spec} vs {d}");
            let by_spec = s.matches(doc, &TestHost).unwrap();
            assert_eq!(Some(by_spec), holds(&Derived::Contains(d.clone()), doc, idx), "{spec} vs {d}");
            Some(by_spec)
        }
        Derived::Or(arms) => {
            let mut r = Some(false);
            for arm in arms {
                let mut a = Some(true);
                for d in arm {
                    a = match (a, holds(d, doc, idx)) {
                        (Some(false), _) | (_, Some(false)) => Some(false),
                        (Some(true), Some(true)) => Some(true),
                        _ => None,
                    };
                }
                r = match (r, a) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                };
            }
            r
        }
    }
}

const VALUES: &[&str] = &[
    "1",
    "1.0",
    "10",
    "10.0",
    "2",
    r#""1""#,
    r#""10""#,
    r#""a""#,
    r#""b""#,
    r#""A""#,
    "true",
    "false",
    "null",
    "[1]",
    r#"["a", 1]"#,
    r#"{"k": 1}"#,
    "[]",
    "{}",
    r#""2026-01-01T00:00:00Z""#,
    r#""2026-01-01T01:00:00+01:00""#,
    r#""2026-03-01T00:00:00Z""#,
    r#""x""#,
];
const KEYS: &[&str] = &["a", "b", "t"];

fn value(r: &mut Rng, depth: usize) -> String {
    if depth < 2 && r.below(4) == 0 {
        let mut members = Vec::new();
        for k in KEYS {
            if r.below(2) == 0 {
                members.push(format!("\"{k}\": {}", value(r, depth + 1)));
            }
        }
        return format!("{{{}}}", members.join(", "));
    }
    if depth < 2 && r.below(6) == 0 {
        let items: Vec<String> = (0..r.below(3)).map(|_| value(r, depth + 1)).collect();
        return format!("[{}]", items.join(", "));
    }
    r.pick(VALUES).to_string()
}

fn scalar(r: &mut Rng) -> &'static str {
    r.pick(&["1", "10.0", "2", r#""1""#, r#""a""#, r#""b""#, "true", r#""2026-01-01T00:00:00Z""#])
}

fn leaf(r: &mut Rng) -> String {
    let op = match r.below(11) {
        0..=3 => format!("\"eq\": {}", scalar(r)),
        4 => format!("\"{}\": {}", r.pick(&["gt", "gte", "lt", "lte"]), scalar(r)),
        5 => format!("\"in\": [{}, {}]", scalar(r), scalar(r)),
        6 => format!("\"isnull\": {}", r.pick(&["true", "false"])),
        7 => format!("\"contains\": {}", r.pick(&[r#"{"k": 1}"#, "{}", r#"{"a": "a"}"#])),
        8 => format!("\"array_contains\": {}", scalar(r)),
        9 => format!("\"any_eq\": {}", scalar(r)),
        _ => format!("\"neq\": {}", scalar(r)),
    };
    format!("{{{op}}}")
}

fn field(r: &mut Rng, depth: usize) -> String {
    let k = r.pick(KEYS);
    if depth < 2 && r.below(4) == 0 {
        return format!("\"{k}\": {{\"{}\": {}}}", r.pick(KEYS), leaf(r));
    }
    if depth < 2 && r.below(8) == 0 {
        return format!("\"{k}\": {{\"any\": {}}}", if r.below(2) == 0 { leaf(r) } else { spec_text(r, depth + 1) });
    }
    format!("\"{k}\": {}", leaf(r))
}

fn spec_text(r: &mut Rng, depth: usize) -> String {
    let mut members = Vec::new();
    for _ in 0..1 + r.below(3) {
        members.push(match r.below(if depth < 2 { 8 } else { 5 }) {
            5 => format!("\"OR\": [{}, {}]", spec_text(r, depth + 1), spec_text(r, depth + 1)),
            6 => format!("\"NOT\": {}", spec_text(r, depth + 1)),
            7 => format!("\"AND\": [{}, {}]", spec_text(r, depth + 1), spec_text(r, depth + 1)),
            _ => field(r, depth),
        });
    }
    format!("{{{}}}", members.join(", "))
}

/// The type hints the randomized tests cycle through, and the hinted field's type.
const TYPE_HINTS: [(&str, Option<TypeName>); 3] = [
    ("{}", None),
    (r#"{"a": "timestamptz"}"#, Some(TypeName::Timestamptz)),
    (r#"{"b": "numeric"}"#, Some(TypeName::Numeric)),
];

/// The btree keys of the randomized tests: text keys in both orders, numeric keys, and a
/// key of the hinted type on the hinted field.
fn random_test_keys(hinted: Option<TypeName>) -> Vec<KeyForm> {
    let mut keys = vec![
        KeyForm::Text { path: path("a"), byte_order: true },
        KeyForm::Text { path: path("t.a"), byte_order: false },
        KeyForm::Typed { path: path("b"), ty: TypeName::Numeric },
        KeyForm::Typed { path: path("a"), ty: TypeName::Numeric },
    ];
    if let Some(ty) = hinted {
        keys.push(KeyForm::Typed { path: path(if ty == TypeName::Numeric { "b" } else { "a" }), ty });
    }
    keys
}

#[test]
fn every_derived_condition_is_implied_by_its_spec() {
    let mut r = Rng(0x2545_F491_4F6C_DD1D);
    let docs: Vec<Vec<u8>> = (0..300).map(|_| jsonb::encode(&value(&mut r, 0)).unwrap()).collect();
    let typed = TYPE_HINTS;
    let (mut derived, mut selected) = (0, 0);
    for round in 0..3000 {
        let text = spec_text(&mut r, 0);
        let (types, hinted) = typed[round % typed.len()];
        let Ok(s) = try_spec(&text, types) else { continue };
        let keys = random_test_keys(hinted);
        let idx = Indexes { gin: Some(if round % 2 == 0 { GinOps::Keys } else { GinOps::Paths }), keys };
        let mut all = s.planner_clauses(&idx);
        all.extend(s.gin_conditions(GinOps::Keys));
        derived += all.len();
        for d in &docs {
            let doc = jsonb::root(d).unwrap();
            if !s.matches(doc, &TestHost).unwrap() {
                continue;
            }
            selected += 1;
            for c in &all {
                assert_eq!(
                    holds(c, doc, &idx),
                    Some(true),
                    "spec {text} types {types}\nderived {c:?}\ndoc {}",
                    doc.to_text().unwrap()
                );
            }
        }
    }
    assert!(derived > 2000, "only {derived} conditions derived");
    assert!(selected > 10000, "only {selected} (spec, document) pairs selected");
}

/// A conjunction of derived conditions, SQL three-valued.
fn all_hold(ds: &[Derived], doc: Value<'_>, idx: &Indexes) -> Option<bool> {
    let mut a = Some(true);
    for d in ds {
        a = match (a, holds(d, doc, idx)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        };
    }
    a
}

/// 400 encoded documents for the randomized tests: mostly objects over `KEYS` (where
/// specs can be true), every 8th some other value.
fn random_documents(r: &mut Rng) -> Vec<Vec<u8>> {
    (0..400)
        .map(|i| {
            let text = if i % 8 == 0 {
                value(r, 0)
            } else {
                let mut members = Vec::new();
                for k in KEYS {
                    if r.below(3) > 0 {
                        members.push(format!("\"{k}\": {}", value(r, 1)));
                    }
                }
                format!("{{{}}}", members.join(", "))
            };
            jsonb::encode(&text).unwrap()
        })
        .collect()
}

#[test]
fn equivalent_forms_equal_the_spec_on_every_document() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let docs = random_documents(&mut r);
    let typed = TYPE_HINTS;
    let (mut replaced, mut btree, mut compared) = (0, 0, 0);
    for round in 0..20_000 {
        let text = spec_text(&mut r, 0);
        let (types, hinted) = typed[round % typed.len()];
        let Ok(s) = try_spec(&text, types) else { continue };
        let keys = random_test_keys(hinted);
        let gin = match round % 3 {
            0 => Some(GinOps::Keys),
            1 => Some(GinOps::Paths),
            _ => None,
        };
        let idx = Indexes { gin, keys };
        let Some(eq) = s.equivalent(&idx) else { continue };
        replaced += 1;
        if !super::null_faithful(&eq) {
            btree += 1;
        }
        for d in &docs {
            let doc = jsonb::root(d).unwrap();
            compared += 1;
            assert_eq!(
                all_hold(&eq, doc, &idx),
                Some(s.matches(doc, &TestHost).unwrap()),
                "spec {text} types {types}\nequivalent {eq:?}\ndoc {}",
                doc.to_text().unwrap()
            );
        }
    }
    assert!(replaced > 1500 && btree > 200, "only {replaced} specs replaced ({btree} with btree conditions)");
    assert!(compared > 100_000, "only {compared} comparisons");
}

/// Without indexes, `(<top-level text form>) IS TRUE` selects exactly the documents the
/// spec does (the planner support's replacement of a call no index serves).
#[test]
fn top_level_text_forms_equal_the_spec_on_every_document() {
    let mut r = Rng(0x2545_F491_4F6C_DD1D);
    let docs = random_documents(&mut r);
    let (mut replaced, mut compared) = (0, 0);
    for _ in 0..40_000 {
        let text = spec_text(&mut r, 0);
        let Ok(s) = try_spec(&text, "{}") else { continue };
        let Some((keys, form)) = s.top_level_text_form() else { continue };
        replaced += 1;
        let idx = Indexes {
            gin: None,
            keys: keys.iter().map(|k| KeyForm::Text { path: vec![k.clone()], byte_order: false }).collect(),
        };
        for d in &docs {
            let doc = jsonb::root(d).unwrap();
            compared += 1;
            assert_eq!(
                all_hold(&form, doc, &idx) == Some(true),
                s.matches(doc, &TestHost).unwrap(),
                "spec {text}\nform {form:?}\ndoc {}",
                doc.to_text().unwrap()
            );
        }
    }
    assert!(replaced > 300, "only {replaced} specs replaced");
    assert!(compared > 100_000, "only {compared} comparisons");
}

#[test]
fn top_level_text_forms() {
    let form = |t: &str| spec(t).top_level_text_form();
    let key = |k: &str| vec![k.to_string()];
    assert_eq!(
        form(r#"{"configName": {"in": ["c1", "c2"]}}"#),
        Some((key("config_name"), vec![Derived::AnyOf { key: 0, values: vec![text("c1"), text("c2")] }]))
    );
    assert_eq!(
        form(r#"{"OR": [{"a": {"eq": "x"}}, {"b": {"eq": "y"}}]}"#).map(|(k, _)| k),
        Some(vec!["a".to_string(), "b".to_string()])
    );
    // Not replaced: nested paths, numbers and booleans, strings a number's text could
    // equal, NOT, other operators.
    for t in [
        r#"{"machine": {"id": {"eq": "m1"}}}"#,
        r#"{"n": {"eq": 10}}"#,
        r#"{"b": {"eq": true}}"#,
        r#"{"s": {"eq": "10"}}"#,
        r#"{"NOT": {"s": {"eq": "x"}}}"#,
        r#"{"s": {"startswith": "x"}}"#,
        r#"{"s": {"eq": "x"}, "n": {"gt": 1}}"#,
    ] {
        assert_eq!(form(t), None, "{t}");
    }
}

#[test]
fn equivalent_forms() {
    let mut idx = btree();
    // Strings that ->> text of a number or boolean could equal are not replaced.
    assert_eq!(
        spec(r#"{"configName": {"eq": "c1"}}"#).equivalent(&idx),
        Some(vec![Derived::NotNull { key: 0 }, Derived::Cmp { key: 0, strategy: Strategy::Eq, value: text("c1") }])
    );
    for s in [r#""10""#, r#""-1""#, r#""true""#, r#""[1]""#, r#""{}""#, r#""""#, "true", "10"] {
        assert_eq!(spec(&format!(r#"{{"configName": {{"eq": {s}}}}}"#)).equivalent(&idx), None, "{s}");
    }
    // Untyped numbers and string ranges are not (fraiseql_as_numeric reads "10" too).
    assert_eq!(spec(r#"{"version": {"eq": 10}}"#).equivalent(&idx), None);
    assert_eq!(spec(r#"{"machine": {"id": {"gt": "m1"}}}"#).equivalent(&idx), None);
    // Typed comparisons are, each guarded.
    let s = spec_typed(r#"{"createdAt": {"gte": "2026-09-01T00:00:00Z"}}"#, r#"{"createdAt": "timestamptz"}"#);
    let at = Typed::from_text(TypeName::Timestamptz, "2026-09-01T00:00:00Z").unwrap();
    assert_eq!(
        s.equivalent(&idx),
        Some(vec![
            Derived::NotNull { key: 2 },
            Derived::Cmp { key: 2, strategy: Strategy::Ge, value: Operand::Typed(at) }
        ])
    );
    // Nothing under NOT; isnull, neq and quantifiers have none.
    for s in [
        r#"{"NOT": {"configName": {"eq": "c1"}}}"#,
        r#"{"configName": {"isnull": false}}"#,
        r#"{"configName": {"neq": "c1"}}"#,
        r#"{"tags": {"any": {"eq": "t1"}}}"#,
    ] {
        assert_eq!(spec(s).equivalent(&idx), None, "{s}");
    }
    // Containment needs a GIN index; then equalities merge and OR arms each have a form.
    let s = spec(
        r#"{"OR": [{"machine": {"name": {"eq": "m8"}}, "isCurrent": {"eq": true}}, {"status": {"in": ["a", 2]}}]}"#,
    );
    assert_eq!(s.equivalent(&idx), None);
    idx.gin = Some(GinOps::Paths);
    let eq = s.equivalent(&idx).unwrap();
    assert_eq!(
        eq,
        vec![Derived::Or(vec![
            vec![contains(r#"{"machine": {"name": "m8"}, "is_current": true}"#)],
            vec![Derived::Or(vec![vec![contains(r#"{"status": "a"}"#)], vec![contains(r#"{"status": 2}"#)]])],
        ])]
    );
    assert!(super::null_faithful(&eq));
    // Next to a btree condition, equalities are a call of their own, estimated apart.
    idx.gin = Some(GinOps::Paths);
    assert_eq!(
        spec(r#"{"configName": {"eq": "c1"}, "isCurrent": {"eq": true}}"#).equivalent(&idx),
        Some(vec![
            Derived::NotNull { key: 0 },
            Derived::Cmp { key: 0, strategy: Strategy::Eq, value: text("c1") },
            Derived::Equalities {
                doc: r#"{"is_current": true}"#.to_string(),
                spec: r#"{"is_current": {"eq": true}}"#.to_string()
            },
        ])
    );
    assert_eq!(
        spec(r#"{"configName": {"eq": "c1"}, "machine": {"name": {"in": ["m1"]}, "n": {"eq": 2.50}}}"#)
            .equivalent(&idx),
        Some(vec![
            Derived::NotNull { key: 0 },
            Derived::Cmp { key: 0, strategy: Strategy::Eq, value: text("c1") },
            Derived::Equalities {
                doc: r#"{"machine": {"n": 2.50, "name": "m1"}}"#.to_string(),
                spec: r#"{"machine": {"n": {"eq": 2.50}, "name": {"eq": "m1"}}}"#.to_string()
            },
        ])
    );
    // An OR of equalities on one btree key is one = ANY list.
    let idx = btree();
    let s = spec(r#"{"OR": [{"configName": {"eq": "a"}}, {"configName": {"in": ["b", "c"]}}]}"#);
    assert_eq!(
        s.equivalent(&idx),
        Some(vec![
            Derived::NotNull { key: 0 },
            Derived::AnyOf { key: 0, values: vec![text("a"), text("b"), text("c")] }
        ])
    );
    // Conflicting equalities have none.
    assert_eq!(spec(r#"{"a": {"eq": 1}, "AND": [{"a": {"eq": 2}}]}"#).equivalent(&idx), None);
}

// ---- estimate and cost ----

#[test]
fn estimate_from_a_sample() {
    let docs: Vec<Vec<u8>> =
        (0..100).map(|i| jsonb::encode(&format!(r#"{{"a": {}, "b": "{}"}}"#, i % 4, i % 50)).unwrap()).collect();
    let sample =
        Sample { mcv: vec![], histogram: docs.iter().map(|d| jsonb::root(d).unwrap()).collect(), null_frac: 0.0 };
    let none = &mut |_: &Derived| None;
    let idx = Indexes::default();
    let est = |s: &str, stats: &mut dyn FnMut(&Derived) -> Option<f64>| {
        spec(s).selectivity(&idx, Some(&sample), stats, &TestHost)
    };
    assert!((est(r#"{"a": {"eq": 1}}"#, none) - 0.25).abs() < 1e-9);
    assert!((est(r#"{"OR": [{"a": {"eq": 1}}, {"a": {"eq": 2}}]}"#, none) - 0.5).abs() < 1e-9);
    // 2 of 100 sampled rows: too few to measure; leaf by leaf (0.02 × 0.25), capped.
    let rare = est(r#"{"b": {"eq": "7"}, "a": {"eq": 3}}"#, none);
    assert!(rare > 0.001 && rare < 0.03, "{rare}");
    // None sampled: PostgreSQL's default for equality, capped by 1/(n+1).
    let absent = est(r#"{"b": {"eq": "nope"}}"#, none);
    assert!((absent - 0.005).abs() < 1e-9, "{absent}");
    // Without a sample: defaults, and a btree key's statistics where given.
    let idx = Indexes { gin: None, keys: vec![KeyForm::Text { path: path("b"), byte_order: false }] };
    let s = spec(r#"{"b": {"eq": "7"}, "c": {"gt": 1}}"#);
    let with_stats = s.selectivity(&idx, None, &mut |_| Some(0.02), &TestHost);
    assert!((with_stats - 0.02 / 3.0).abs() < 1e-9, "{with_stats}");
    assert!((spec("{}").selectivity(&idx, None, none, &TestHost) - 1.0).abs() < 1e-9);
}

#[test]
fn containment_and_key_tests_default_to_matchingsel() {
    // docs/where.md: 0.01 for containment and key tests, PostgreSQL's DEFAULT_MATCHING_SEL.
    let idx = Indexes::default();
    for s in [
        r#"{"t": {"array_contains": ["a"]}}"#,
        r#"{"t": {"array_contained_by": ["a", "b"]}}"#,
        r#"{"t": {"array_overlaps": ["a"]}}"#,
        r#"{"o": {"contains": {"a": 1}}}"#,
        r#"{"o": {"contained_by": {"a": 1, "b": 2}}}"#,
        r#"{"o": {"has_key": "a"}}"#,
        r#"{"o": {"has_any_keys": ["a", "b"]}}"#,
        r#"{"o": {"has_all_keys": ["a", "b"]}}"#,
    ] {
        let est = spec(s).selectivity(&idx, None, &mut |_| None, &TestHost);
        assert!((est - 0.01).abs() < 1e-12, "{s}: {est}");
    }
}

#[test]
fn cost_grows_with_the_spec() {
    let one = spec(r#"{"a": {"eq": 1}}"#).cost_units();
    let two = spec(r#"{"a": {"eq": 1}, "b": {"eq": 2}}"#).cost_units();
    let regex = spec(r#"{"a": {"matches": "x"}}"#).cost_units();
    let quant = spec(r#"{"p": {"any": {"a": {"eq": 1}, "b": {"eq": 2}}}}"#).cost_units();
    assert!(one < two && two < regex && two < quant, "{one} {two} {regex} {quant}");
}

/// A data key the where-spec parser reads as a connective or an operator cannot be
/// written as an equalities spec: the planner support keeps the containment then.
#[test]
fn equalities_specs_that_read_otherwise_do_not_match() {
    let mut idx = btree();
    idx.gin = Some(GinOps::Paths);
    let s = spec(r#"{"configName": {"eq": "c1"}, "_Not": {"eq": 1}}"#);
    let eq = s.equivalent(&idx).unwrap();
    let Some(Derived::Equalities { doc, spec: text }) = eq.last() else { panic!("{eq:?}") };
    assert_eq!(doc, r#"{"_not": 1}"#);
    let b = jsonb::encode(text).unwrap();
    let keep_keys = Options { convert_keys: false };
    let sub = Spec::parse_typed(jsonb::root(&b).unwrap(), &Default::default(), keep_keys, &TestHost).unwrap();
    assert!(!super::equalities_match(&sub, doc), "{text} is read as NOT, not as the key _not");
    let ok = spec(r#"{"configName": {"eq": "c1"}, "machine": {"name": {"eq": "m"}}}"#).equivalent(&idx).unwrap();
    let Some(Derived::Equalities { doc, spec: text }) = ok.last() else { panic!("{ok:?}") };
    let b = jsonb::encode(text).unwrap();
    let sub = Spec::parse_typed(jsonb::root(&b).unwrap(), &Default::default(), keep_keys, &TestHost).unwrap();
    assert!(super::equalities_match(&sub, doc));
}
