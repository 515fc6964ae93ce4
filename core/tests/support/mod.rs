//! Shared helpers for the pgrx-free tests.
#![allow(dead_code)]

use fraiseql_core::jsonb;
use fraiseql_core::where_spec::{FtsKind, Host, Options, Spec, SpecError};

/// Stands in for the database in tests that run without one: Rust's Unicode lowering
/// and the `regex` crate (which agrees with PostgreSQL's regex dialect on the simple
/// patterns these tests use). The in-database tests use the server's own functions.
pub struct TestHost;

impl Host for TestHost {
    fn lower(&self, s: &str) -> String {
        s.to_lowercase()
    }
    fn regex_check(&self, pattern: &str, ci: bool) -> Result<(), String> {
        regex::RegexBuilder::new(pattern).case_insensitive(ci).build().map(|_| ()).map_err(|e| e.to_string())
    }
    fn regex_match(&self, text: &str, pattern: &str, ci: bool) -> bool {
        regex::RegexBuilder::new(pattern).case_insensitive(ci).build().expect("checked").is_match(text)
    }
    /// Only the `simple` configuration: every query word must appear as a word.
    fn fts_check(&self, config: &str, _kind: FtsKind, _query: &str) -> Result<(), String> {
        if config == "simple" {
            Ok(())
        } else {
            Err(format!("text search configuration \"{config}\" does not exist"))
        }
    }
    fn fts_match(&self, _config: &str, _kind: FtsKind, query: &str, text: &str) -> bool {
        let words: Vec<String> = text.split(|c: char| !c.is_alphanumeric()).map(str::to_lowercase).collect();
        query.split_whitespace().all(|q| words.contains(&q.to_lowercase()))
    }
}

/// As `select`, with type hints.
pub fn select_typed(spec: &str, types: &str, docs: &[&str]) -> Vec<usize> {
    let tbytes = jsonb::encode(types).unwrap();
    let hints = Spec::parse_types(jsonb::root(&tbytes).unwrap(), Options::default()).unwrap();
    let sbytes = jsonb::encode(spec).unwrap();
    let spec = Spec::parse_typed(jsonb::root(&sbytes).unwrap(), &hints, Options::default(), &TestHost)
        .unwrap_or_else(|e| panic!("{spec}: {e}"));
    docs.iter()
        .enumerate()
        .filter(|(_, d)| {
            let bytes = jsonb::encode(d).unwrap();
            spec.matches(jsonb::root(&bytes).unwrap(), &TestHost).unwrap()
        })
        .map(|(i, _)| i)
        .collect()
}

pub fn parse(spec: &str) -> Result<Spec, SpecError> {
    Spec::parse_text(spec, Options::default(), &TestHost)
}

/// Indices of the documents the spec selects.
pub fn select(spec: &str, docs: &[&str]) -> Vec<usize> {
    select_typed(spec, "{}", docs)
}

/// The parse error of a spec that must be rejected.
pub fn reject(spec: &str) -> SpecError {
    match parse(spec) {
        Ok(s) => panic!("{spec} should be rejected, parsed as {s:?}"),
        Err(e) => {
            assert!(e.hint.is_some(), "{spec}: rejection without a hint: {e}");
            e
        }
    }
}

/// The error of a spec or type map that must be rejected.
pub fn reject_typed(spec: &str, types: &str) -> SpecError {
    let tbytes = jsonb::encode(types).unwrap();
    let result = Spec::parse_types(jsonb::root(&tbytes).unwrap(), Options::default()).and_then(|hints| {
        let sbytes = jsonb::encode(spec).unwrap();
        Spec::parse_typed(jsonb::root(&sbytes).unwrap(), &hints, Options::default(), &TestHost)
    });
    match result {
        Ok(s) => panic!("{spec} / {types} should be rejected, parsed as {s:?}"),
        Err(e) => {
            assert!(e.hint.is_some(), "{spec}: rejection without a hint: {e}");
            e
        }
    }
}
