//! What the tests of the core and of the extension share: a [`Host`] that stands in for
//! the database, and a small deterministic pseudo-random generator. Compiled for the
//! core's own unit tests and, behind the `testutil` feature, for its integration tests
//! (`core/tests/`, which enable it through the core's dev-dependency on itself) and the
//! extension's `#[pg_test]`s (its `pg_test` feature enables it). Never in a release build.

use crate::where_spec::{FtsKind, Host};

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
    /// A pattern `regex_check` refused matches nothing.
    fn regex_match(&self, text: &str, pattern: &str, ci: bool) -> bool {
        regex::RegexBuilder::new(pattern).case_insensitive(ci).build().is_ok_and(|r| r.is_match(text))
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

/// xorshift64: the same sequence on every run from the same seed (non-zero), so that a
/// randomized test that fails fails again.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform enough in `0..n` for test inputs (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// True about `percent` times in 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}
