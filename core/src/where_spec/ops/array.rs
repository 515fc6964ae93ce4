//! Array operators: containment, overlap, length, and element equality.

use super::sqltext::{guard, jsonb_lit, pg_op};
use super::Ctx;
use crate::jsonb::{Container, Corrupt, Value};
use crate::where_spec::{Cmp, Json, LenCmp, Node, Op, SpecError, Truth};

/// The array family's tests of an array value.
#[derive(Clone, Debug)]
pub(crate) enum ArrayTest {
    /// `@>` (operand an array, or a scalar wrapped in one).
    Contains(Json),
    ContainedBy(Json),
    /// Some operand element is an element of the array (each stored wrapped as `[x]`).
    Overlaps(Vec<Json>),
    Len(LenCmp, i64),
    /// Some element equals the scalar (stored wrapped as `[x]`).
    AnyEq(Json),
    AllEq(Json),
}

pub(super) fn contains(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    match c.v {
        Value::Array(_) => c.cond(Op::Array(ArrayTest::Contains(c.json(&c.v)?))),
        Value::Object(_) => Err(c.want("an array or a scalar", &c.v)),
        _ => c.cond(Op::Array(ArrayTest::Contains(c.json(&c.v)?.wrapped()))),
    }
}
pub(super) fn contained_by(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    match c.v {
        Value::Array(_) => c.cond(Op::Array(ArrayTest::ContainedBy(c.json(&c.v)?))),
        _ => Err(c.want("an array", &c.v)),
    }
}
pub(super) fn overlaps(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Array(ArrayTest::Overlaps(c.list()?.iter().map(|j| j.wrapped()).collect())))
}
fn len(c: &Ctx<'_, '_>, cmp: LenCmp) -> Result<Node, SpecError> {
    c.cond(Op::Array(ArrayTest::Len(cmp, c.count()?)))
}
pub(super) fn len_eq(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    len(c, LenCmp::Eq)
}
pub(super) fn len_neq(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    len(c, LenCmp::Neq)
}
pub(super) fn len_gt(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    len(c, LenCmp::Ord(Cmp::Gt))
}
pub(super) fn len_gte(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    len(c, LenCmp::Ord(Cmp::Gte))
}
pub(super) fn len_lt(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    len(c, LenCmp::Ord(Cmp::Lt))
}
pub(super) fn len_lte(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    len(c, LenCmp::Ord(Cmp::Lte))
}
pub(super) fn any_eq(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Array(ArrayTest::AnyEq(c.scalar()?.wrapped())))
}
pub(super) fn all_eq(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Array(ArrayTest::AllEq(c.scalar()?)))
}

impl LenCmp {
    pub(in crate::where_spec) fn holds(self, a: i64, b: i64) -> bool {
        match self {
            LenCmp::Eq => a == b,
            LenCmp::Neq => a != b,
            LenCmp::Ord(c) => c.holds(a.cmp(&b)),
        }
    }

    pub(in crate::where_spec) fn sql(self) -> &'static str {
        match self {
            LenCmp::Eq => "=",
            LenCmp::Neq => "<>",
            LenCmp::Ord(c) => c.sql(),
        }
    }
}

pub(super) fn test(t: &ArrayTest, v: &Value<'_>) -> Result<Truth, Corrupt> {
    let Value::Array(items) = v else { return Ok(None) };
    Ok(Some(match t {
        ArrayTest::Contains(o) | ArrayTest::AnyEq(o) => v.contains(&o.value())?,
        ArrayTest::ContainedBy(o) => o.value().contains(v)?,
        ArrayTest::Overlaps(list) => {
            let mut hit = false;
            for x in list {
                crate::guard::interrupts();
                if v.contains(&x.value())? {
                    hit = true;
                    break;
                }
            }
            hit
        }
        ArrayTest::Len(c, n) => c.holds(items.len() as i64, *n),
        ArrayTest::AllEq(o) => all_equal(items, &o.value())?,
    }))
}

fn all_equal(items: &Container<'_>, o: &Value<'_>) -> Result<bool, Corrupt> {
    for e in items.elements() {
        crate::guard::interrupts();
        if !e?.json_eq(o)? {
            return Ok(false);
        }
    }
    Ok(true)
}

pub(super) fn sql(t: &ArrayTest, v: &str) -> String {
    let body = match t {
        ArrayTest::Contains(j) | ArrayTest::AnyEq(j) => format!("{v} {} {}", pg_op("@>"), jsonb_lit(j)),
        ArrayTest::ContainedBy(j) => format!("{v} {} {}", pg_op("<@"), jsonb_lit(j)),
        ArrayTest::Overlaps(list) if list.is_empty() => "false".to_string(),
        ArrayTest::Overlaps(list) => {
            let parts: Vec<String> = list.iter().map(|j| format!("{v} {} {}", pg_op("@>"), jsonb_lit(j))).collect();
            format!("({})", parts.join(" OR "))
        }
        ArrayTest::Len(c, n) => format!("pg_catalog.jsonb_array_length({v}) {} {n}", pg_op(c.sql())),
        ArrayTest::AllEq(j) => format!(
            "NOT EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements({v}) AS fqa(e) WHERE fqa.e {} {})",
            pg_op("<>"),
            jsonb_lit(j)
        ),
    };
    guard(v, "array", &body)
}
