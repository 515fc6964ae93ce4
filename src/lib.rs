//! The SQL surface of fraiseql: every `#[pg_extern]` the extension exposes, each a thin
//! conversion between SQL types and the pgrx-free logic in `fraiseql-core`.
//!
//! Glue that needs PostgreSQL internals lives in its own modules next to this file;
//! nothing here decides semantics.

use pgrx::prelude::*;

/// Declares `pg_finfo_<name>()`, which tells the server that the C function `<name>`
/// uses the version-1 calling convention. The V1 functions of this crate (declared in
/// `sql/*.sql`) take their arguments from `fcinfo` themselves: see `pg.rs` for why.
macro_rules! v1_info {
    ($finfo:ident) => {
        #[no_mangle]
        pub extern "C" fn $finfo() -> &'static ::pgrx::pg_sys::Pg_finfo_record {
            const V1: ::pgrx::pg_sys::Pg_finfo_record = ::pgrx::pg_sys::Pg_finfo_record { api_version: 1 };
            &V1
        }
    };
}

mod apq_fns;
mod pg;
mod shape_fns;

::pgrx::pg_module_magic!(name, version);

// fraiseql_where(data, spec, convert_keys) and fraiseql_where_sql(spec, column_name,
// convert_keys): V1 functions over raw jsonb, see src/pg.rs and docs/where.md.
extension_sql_file!("../sql/where.sql", name = "where_functions");

// fraiseql_types, fraiseql_shape, fraiseql_shape_agg, fraiseql_response, fraiseql_query:
// response shaping, see src/shape_fns.rs and docs/shape.md.
extension_sql_file!("../sql/shape.sql", name = "shape_functions", requires = ["where_functions"]);

/// Registers the `fraiseql.*` settings and, when the library is preloaded, the shared
/// memory of the persisted-query counters.
#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    pg::install_guards();
    pg::define_gucs();
    apq_fns::init();
}

// Persisted queries: the table, fraiseql_apq_register/lookup/request/evict and the
// statistics views, see src/apq_fns.rs and docs/apq.md.
extension_sql_file!(
    "../sql/apq.sql",
    name = "apq",
    requires = ["shape_functions", fraiseql_apq_counters, fraiseql_apq_totals]
);

/// snake_case → camelCase with the rule GraphQL responses use (see `docs/camel_case.md`).
#[pg_extern(immutable, strict, parallel_safe)]
fn fraiseql_camel_case(key: &str) -> String {
    fraiseql_core::camel_case(key).into_owned()
}

/// The in-database tests live in the top-level `pgrx-tests/` directory; they are compiled
/// into the extension only for `cargo pgrx test`.
#[cfg(any(test, feature = "pg_test"))]
#[path = "../pgrx-tests/mod.rs"]
mod pgrx_tests;

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}
