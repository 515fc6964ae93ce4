//! `#[pg_test]`s: the SQL surface exercised inside a real PostgreSQL 15 backend.
//! One module per feature.

mod apq;
mod camel_case;
mod execute;
mod hardening;
mod shape;
mod where_spec;
