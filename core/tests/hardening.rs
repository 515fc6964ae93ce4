//! Hostile inputs that once crashed or stalled a backend: each must now finish quickly
//! with an answer or an error, on a default 2 MB test thread stack (a server backend's
//! recursion would overflow long before PostgreSQL's own limits if any of these paths
//! recursed per input element).

mod support;

use fraiseql_core::graphql;
use fraiseql_core::jsonb::{self, Value};
use fraiseql_core::shape::{self, Schema, MAX_PLAN_FIELDS};
use fraiseql_core::testutil::Rng;
use fraiseql_core::where_spec::ltree::{Lquery, Ltxtquery, MAX_LEVELS};
use support::select;

fn path(n: usize, label: &str) -> Vec<String> {
    vec![label.to_string(); n]
}

#[test]
fn ltxtquery_nesting_is_bounded_and_chains_do_not_recurse() {
    let parens = format!("{}a{}", "(".repeat(15_000), ")".repeat(15_000));
    let e = Ltxtquery::parse(&parens).unwrap_err();
    assert!(e.contains("nested more than"), "{e}");
    let nots = format!("{}a", "!".repeat(15_000));
    assert!(Ltxtquery::parse(&nots).unwrap_err().contains("nested more than"));
    // 15,000 alternatives are one level: parsed, matched and dropped without recursion.
    let chain = vec!["x"; 15_000].join(" | ") + " | a";
    let q = Ltxtquery::parse(&chain).unwrap();
    assert!(q.matches(&path(3, "a")));
    let chain = vec!["a"; 15_000].join(" & ");
    assert!(Ltxtquery::parse(&chain).unwrap().matches(&path(1, "a")));
    // Nesting up to the limit works.
    let ok = format!("{}a{}", "(".repeat(200), ")".repeat(200));
    assert!(Ltxtquery::parse(&ok).unwrap().matches(&path(1, "a")));
}

#[test]
fn lquery_is_linear_in_memory_and_handles_the_largest_values() {
    // 20,000 levels against 20,000 labels: 4e8 cell table before, O(labels) now.
    let n = 20_000;
    let q = Lquery::parse(&vec!["a"; n].join(".")).unwrap();
    assert!(q.matches(&path(n, "a")));
    assert!(!q.matches(&path(n - 1, "a")));
    let stars = Lquery::parse(&(vec!["*"; 200].join(".") + ".b")).unwrap();
    assert!(!stars.matches(&path(n, "a")));
    let mut p = path(n, "a");
    p.push("b".into());
    assert!(stars.matches(&p));
    let too_many = vec!["a"; MAX_LEVELS + 1].join(".");
    assert!(Lquery::parse(&too_many).unwrap_err().contains("levels"));
    assert!(Lquery::parse("a{70000}").is_err());
}

/// A backtracking reference matcher, exponential but obviously right on small inputs.
fn reference(levels: &[(Option<&str>, bool, usize, usize)], labels: &[&str]) -> bool {
    let Some(((text, neg, lo, hi), rest)) = levels.split_first() else { return labels.is_empty() };
    let mut count = 0;
    loop {
        if count >= *lo && reference(rest, &labels[count..]) {
            return true;
        }
        if count == *hi || count == labels.len() {
            return false;
        }
        let ok = match text {
            None => true,
            Some(t) => (labels[count] == *t) != *neg,
        };
        if !ok {
            return false;
        }
        count += 1;
    }
}

#[test]
fn lquery_agrees_with_a_backtracking_reference() {
    // Deterministic pseudo-random small cases.
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut rnd = |n: usize| r.below(n);
    let words = ["a", "b", "c"];
    for _ in 0..5_000 {
        let nl = rnd(6);
        let labels: Vec<&str> = (0..nl).map(|_| words[rnd(3)]).collect();
        let nq = 1 + rnd(4);
        let mut levels = Vec::new();
        let mut text = Vec::new();
        for _ in 0..nq {
            let (t, neg) = match rnd(3) {
                0 => (None, false),
                1 => (Some(words[rnd(3)]), false),
                _ => (Some(words[rnd(3)]), true),
            };
            let (lo, hi, q) = match rnd(4) {
                0 if t.is_none() => (0, usize::MAX, String::new()),
                0 => (1, 1, String::new()),
                1 => {
                    let n = rnd(3);
                    (n, n, format!("{{{n}}}"))
                }
                2 => {
                    let lo = rnd(2);
                    (lo, usize::MAX, format!("{{{lo},}}"))
                }
                _ => {
                    let lo = rnd(2);
                    let hi = lo + rnd(3);
                    (lo, hi, format!("{{{lo},{hi}}}"))
                }
            };
            let (lo, hi) = if t.is_some() && q.is_empty() { (1, 1) } else { (lo, hi) };
            let head = match t {
                None => "*".to_string(),
                Some(w) if neg => format!("!{w}"),
                Some(w) => w.to_string(),
            };
            text.push(format!("{head}{q}"));
            levels.push((t, neg, lo, hi));
        }
        let q = text.join(".");
        let owned: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        let got = Lquery::parse(&q).unwrap().matches(&owned);
        assert_eq!(got, reference(&levels, &labels), "lquery {q} on {labels:?}");
    }
}

