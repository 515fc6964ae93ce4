//! Which rewrite replaces a call of `fraiseql_where` on a table's column when the
//! planner simplifies it (`SupportRequestSimplify`), and the NULL conditions that allow
//! each. The extension reads the catalogs and builds the plan nodes ([`RewriteHost`]);
//! the choice is made here, in this order:
//!
//! 1. On a column no index serves, the spec's `->>` text form
//!    (`Spec::top_level_text_form`), or nothing.
//! 2. The spec's equivalent native form (`Spec::equivalent`), with no recheck, unless it
//!    is a lone containment (left to the GIN index condition, which keeps the spec's own
//!    row estimate) or one of its conditions cannot be built.
//! 3. The index-served conditions implied by the spec (`Spec::planner_clauses`, those
//!    that can be built) next to the call, which stays as the exact recheck.
//! 4. With none of those and no GIN index, the text form; else nothing (a GIN index
//!    keeps its index condition for the call).
//!
//! A replacement must have the call's value wherever the expression appears. The call
//! is STRICT: NULL on a NULL column. Containment is NULL there too (`null_faithful`),
//! but btree conditions and the text form (`IS TRUE`) are false, so those replace the
//! call only where the column is never NULL in the query: declared `NOT NULL` in the
//! relation and in every inheritance child and partition (a plain inheritance child may
//! drop a parent's `NOT NULL`; a foreign table does not enforce one), not on the
//! nullable side of an outer join, and not in a grouping set's row where it is not
//! grouped. A condition next to the recheck needs no such care: it is false only where
//! the call is false, and NULL only where the call is false or NULL.

use super::{null_faithful, Derived, Indexes};
use crate::where_spec::Spec;

/// What the planner knows about NULLs of the column in the query being planned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColumnNulls {
    /// The relation declares the column `NOT NULL`.
    pub declared_not_null: bool,
    /// The relation has (or had) inheritance children or partitions.
    pub has_children: bool,
    /// The query has grouping sets.
    pub grouping_sets: bool,
    /// The query has a join other than an inner join.
    pub outer_joins: bool,
}

/// What the extension provides to [`rewrite`]: a catalog read made only when the choice
/// depends on it, and the plan nodes.
pub trait RewriteHost {
    type Node;
    /// Whether every inheritance child and partition of the relation declares the
    /// column `NOT NULL` and enforces it. Asked only of a relation that declares it and
    /// has children.
    fn children_not_null(&mut self) -> bool;
    /// The node of one derived condition over the column and its indexes; `None` when
    /// it cannot be built (an operator family lacks the strategy, a value does not read).
    fn build(&mut self, d: &Derived) -> Option<Self::Node>;
    /// The node `(<conditions>) IS TRUE`, the conditions' keys being the `->>` text of
    /// the top-level `keys` (key `i` is `data->>keys[i]`); `None` when it cannot be built.
    fn text_form(&mut self, keys: &[String], conditions: &[Derived]) -> Option<Self::Node>;
}

/// What replaces a call.
#[derive(Debug, PartialEq, Eq)]
pub enum Rewrite<N> {
    /// Nothing: the call stays as it is.
    Keep,
    /// The conjunction of these conditions, with no recheck.
    Equivalent(Vec<N>),
    /// The `->>` text form.
    TextForm(N),
    /// These conditions, then the call as the recheck.
    Recheck(Vec<N>),
}

/// The rewrite of a call of `spec` on a column with the indexes `idx` (see the module
/// documentation for the order and the conditions).
pub fn rewrite<H: RewriteHost>(spec: &Spec, idx: &Indexes, nulls: ColumnNulls, host: &mut H) -> Rewrite<H::Node> {
    let declared = nulls.declared_not_null && (!nulls.has_children || host.children_not_null());
    let never_null = declared && !nulls.grouping_sets && !nulls.outer_joins;
    let text_form = |host: &mut H| {
        let form = never_null.then(|| spec.top_level_text_form()).flatten();
        form.and_then(|(keys, conditions)| host.text_form(&keys, &conditions)).map_or(Rewrite::Keep, Rewrite::TextForm)
    };
    if idx.keys.is_empty() && idx.gin.is_none() {
        return text_form(host);
    }
    if let Some(native) = spec.equivalent(idx) {
        let lone_containment = matches!(native.as_slice(), [Derived::Contains(_)]);
        if !lone_containment && (never_null || null_faithful(&native)) {
            if let Some(built) = native.iter().map(|d| host.build(d)).collect::<Option<Vec<_>>>() {
                return Rewrite::Equivalent(built);
            }
        }
    }
    let clauses: Vec<H::Node> = spec.planner_clauses(idx).iter().filter_map(|d| host.build(d)).collect();
    if !clauses.is_empty() {
        Rewrite::Recheck(clauses)
    } else if idx.gin.is_none() {
        text_form(host)
    } else {
        Rewrite::Keep
    }
}
