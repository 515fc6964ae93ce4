//! Per-row evaluation over the jsonb bytes in place: the logical structure (AND, OR,
//! NOT, quantifiers, paths) here, each operator's test in its family module under
//! [`super::ops`]. Mirrors `compile.rs` rule for rule.

use super::{CompareTest, Host, Node, Op, Quant, Truth};
use crate::jsonb::{Corrupt, Value};

/// The value at `path`, or `None` when a key is missing, an intermediate value is not an
/// object, or the value is JSON null (SQL `->` chains give NULL in all these cases).
pub(super) fn resolve<'a>(mut v: Value<'a>, path: &[String]) -> Result<Option<Value<'a>>, Corrupt> {
    for key in path {
        match v {
            Value::Object(c) => match c.get(key.as_bytes())? {
                Some(next) => v = next,
                None => return Ok(None),
            },
            _ => return Ok(None),
        }
    }
    Ok(match v {
        Value::Null => None,
        v => Some(v),
    })
}

fn and(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn or(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Recursion follows the spec tree, at most `parse::MAX_DEPTH` levels.
pub(super) fn eval(node: &Node, scope: Value<'_>, host: &dyn Host) -> Result<Truth, Corrupt> {
    crate::guard::stack();
    Ok(match node {
        Node::True => Some(true),
        Node::And(parts) => {
            let mut acc = Some(true);
            for p in parts {
                acc = and(acc, eval(p, scope, host)?);
                if acc == Some(false) {
                    break;
                }
            }
            acc
        }
        Node::Or(parts) => {
            let mut acc = Some(false);
            for p in parts {
                acc = or(acc, eval(p, scope, host)?);
                if acc == Some(true) {
                    break;
                }
            }
            acc
        }
        Node::Not(inner) => eval(inner, scope, host)?.map(|b| !b),
        Node::Cond { path, op } => match resolve(scope, path)? {
            Some(v) => super::ops::test(op, v, host)?,
            // Missing or JSON null: unknown to every test but `isnull`, never unknown.
            None => match op {
                Op::Compare(CompareTest::IsNull(want)) => Some(*want),
                _ => None,
            },
        },
        Node::Quant { path, kind, inner } => match resolve(scope, path)? {
            Some(Value::Array(items)) => {
                // EXISTS / NOT EXISTS: two-valued over the elements.
                let mut found = false;
                for e in items.elements() {
                    crate::guard::interrupts();
                    let e = e?;
                    let t = eval(inner, e, host)?;
                    let hit = match kind {
                        Quant::All => t != Some(true),
                        Quant::Any | Quant::None => t == Some(true),
                    };
                    if hit {
                        found = true;
                        break;
                    }
                }
                Some(match kind {
                    Quant::Any => found,
                    Quant::All | Quant::None => !found,
                })
            }
            _ => None,
        },
    })
}
