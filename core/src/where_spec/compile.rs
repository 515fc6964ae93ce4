//! `Node` tree → SQL boolean expression: the logical structure here, each operator's SQL
//! in its family module under [`super::ops`]. Mirrors `eval.rs` rule for rule.
//!
//! The SQL uses built-in operators and functions, plus the extension's own typed readers
//! (`fraiseql_as_<type>()`) for hinted and typed-family operators and `fraiseql_test()`
//! for the ltree operators, always schema-qualified, so it runs whatever the caller's
//! `search_path`. Every key and operand reaches the text through `quote_literal`; the
//! column through `quote_ident`.
//!
//! Polarity: where only truth matters (not under `NOT`), false and unknown select the
//! same rows, so an AND of equalities can become one `@>` containment that a GIN
//! `jsonb_path_ops` index serves, and an `in` list of strings a `->>` comparison that a
//! btree on `(data->>'k')` serves. Under `NOT` the exact three-valued forms are emitted.

use super::containment::Containment;
use super::ops::sqltext::{guard, pg_op, SqlCtx};
use super::{CompareTest, Json, Node, Op, Quant};
use crate::jsonb::Value;
use crate::sql::quote_literal;

pub(super) fn compile(node: &Node, column: &str, helpers: &str) -> String {
    let mut c = Compiler { depth: 0, ctx: SqlCtx { helpers: helpers.to_string() } };
    c.node(node, column, true)
}

struct Compiler {
    depth: usize,
    ctx: SqlCtx,
}

fn path_expr(scope: &str, path: &[String]) -> String {
    let mut s = scope.to_string();
    for k in path {
        s.push_str(" OPERATOR(pg_catalog.->) ");
        s.push_str(&quote_literal(k));
    }
    if path.is_empty() {
        s
    } else {
        format!("({s})")
    }
}

/// An `in` list of strings that `->>` text can only match as strings
/// (`super::index::text_only_operand`), as `(data->…->>'k') = ANY (ARRAY[…])`: where only
/// truth matters it selects the same rows as the typed form, and a btree index on the
/// `->>` expression serves it.
fn text_in(scope: &str, path: &[String], op: &Op) -> Option<String> {
    let (Op::Compare(CompareTest::In(list)), Some((last, parent))) = (op, path.split_last()) else { return None };
    if list.is_empty() {
        return None;
    }
    let mut lits = Vec::with_capacity(list.len());
    for j in list {
        crate::guard::interrupts();
        lits.push(quote_literal(super::index::text_only_operand(j)?));
    }
    Some(format!(
        "(({} {} {}) {} ANY (ARRAY[{}]::pg_catalog.text[]))",
        path_expr(scope, parent),
        pg_op("->>"),
        quote_literal(last),
        pg_op("="),
        lits.join(", ")
    ))
}

fn mergeable(node: &Node) -> Option<(&[String], &Json)> {
    match node {
        Node::Cond { path, op: Op::Compare(CompareTest::Eq(j)) } if !path.is_empty() => {
            matches!(j.value(), Value::String(_) | Value::Number(_) | Value::Bool(_)).then_some((path.as_slice(), j))
        }
        _ => None,
    }
}

impl Compiler {
    /// Recursion follows the spec tree, at most `parse::MAX_DEPTH` levels.
    fn node(&mut self, node: &Node, scope: &str, positive: bool) -> String {
        crate::guard::stack();
        match node {
            // On the column itself, NULL where it is (as the STRICT call is); inside a
            // quantifier the scope is an element, never NULL.
            Node::True if self.depth == 0 => format!("({scope} IS NOT NULL)"),
            Node::True => "true".to_string(),
            Node::And(parts) => {
                let mut out = Vec::new();
                let mut rest: Vec<&Node> = Vec::new();
                if positive {
                    let mut merged = Containment::empty();
                    let mut any = false;
                    for p in parts {
                        match mergeable(p) {
                            Some((path, j)) if merged.insert(path, j.text()) => any = true,
                            _ => rest.push(p),
                        }
                    }
                    if any {
                        let doc = merged.text();
                        out.push(format!("{scope} {} {}::pg_catalog.jsonb", pg_op("@>"), quote_literal(&doc)));
                    }
                } else {
                    rest.extend(parts.iter());
                }
                for p in rest {
                    out.push(self.node(p, scope, positive));
                }
                format!("({})", out.join(" AND "))
            }
            Node::Or(parts) => {
                let out: Vec<String> = parts.iter().map(|p| self.node(p, scope, positive)).collect();
                format!("({})", out.join(" OR "))
            }
            Node::Not(inner) => format!("(NOT {})", self.node(inner, scope, !positive)),
            Node::Cond { path, op } => {
                if positive {
                    if let Some((path, j)) = mergeable(node) {
                        let mut m = Containment::empty();
                        m.insert(path, j.text());
                        let doc = m.text();
                        return format!("{scope} {} {}::pg_catalog.jsonb", pg_op("@>"), quote_literal(&doc));
                    }
                    if let Some(sql) = text_in(scope, path, op) {
                        return sql;
                    }
                }
                let sql = super::ops::sql(op, &path_expr(scope, path), &self.ctx, positive);
                if matches!(op, Op::Compare(CompareTest::IsNull(_))) && self.depth == 0 {
                    // `isnull` is never unknown on a document, so on a NULL column it
                    // would be true or false where the STRICT call is NULL.
                    return format!("CASE WHEN {scope} IS NOT NULL THEN {sql} END");
                }
                sql
            }
            Node::Quant { path, kind, inner } => {
                let v = path_expr(scope, path);
                self.depth += 1;
                let alias = format!("fq{}", self.depth);
                let elem = format!("{alias}.e");
                // Only truth matters inside EXISTS and under COALESCE(…, false).
                let body = self.node(inner, &elem, true);
                self.depth -= 1;
                let from = format!("SELECT 1 FROM pg_catalog.jsonb_array_elements({v}) AS {alias}(e)");
                let test = match kind {
                    Quant::Any => format!("EXISTS ({from} WHERE {body})"),
                    Quant::None => format!("NOT EXISTS ({from} WHERE {body})"),
                    Quant::All => format!("NOT EXISTS ({from} WHERE NOT COALESCE({body}, false))"),
                };
                guard(&v, "array", &test)
            }
        }
    }
}