/// `[[[…[true]…]]]` nested `depth` times, as PostgreSQL lays it out.
fn deep_array(depth: usize) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&(1u32 | 0x4000_0000).to_ne_bytes());
    b.extend_from_slice(&0x3000_0000u32.to_ne_bytes());
    for _ in 1..depth {
        let mut outer = Vec::with_capacity(b.len() + 8);
        outer.extend_from_slice(&(1u32 | 0x4000_0000).to_ne_bytes());
        outer.extend_from_slice(&(0x5000_0000u32 | b.len() as u32).to_ne_bytes());
        outer.extend_from_slice(&b);
        b = outer;
    }
    b
}

#[test]
fn printing_and_shaping_deep_stored_documents_do_not_recurse() {
    let depth = 100_000;
    let inner = deep_array(depth);
    let v = jsonb::root(&inner).unwrap();
    let text = v.to_text().unwrap();
    assert_eq!(text.len(), 2 * depth + 4);
    assert!(text.starts_with("[[[") && text.contains("[true]"));

    // {"a": <deep>}: key "a", three bytes of padding, then the container.
    let mut doc = Vec::new();
    doc.extend_from_slice(&(1u32 | 0x2000_0000).to_ne_bytes());
    doc.extend_from_slice(&1u32.to_ne_bytes());
    doc.extend_from_slice(&(0x5000_0000u32 | (inner.len() as u32 + 3)).to_ne_bytes());
    doc.extend_from_slice(b"a\0\0\0");
    doc.extend_from_slice(&inner);
    let row = jsonb::root(&doc).unwrap();
    assert!(matches!(row, Value::Object(_)));
    for sel in ["{ a }", "{ a { b } }"] {
        let plan = shape::compile(sel, None, &Schema::default()).unwrap();
        let mut out = String::new();
        plan.shape(row, &mut out).unwrap();
        assert_eq!(out.len(), "{\"a\":}".len() + text.len() - 2 * depth + 2 * depth, "{sel}");
    }
}

#[test]
fn fragment_fan_out_is_linear_and_cycles_are_named() {
    // F0 spreads F1 twice, F1 spreads F2 twice, … 26 levels: 2^26 expansions before.
    let n = 26;
    let mut doc = String::from("{ ...F0 }\n");
    for i in 0..n {
        doc.push_str(&format!("fragment F{i} on T {{ f{i} ...F{} ...F{} }}\n", i + 1, i + 1));
    }
    doc.push_str(&format!("fragment F{n} on T {{ last }}\n"));
    let mut schema = Schema::default();
    let fields = jsonb::encode("{}").unwrap();
    schema.add_type("T", jsonb::root(&fields).unwrap()).unwrap();
    // Fragments chained 27 deep stay within the 64-level selection limit.
    let plan = shape::compile(&doc, Some("T"), &schema).unwrap();
    let row = jsonb::encode(r#"{"f0": 1, "last": 2}"#).unwrap();
    let mut out = String::new();
    plan.shape(jsonb::root(&row).unwrap(), &mut out).unwrap();
    assert!(out.starts_with(r#"{"f0":1,"f1":null"#) && out.ends_with(r#""last":2}"#), "{out}");

    let cyc = "{ ...A } fragment A on T { x ...B } fragment B on T { y { ...C } } fragment C on T { ...A }";
    let e = shape::compile(cyc, Some("T"), &schema).unwrap_err();
    assert_eq!(e.message, "fragment cycle: A → B → C → A");

    // Aliases doubling a sub-selection at every level: bounded by the plan size limit.
    let mut doc = String::from("{ ...G0 }\n");
    for i in 0..30 {
        doc.push_str(&format!("fragment G{i} on T {{ a: x {{ ...G{} }} b: x {{ ...G{} }} }}\n", i + 1, i + 1));
    }
    doc.push_str("fragment G30 on T { leaf }\n");
    let mut schema2 = Schema::default();
    let fields = jsonb::encode(r#"{"x": "T"}"#).unwrap();
    schema2.add_type("T", jsonb::root(&fields).unwrap()).unwrap();
    let e = shape::compile(&doc, Some("T"), &schema2).unwrap_err();
    assert!(e.message.contains(&format!("more than {MAX_PLAN_FIELDS} fields")), "{}", e.message);
}

#[test]
fn deep_documents_are_syntax_errors() {
    let q = format!("{}{}", "{ a ".repeat(50_000), "}".repeat(50_000));
    assert!(graphql::parse(&q).is_err());
}

#[test]
fn long_like_patterns_terminate() {
    // `%a%a%…b` over "aaaa…": the classic quadratic case, 2,000 × 20,000 steps.
    let pattern = "%a".repeat(1_000) + "%b";
    let text = "a".repeat(20_000);
    let spec = format!(r#"{{"s": {{"like": "{pattern}"}}}}"#);
    let doc = format!(r#"{{"s": "{text}"}}"#);
    assert_eq!(select(&spec, &[&doc]), Vec::<usize>::new());
}
