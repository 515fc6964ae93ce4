//! Object operators: key existence and containment. `contains` is shared with the
//! string and array families and picks its meaning from the operand's type.

use super::sqltext::{guard, jsonb_lit, pg_op};
use super::{array, text, Ctx};
use crate::jsonb::{Corrupt, Value};
use crate::sql::quote_literal;
use crate::where_spec::{Json, Node, Op, SpecError, Truth};

/// The object family's tests of an object value.
#[derive(Clone, Debug)]
pub(crate) enum ObjectTest {
    HasKey(String),
    HasAnyKeys(Vec<String>),
    HasAllKeys(Vec<String>),
    /// `@>` / `<@`.
    Contains(Json),
    ContainedBy(Json),
}

/// `contains`: substring for a string, `@>` for an object or an array.
pub(super) fn contains(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    match c.v {
        Value::String(_) => text::substring(c),
        Value::Object(_) => c.cond(Op::Object(ObjectTest::Contains(c.json(&c.v)?))),
        Value::Array(_) => array::contains(c),
        _ => Err(c.want("a string (substring), an object or an array (containment)", &c.v)),
    }
}
pub(super) fn contained_by(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    match c.v {
        Value::Object(_) => c.cond(Op::Object(ObjectTest::ContainedBy(c.json(&c.v)?))),
        Value::Array(_) => array::contained_by(c),
        _ => Err(c.want("an object or an array", &c.v)),
    }
}
pub(super) fn has_key(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Object(ObjectTest::HasKey(c.string()?)))
}
pub(super) fn has_any_keys(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Object(ObjectTest::HasAnyKeys(c.strings()?)))
}
pub(super) fn has_all_keys(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Object(ObjectTest::HasAllKeys(c.strings()?)))
}

pub(super) fn test(t: &ObjectTest, v: &Value<'_>) -> Result<Truth, Corrupt> {
    let Value::Object(o) = v else { return Ok(None) };
    let has = |k: &String| -> Result<bool, Corrupt> {
        crate::guard::interrupts();
        Ok(o.get(k.as_bytes())?.is_some())
    };
    Ok(Some(match t {
        ObjectTest::HasKey(k) => has(k)?,
        ObjectTest::HasAnyKeys(keys) => {
            let mut any = false;
            for k in keys {
                if has(k)? {
                    any = true;
                    break;
                }
            }
            any
        }
        ObjectTest::HasAllKeys(keys) => {
            let mut all = true;
            for k in keys {
                if !has(k)? {
                    all = false;
                    break;
                }
            }
            all
        }
        ObjectTest::Contains(j) => v.contains(&j.value())?,
        ObjectTest::ContainedBy(j) => j.value().contains(v)?,
    }))
}

fn text_array(items: &[String]) -> String {
    let lits: Vec<String> = items.iter().map(|s| quote_literal(s)).collect();
    format!("ARRAY[{}]::pg_catalog.text[]", lits.join(", "))
}

pub(super) fn sql(t: &ObjectTest, v: &str) -> String {
    let body = match t {
        ObjectTest::HasKey(k) => format!("{v} {} {}::pg_catalog.text", pg_op("?"), quote_literal(k)),
        ObjectTest::HasAnyKeys(keys) => format!("{v} {} {}", pg_op("?|"), text_array(keys)),
        ObjectTest::HasAllKeys(keys) => format!("{v} {} {}", pg_op("?&"), text_array(keys)),
        ObjectTest::Contains(j) => format!("{v} {} {}", pg_op("@>"), jsonb_lit(j)),
        ObjectTest::ContainedBy(j) => format!("{v} {} {}", pg_op("<@"), jsonb_lit(j)),
    };
    guard(v, "object", &body)
}
