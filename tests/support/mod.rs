//! Shared helpers for the pgrx-free tests.
#![allow(dead_code)]

use fraiseql_core::jsonb;
use fraiseql_core::where_spec::{Host, Options, Spec, SpecError};

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
}

pub fn parse(spec: &str) -> Result<Spec, SpecError> {
    Spec::parse_text(spec, Options::default(), &TestHost)
}

/// Indices of the documents the spec selects.
pub fn select(spec: &str, docs: &[&str]) -> Vec<usize> {
    let spec = parse(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
    docs.iter()
        .enumerate()
        .filter(|(_, d)| {
            let bytes = jsonb::encode(d).unwrap();
            spec.matches(jsonb::root(&bytes).unwrap(), &TestHost).unwrap()
        })
        .map(|(i, _)| i)
        .collect()
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
