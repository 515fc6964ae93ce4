//! Object operators: key existence and containment. `contains` is shared with the
//! string and array families and picks its meaning from the operand's type.

use super::super::compile::{guard, jsonb_lit, pg_op};
use super::super::{Node, Op, SpecError, Truth};
use super::{array, text, Ctx};
use crate::jsonb::{Corrupt, Value};
use crate::sql::quote_literal;

/// `contains`: substring for a string, `@>` for an object or an array.
pub(super) fn contains(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    match c.v {
        Value::String(_) => text::substring(c),
        Value::Object(_) => c.cond(Op::ObjContains(c.json(&c.v)?)),
        Value::Array(_) => array::contains(c),
        _ => Err(c.want("a string (substring), an object or an array (containment)", &c.v)),
    }
}
pub(super) fn contained_by(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    match c.v {
        Value::Object(_) => c.cond(Op::ObjContainedBy(c.json(&c.v)?)),
        Value::Array(_) => array::contained_by(c),
        _ => Err(c.want("an object or an array", &c.v)),
    }
}
pub(super) fn has_key(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::HasKey(c.string()?))
}
pub(super) fn has_any_keys(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::HasAnyKeys(c.strings()?))
}
pub(super) fn has_all_keys(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::HasAllKeys(c.strings()?))
}

pub(super) fn test(op: &Op, v: &Value<'_>) -> Result<Truth, Corrupt> {
    let Value::Object(o) = v else { return Ok(None) };
    let has = |k: &String| -> Result<bool, Corrupt> {
        crate::guard::interrupts();
        Ok(o.get(k.as_bytes())?.is_some())
    };
    Ok(Some(match op {
        Op::HasKey(k) => has(k)?,
        Op::HasAnyKeys(keys) => {
            let mut any = false;
            for k in keys {
                if has(k)? {
                    any = true;
                    break;
                }
            }
            any
        }
        Op::HasAllKeys(keys) => {
            let mut all = true;
            for k in keys {
                if !has(k)? {
                    all = false;
                    break;
                }
            }
            all
        }
        Op::ObjContains(j) => v.contains(&j.value())?,
        Op::ObjContainedBy(j) => j.value().contains(v)?,
        _ => unreachable!("not an object operator"),
    }))
}

fn text_array(items: &[String]) -> String {
    let lits: Vec<String> = items.iter().map(|s| quote_literal(s)).collect();
    format!("ARRAY[{}]::pg_catalog.text[]", lits.join(", "))
}

pub(super) fn sql(op: &Op, v: &str) -> String {
    let body = match op {
        Op::HasKey(k) => format!("{v} {} {}::pg_catalog.text", pg_op("?"), quote_literal(k)),
        Op::HasAnyKeys(keys) => format!("{v} {} {}", pg_op("?|"), text_array(keys)),
        Op::HasAllKeys(keys) => format!("{v} {} {}", pg_op("?&"), text_array(keys)),
        Op::ObjContains(j) => format!("{v} {} {}", pg_op("@>"), jsonb_lit(j)),
        Op::ObjContainedBy(j) => format!("{v} {} {}", pg_op("<@"), jsonb_lit(j)),
        _ => unreachable!("not an object operator"),
    };
    guard(v, "object", &body)
}
