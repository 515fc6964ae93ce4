//! Shared helpers for the pgrx-free tests.
#![allow(dead_code)]

use fraiseql_core::jsonb;
pub use fraiseql_core::testutil::TestHost;
use fraiseql_core::where_spec::{Options, Spec, SpecError};

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
