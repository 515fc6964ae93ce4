//! The declaration list holds every operator to its promises: each one parses its
//! example under every spelling, evaluates, compiles, has a regression case, and appears
//! in the documentation exactly as declared.

use super::super::{Options, Spec};
use super::{docs_tables, lookup, normalize, OPERATORS};
use crate::jsonb;
use crate::testutil::TestHost;
use std::path::Path;

fn spec(text: &str) -> Spec {
    let bytes = jsonb::encode(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    Spec::parse(jsonb::root(&bytes).unwrap(), Options::default(), &TestHost).unwrap_or_else(|e| panic!("{text}: {e}"))
}

const ROWS: &[&str] = &[
    r#"{"f": "edge"}"#,
    r#"{"f": 10}"#,
    r#"{"f": ["t1", "t2"]}"#,
    r#"{"f": {"city": "Paris", "rack": 4}}"#,
    r#"{"f": [{"likes": 7, "published": true}]}"#,
    r#"{"f": "10.1.2.3"}"#,
    r#"{"f": "top.science.astronomy"}"#,
    r#"{"f": "[2026-01-01,2026-02-01)"}"#,
    r#"{"f": "the quick brown fox"}"#,
    r#"{"f": null}"#,
    r#"{}"#,
];

#[test]
fn every_operator_parses_evaluates_and_compiles_under_every_spelling() {
    for d in OPERATORS {
        let mut spellings = vec![d.name.to_string(), d.name.to_uppercase()];
        spellings.extend(d.aliases.iter().map(|a| a.to_string()));
        for name in spellings {
            assert!(std::ptr::eq(lookup(&name).expect("declared"), d), "{name} finds {}", d.name);
            let s = spec(&format!(r#"{{"f": {{"{name}": {}}}}}"#, d.example));
            let sql = s.to_sql("data");
            assert!(sql.contains("data") && !sql.is_empty(), "{name}: {sql}");
            for row in ROWS {
                let bytes = jsonb::encode(row).unwrap();
                s.truth(jsonb::root(&bytes).unwrap(), &TestHost).unwrap_or_else(|e| panic!("{name} on {row}: {e}"));
            }
        }
    }
}

#[test]
fn names_are_unique_after_normalisation() {
    let mut seen = std::collections::HashSet::new();
    for d in OPERATORS {
        for n in std::iter::once(&d.name).chain(d.aliases.iter()) {
            assert!(seen.insert(normalize(n)), "{n} is declared twice");
        }
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the repository holds core/")
}

#[test]
fn every_operator_has_a_regression_case() {
    let dir = repo().join("pgrx-tests/sql");
    let mut scripts = String::new();
    for entry in std::fs::read_dir(&dir).expect("pgrx-tests/sql") {
        scripts.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let scripts = normalize(&scripts);
    let missing: Vec<&str> =
        OPERATORS.iter().map(|d| d.name).filter(|n| !scripts.contains(&format!("\"{}\"", normalize(n)))).collect();
    assert!(missing.is_empty(), "operators without a case in pgrx-tests/sql: {missing:?}");
}

const BEGIN: &str = "<!-- operators: generated from core/src/where_spec/ops/mod.rs -->\n";
const END: &str = "<!-- operators: end -->\n";

/// `FRAISEQL_BLESS_DOCS=1 cargo test -p fraiseql-core docs` rewrites the tables.
#[test]
fn docs_tables_match_the_declarations() {
    let path = repo().join("docs/where.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (a, b) = (doc.find(BEGIN).expect("begin marker"), doc.find(END).expect("end marker"));
    let current = &doc[a + BEGIN.len()..b];
    let want = docs_tables();
    if current != want && std::env::var_os("FRAISEQL_BLESS_DOCS").is_some() {
        std::fs::write(&path, format!("{}{BEGIN}{want}{}", &doc[..a], &doc[b..])).unwrap();
        return;
    }
    assert_eq!(
        current, want,
        "docs/where.md is out of date: run FRAISEQL_BLESS_DOCS=1 cargo test -p fraiseql-core docs"
    );
}

#[test]
fn spellings_compare_as_their_normalized_forms() {
    let words = [
        "eq",
        "EQ",
        "e_q",
        "_eq_",
        "startsWith",
        "starts_with",
        "STARTSWITH",
        "startswit",
        "İeq",
        "i̇eq",
        "ß",
        "SS",
        "é",
        "É",
        "",
    ];
    for a in words {
        for b in words {
            assert_eq!(super::same_name(a, b), normalize(a) == normalize(b), "{a:?} {b:?}");
        }
    }
}
