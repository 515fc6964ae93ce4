//! `#[pg_test]`s: the SQL surface exercised inside a real PostgreSQL 15 backend.
//! One module per feature.

mod apq;
mod camel_case;
mod execute;
mod hardening;
mod shape;
mod where_spec;

/// The one value `sql` returns, as text (None for SQL NULL); a failing statement fails
/// the test with the statement.
fn one(sql: &str) -> Option<String> {
    pgrx::Spi::get_one::<String>(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
}
