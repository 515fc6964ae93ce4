//! Array operators: containment, overlap, length, and element equality.

use super::super::compile::{guard, jsonb_lit, pg_op};
use super::super::{Cmp, LenCmp, Node, Op, SpecError, Truth};
use super::Ctx;
use crate::jsonb::{Container, Corrupt, Value};

pub(super) fn contains(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    match c.v {
        Value::Array(_) => c.cond(Op::ArrayContains(c.json(&c.v)?)),
        Value::Object(_) => Err(c.want("an array or a scalar", &c.v)),
        _ => c.cond(Op::ArrayContains(c.json(&c.v)?.wrapped())),
    }
}
pub(super) fn contained_by(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    match c.v {
        Value::Array(_) => c.cond(Op::ArrayContainedBy(c.json(&c.v)?)),
        _ => Err(c.want("an array", &c.v)),
    }
}
pub(super) fn overlaps(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::ArrayOverlaps(c.list()?.iter().map(|j| j.wrapped()).collect()))
}
fn len(c: &Ctx<'_, '_>, cmp: LenCmp) -> Result<Node, SpecError> {
    c.cond(Op::Len(cmp, c.count()?))
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
    c.cond(Op::AnyEq(c.scalar()?.wrapped()))
}
pub(super) fn all_eq(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::AllEq(c.scalar()?))
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

pub(super) fn test(op: &Op, v: &Value<'_>) -> Result<Truth, Corrupt> {
    let Value::Array(items) = v else { return Ok(None) };
    Ok(Some(match op {
        Op::ArrayContains(o) | Op::AnyEq(o) => v.contains(&o.value())?,
        Op::ArrayContainedBy(o) => o.value().contains(v)?,
        Op::ArrayOverlaps(list) => {
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
        Op::Len(c, n) => c.holds(items.len() as i64, *n),
        Op::AllEq(o) => all_equal(items, &o.value())?,
        _ => unreachable!("not an array operator"),
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

pub(super) fn sql(op: &Op, v: &str) -> String {
    let body = match op {
        Op::ArrayContains(j) | Op::AnyEq(j) => format!("{v} {} {}", pg_op("@>"), jsonb_lit(j)),
        Op::ArrayContainedBy(j) => format!("{v} {} {}", pg_op("<@"), jsonb_lit(j)),
        Op::ArrayOverlaps(list) if list.is_empty() => "false".to_string(),
        Op::ArrayOverlaps(list) => {
            let parts: Vec<String> = list.iter().map(|j| format!("{v} {} {}", pg_op("@>"), jsonb_lit(j))).collect();
            format!("({})", parts.join(" OR "))
        }
        Op::Len(c, n) => format!("pg_catalog.jsonb_array_length({v}) {} {n}", pg_op(c.sql())),
        Op::AllEq(j) => format!(
            "NOT EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements({v}) AS fqa(e) WHERE fqa.e {} {})",
            pg_op("<>"),
            jsonb_lit(j)
        ),
        _ => unreachable!("not an array operator"),
    };
    guard(v, "array", &body)
}
