//! Per-row evaluation over the jsonb bytes in place. Mirrors `compile.rs` rule for rule;
//! each function says which SQL it corresponds to.

use super::typed::{TypeName, Typed};
use super::{Host, Json, LenCmp, LtreeTest, NetClass, NetTest, Node, Op, Quant, RangeRel, RangeTest, TCmp, Truth};
use crate::jsonb::{Corrupt, Value};
use std::cmp::Ordering;

/// The value at `path`, or `None` when a key is missing, an intermediate value is not an
/// object, or the value is JSON null (SQL `->` chains give NULL in all these cases).
fn resolve<'a>(mut v: Value<'a>, path: &[String]) -> Result<Option<Value<'a>>, Corrupt> {
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
        Node::Cond { path, op } => match op {
            Op::IsNull(want) => Some(resolve(scope, path)?.is_none() == *want),
            op => match resolve(scope, path)? {
                None => None,
                Some(v) => test(op, v, host)?,
            },
        },
        Node::Quant { path, kind, inner } => match resolve(scope, path)? {
            Some(Value::Array(items)) => {
                // EXISTS / NOT EXISTS: two-valued over the elements.
                let mut found = false;
                for e in items.elements() {
                    crate::guard::interrupts();
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

/// The value read as `ty`, compared with a typed operand. JSON numbers under a numeric
/// hint are compared where they lie instead of being re-encoded for every row.
fn typed_cmp(ty: TypeName, v: &Value<'_>, operand: &Typed) -> Option<Ordering> {
    if let (TypeName::Numeric, Value::Number(n), Typed::Numeric(o)) = (ty, v, operand) {
        return Some(n.compare(&crate::jsonb::Numeric::from_varlena(o).ok()?));
    }
    Typed::from_json(ty, v).and_then(|t| t.cmp_same(operand))
}

/// Same JSON type as the operand and equal (numbers by value): SQL `CASE WHEN
/// jsonb_typeof(v) = <type> THEN v = operand END`.
fn eq(v: &Value<'_>, operand: &Json) -> Result<Truth, Corrupt> {
    let o = operand.value();
    if v.type_name() != o.type_name() {
        return Ok(None);
    }
    Ok(Some(v.json_eq(&o)?))
}

fn string<'a>(v: &Value<'a>) -> Result<Option<&'a str>, Corrupt> {
    v.as_str().transpose()
}

fn test(op: &Op, v: Value<'_>, host: &dyn Host) -> Result<Truth, Corrupt> {
    Ok(match op {
        Op::Eq(o) => eq(&v, o)?,
        Op::Neq(o) => eq(&v, o)?.map(|b| !b),
        Op::Order(cmp, o) => {
            let o = o.value();
            match (&v, &o) {
                (Value::Number(a), Value::Number(b)) => Some(cmp.holds(a.compare(b))),
                (Value::String(a), Value::String(b)) => Some(cmp.holds(a.cmp(b))),
                (Value::Bool(a), Value::Bool(b)) => Some(cmp.holds(a.cmp(b))),
                _ => None,
            }
        }
        Op::In(list) => in_list(&v, list)?,
        Op::Nin(list) => in_list(&v, list)?.map(|b| !b),
        Op::IsNull(_) => unreachable!("handled before the value is resolved"),
        Op::Like { prepared, ci, negate, .. } => {
            string(&v)?.map(|s| if *ci { prepared.matches(&host.lower(s)) } else { prepared.matches(s) } != *negate)
        }
        Op::Regex { pattern, ci, negate } => string(&v)?.map(|s| host.regex_match(s, pattern, *ci) != *negate),
        Op::ArrayContains(o) => array(&v, |_| v.contains(&o.value()))?,
        Op::ArrayContainedBy(o) => array(&v, |_| o.value().contains(&v))?,
        Op::ArrayOverlaps(list) => array(&v, |_| {
            for x in list {
                crate::guard::interrupts();
                if v.contains(&x.value())? {
                    return Ok(true);
                }
            }
            Ok(false)
        })?,
        Op::Len(c, n) => array(&v, |items| {
            let len = items.len() as i64;
            Ok(match c {
                LenCmp::Eq => len == *n,
                LenCmp::Neq => len != *n,
                LenCmp::Ord(c) => c.holds(len.cmp(n)),
            })
        })?,
        Op::AnyEq(wrapped) => array(&v, |_| v.contains(&wrapped.value()))?,
        Op::AllEq(o) => array(&v, |items| {
            let o = o.value();
            for e in items.elements() {
                if !e?.json_eq(&o)? {
                    return Ok(false);
                }
            }
            Ok(true)
        })?,
        Op::TypedCmp { ty, cmp, operand } => typed_cmp(*ty, &v, operand).map(|o| match cmp {
            TCmp::Eq => o == Ordering::Equal,
            TCmp::Neq => o != Ordering::Equal,
            TCmp::Order(c) => c.holds(o),
        }),
        Op::TypedIn { ty, list, negate } => match (ty, &v) {
            // A JSON number under a numeric hint is compared in place.
            (TypeName::Numeric, Value::Number(_)) => {
                Some(list.iter().any(|x| typed_cmp(*ty, &v, x) == Some(Ordering::Equal)) != *negate)
            }
            _ => Typed::from_json(*ty, &v)
                .map(|t| list.iter().any(|x| t.cmp_same(x) == Some(Ordering::Equal)) != *negate),
        },
        Op::Net(test) => match Typed::from_json(TypeName::Inet, &v) {
            Some(Typed::Inet(a)) => Some(match test {
                NetTest::Subnet(n) => a.within(n),
                NetTest::InRange(from, to) => a.cmp_pg(from) != Ordering::Less && a.cmp_pg(to) != Ordering::Greater,
                NetTest::Class(c, want) => {
                    let is = match c {
                        NetClass::Private => a.is_private(),
                        NetClass::Public => !a.is_private(),
                        NetClass::Ipv4 => a.family == 4,
                        NetClass::Ipv6 => a.family == 6,
                        NetClass::Loopback => a.is_loopback(),
                        NetClass::LinkLocal => a.is_link_local(),
                        NetClass::Multicast => a.is_multicast(),
                        NetClass::Documentation => a.is_documentation(),
                        NetClass::CarrierGrade => a.is_carrier_grade(),
                    };
                    is == *want
                }
            }),
            _ => None,
        },
        Op::Range(test) => match Typed::from_json(TypeName::Daterange, &v) {
            Some(Typed::Range(r)) => Some(match test {
                RangeTest::ContainsDate(d) => r.contains_date(*d),
                RangeTest::Rel(rel, o) => match rel {
                    RangeRel::Overlaps => r.overlaps(o),
                    RangeRel::Adjacent => r.adjacent(o),
                    RangeRel::StrictlyLeft => r.strictly_left(o),
                    RangeRel::StrictlyRight => r.strictly_right(o),
                    RangeRel::NotLeft => r.not_left(o),
                    RangeRel::NotRight => r.not_right(o),
                },
            }),
            _ => None,
        },
        Op::Ltree(test, _) => match Typed::from_json(TypeName::Ltree, &v) {
            Some(Typed::Ltree(labels)) => Some(match test {
                LtreeTest::AncestorOf(p) => p.starts_with(&labels),
                LtreeTest::DescendantOf(p) => labels.starts_with(p),
                LtreeTest::Lquery(q) => q.matches(&labels),
                LtreeTest::AnyLquery(qs) => qs.iter().any(|q| q.matches(&labels)),
                LtreeTest::Ltxtquery(q) => q.matches(&labels),
                LtreeTest::Depth(c, n) => {
                    let d = labels.len() as i64;
                    match c {
                        LenCmp::Eq => d == *n,
                        LenCmp::Neq => d != *n,
                        LenCmp::Ord(c) => c.holds(d.cmp(n)),
                    }
                }
            }),
            _ => None,
        },
        Op::Fts { kind, config, query } => string(&v)?.map(|s| host.fts_match(config, *kind, query, s)),
        Op::HasKey(k) => object(&v, |c| Ok(c.get(k.as_bytes())?.is_some()))?,
        Op::HasAnyKeys(keys) => object(&v, |c| {
            for k in keys {
                crate::guard::interrupts();
                crate::guard::interrupts();
                if c.get(k.as_bytes())?.is_some() {
                    return Ok(true);
                }
            }
            Ok(false)
        })?,
        Op::HasAllKeys(keys) => object(&v, |c| {
            for k in keys {
                if c.get(k.as_bytes())?.is_none() {
                    return Ok(false);
                }
            }
            Ok(true)
        })?,
        Op::ObjContains(o) => object(&v, |_| v.contains(&o.value()))?,
        Op::ObjContainedBy(o) => object(&v, |_| o.value().contains(&v))?,
    })
}

/// An OR of `eq` over the list: SQL `CASE jsonb_typeof(v) WHEN <type> THEN v = ANY(...)`
/// for each operand type present, unknown for other types, false for an empty list.
fn in_list(v: &Value<'_>, list: &[Json]) -> Result<Truth, Corrupt> {
    if list.is_empty() {
        return Ok(Some(false));
    }
    let mut acc = None;
    for o in list {
        crate::guard::interrupts();
        match eq(v, o)? {
            Some(true) => return Ok(Some(true)),
            Some(false) => acc = Some(false),
            None => {}
        }
    }
    Ok(acc)
}

fn array(
    v: &Value<'_>,
    f: impl FnOnce(&crate::jsonb::Container<'_>) -> Result<bool, Corrupt>,
) -> Result<Truth, Corrupt> {
    match v {
        Value::Array(c) => f(c).map(Some),
        _ => Ok(None),
    }
}

fn object(
    v: &Value<'_>,
    f: impl FnOnce(&crate::jsonb::Container<'_>) -> Result<bool, Corrupt>,
) -> Result<Truth, Corrupt> {
    match v {
        Value::Object(c) => f(c).map(Some),
        _ => Ok(None),
    }
}
