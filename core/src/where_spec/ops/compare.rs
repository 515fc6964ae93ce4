//! `eq`, `neq`, `gt`…`lte`, `in`, `nin`, `isnull`: comparisons of JSON values.

use super::sqltext::{guard, jsonb_lit, pg_op, text_of};
use super::Ctx;
use crate::jsonb::{Corrupt, Value};
use crate::sql::quote_literal;
use crate::where_spec::{Cmp, Json, Node, Op, SpecError, Truth};

/// The comparison family's tests of a JSON value.
#[derive(Clone, Debug)]
pub(crate) enum CompareTest {
    /// Same JSON type and equal (numbers by value).
    Eq(Json),
    Neq(Json),
    Order(Cmp, Json),
    /// Equal to one of the values (an OR of `Eq`).
    In(Vec<Json>),
    Nin(Vec<Json>),
    IsNull(bool),
}

pub(super) fn eq(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Compare(CompareTest::Eq(c.json(&c.v)?)))
}
pub(super) fn neq(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Compare(CompareTest::Neq(c.json(&c.v)?)))
}
fn order(c: &Ctx<'_, '_>, cmp: Cmp) -> Result<Node, SpecError> {
    c.cond(Op::Compare(CompareTest::Order(cmp, c.scalar()?)))
}
pub(super) fn gt(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    order(c, Cmp::Gt)
}
pub(super) fn gte(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    order(c, Cmp::Gte)
}
pub(super) fn lt(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    order(c, Cmp::Lt)
}
pub(super) fn lte(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    order(c, Cmp::Lte)
}
pub(super) fn in_(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Compare(CompareTest::In(c.list()?)))
}
pub(super) fn nin(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Compare(CompareTest::Nin(c.list()?)))
}
pub(super) fn isnull(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Compare(CompareTest::IsNull(c.boolean()?)))
}

/// Same JSON type as the operand and equal (numbers by value): SQL `CASE WHEN
/// jsonb_typeof(v) = <type> THEN v = operand END`.
pub(in crate::where_spec) fn json_eq(v: &Value<'_>, operand: &Json) -> Result<Truth, Corrupt> {
    let o = operand.value();
    if v.type_name() != o.type_name() {
        return Ok(None);
    }
    Ok(Some(v.json_eq(&o)?))
}

/// An OR of `eq` over the list: unknown when no operand has `v`'s type, false for an
/// empty list.
fn in_list(v: &Value<'_>, list: &[Json]) -> Result<Truth, Corrupt> {
    if list.is_empty() {
        return Ok(Some(false));
    }
    let mut acc = None;
    for o in list {
        crate::guard::interrupts();
        match json_eq(v, o)? {
            Some(true) => return Ok(Some(true)),
            Some(false) => acc = Some(false),
            None => {}
        }
    }
    Ok(acc)
}

pub(super) fn test(t: &CompareTest, v: &Value<'_>) -> Result<Truth, Corrupt> {
    Ok(match t {
        CompareTest::Eq(o) => json_eq(v, o)?,
        CompareTest::Neq(o) => json_eq(v, o)?.map(|b| !b),
        CompareTest::Order(cmp, o) => match (v, &o.value()) {
            (Value::Number(a), Value::Number(b)) => Some(cmp.holds(a.compare(b))),
            (Value::String(a), Value::String(b)) => Some(cmp.holds(a.cmp(b))),
            (Value::Bool(a), Value::Bool(b)) => Some(cmp.holds(a.cmp(b))),
            _ => None,
        },
        CompareTest::In(list) => in_list(v, list)?,
        CompareTest::Nin(list) => in_list(v, list)?.map(|b| !b),
        // The value is present and not null here; `eval` answers for a missing one.
        CompareTest::IsNull(want) => Some(!want),
    })
}

/// The JSON text of a scalar operand as SQL of its own type: (JSON type, `v` as that
/// type, the operand as that type).
fn typed_scalar(v: &str, j: &Json) -> (&'static str, String, String) {
    match j.value() {
        Value::String(_) => {
            let s = j.value().as_str().expect("string").expect("utf-8");
            ("string", text_of(v), quote_literal(s))
        }
        Value::Number(n) => (
            "number",
            format!("({v})::pg_catalog.numeric"),
            format!("{}::pg_catalog.numeric", quote_literal(&n.to_text())),
        ),
        Value::Bool(b) => ("boolean", format!("({v})::pg_catalog.bool"), b.to_string()),
        _ => unreachable!("scalars only"),
    }
}

fn eq_exact(v: &str, j: &Json) -> String {
    guard(v, j.value().type_name(), &format!("{v} {} {}", pg_op("="), jsonb_lit(j)))
}

/// One `= ANY` branch per JSON type present in the list; other types stay unknown.
fn in_sql(v: &str, list: &[Json]) -> String {
    if list.is_empty() {
        return format!("CASE WHEN pg_catalog.jsonb_typeof({v}) {} 'null' THEN false END", pg_op("<>"));
    }
    let mut branches: Vec<(&'static str, Vec<String>)> = Vec::new();
    for j in list {
        crate::guard::interrupts();
        let ty = j.value().type_name();
        let lit = jsonb_lit(j);
        match branches.iter_mut().find(|(t, _)| *t == ty) {
            Some((_, lits)) => lits.push(lit),
            None => branches.push((ty, vec![lit])),
        }
    }
    let mut s = String::from("CASE");
    for (ty, lits) in branches {
        s.push_str(&format!(
            " WHEN pg_catalog.jsonb_typeof({v}) {eq} '{ty}' THEN {v} {eq} ANY (ARRAY[{}])",
            lits.join(", "),
            eq = pg_op("=")
        ));
    }
    s.push_str(" END");
    s
}

pub(super) fn sql(t: &CompareTest, v: &str, positive: bool) -> String {
    match t {
        CompareTest::Eq(j) if positive => format!("{v} {} {}", pg_op("="), jsonb_lit(j)),
        CompareTest::Eq(j) => eq_exact(v, j),
        CompareTest::Neq(j) => format!("(NOT {})", eq_exact(v, j)),
        CompareTest::Order(cmp, j) => {
            let (ty, lhs, rhs) = typed_scalar(v, j);
            let collate = if ty == "string" { " COLLATE pg_catalog.\"C\"" } else { "" };
            guard(v, ty, &format!("{lhs}{collate} {} {rhs}", pg_op(cmp.sql())))
        }
        CompareTest::In(list) => in_sql(v, list),
        CompareTest::Nin(list) => format!("(NOT {})", in_sql(v, list)),
        CompareTest::IsNull(true) => format!("(coalesce(pg_catalog.jsonb_typeof({v}), 'null') {} 'null')", pg_op("=")),
        CompareTest::IsNull(false) => {
            format!("(coalesce(pg_catalog.jsonb_typeof({v}), 'null') {} 'null')", pg_op("<>"))
        }
    }
}
