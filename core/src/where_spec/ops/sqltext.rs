//! The SQL-text pieces every family's `sql` and the logical compiler (`compile.rs`) use:
//! qualified operators, JSON literals, type guards and the typed readers' calls. A leaf:
//! it depends on nothing of the where-spec but `Json` and `TypeName`.

use super::super::typed::TypeName;
use super::super::Json;
use crate::sql::quote_literal;

/// What an operator's SQL needs besides its operand: where the helper functions live.
pub(in crate::where_spec) struct SqlCtx {
    /// Schema prefix (`"public".`) for the extension's helper functions.
    pub(in crate::where_spec) helpers: String,
}

impl SqlCtx {
    /// `fraiseql_as_<type>(v)`: the value read as a type, NULL when it is not one.
    pub(in crate::where_spec) fn as_type(&self, ty: TypeName, v: &str) -> String {
        format!("{}fraiseql_as_{}({v})", self.helpers, ty.name())
    }
}

/// `OPERATOR(pg_catalog.<o>)`. The compiled SQL runs under the caller's `search_path`,
/// where an operator of the same name with a closer-matching signature (pg_catalog often
/// has only polymorphic ones, `anyrange @> anyelement`) or a path that puts another
/// schema before pg_catalog would otherwise be chosen; qualified, only the built-in one
/// can be. Types and functions are qualified for the same reason.
pub(in crate::where_spec) fn pg_op(o: &str) -> String {
    format!("OPERATOR(pg_catalog.{o})")
}

/// The text of a JSON string value: `v #>> '{}'`.
pub(in crate::where_spec) fn text_of(v: &str) -> String {
    format!("({v} {} '{{}}'::pg_catalog.text[])", pg_op("#>>"))
}

pub(in crate::where_spec) fn jsonb_lit(j: &Json) -> String {
    format!("{}::pg_catalog.jsonb", quote_literal(j.text()))
}

/// `CASE WHEN jsonb_typeof(v) = ty THEN expr END`: unknown for values of other types.
pub(in crate::where_spec) fn guard(v: &str, ty: &str, expr: &str) -> String {
    format!("CASE WHEN pg_catalog.jsonb_typeof({v}) OPERATOR(pg_catalog.=) '{ty}' THEN {expr} END")
}
