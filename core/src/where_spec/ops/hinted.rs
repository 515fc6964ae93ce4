//! `eq`, `neq`, `gt`…`lte`, `in` and `nin` on a field with a type hint: the value and
//! the operands are read as the type and compared with its ordering.

use super::errors::err;
use super::sqltext::{pg_op, SqlCtx};
use super::Ctx;
use crate::jsonb::Value;
use crate::where_spec::typed::{TypeName, Typed};
use crate::where_spec::{Cmp, Node, Op, SpecError, Truth};
use std::cmp::Ordering;

/// Comparisons of the value read as a type.
#[derive(Clone, Debug)]
pub(crate) enum TypedTest {
    Cmp { ty: TypeName, cmp: TCmp, operand: Typed },
    In { ty: TypeName, list: Vec<Typed>, negate: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TCmp {
    Eq,
    Neq,
    Order(Cmp),
}

fn cmp(c: &Ctx<'_, '_>, ty: TypeName, cmp: TCmp) -> Result<Node, SpecError> {
    if matches!(cmp, TCmp::Order(_)) && !ty.ordered() {
        return Err(err(
            c.path,
            format!("{} is not defined for {} values", c.key, ty.name()),
            Some(format!("{} values support eq, neq, in, nin and their own operators.", ty.name())),
        ));
    }
    c.cond(Op::Typed(TypedTest::Cmp { ty, cmp, operand: c.typed(ty)? }))
}
pub(super) fn eq(c: &Ctx<'_, '_>, ty: TypeName) -> Result<Node, SpecError> {
    cmp(c, ty, TCmp::Eq)
}
pub(super) fn neq(c: &Ctx<'_, '_>, ty: TypeName) -> Result<Node, SpecError> {
    cmp(c, ty, TCmp::Neq)
}
pub(super) fn gt(c: &Ctx<'_, '_>, ty: TypeName) -> Result<Node, SpecError> {
    cmp(c, ty, TCmp::Order(Cmp::Gt))
}
pub(super) fn gte(c: &Ctx<'_, '_>, ty: TypeName) -> Result<Node, SpecError> {
    cmp(c, ty, TCmp::Order(Cmp::Gte))
}
pub(super) fn lt(c: &Ctx<'_, '_>, ty: TypeName) -> Result<Node, SpecError> {
    cmp(c, ty, TCmp::Order(Cmp::Lt))
}
pub(super) fn lte(c: &Ctx<'_, '_>, ty: TypeName) -> Result<Node, SpecError> {
    cmp(c, ty, TCmp::Order(Cmp::Lte))
}

fn list(c: &Ctx<'_, '_>, ty: TypeName, negate: bool) -> Result<Node, SpecError> {
    let list = c.each("a list", |item, here| c.typed_at(ty, &item, here))?;
    c.cond(Op::Typed(TypedTest::In { ty, list, negate }))
}
pub(super) fn in_(c: &Ctx<'_, '_>, ty: TypeName) -> Result<Node, SpecError> {
    list(c, ty, false)
}
pub(super) fn nin(c: &Ctx<'_, '_>, ty: TypeName) -> Result<Node, SpecError> {
    list(c, ty, true)
}

/// The value read as `ty`, compared with a typed operand. JSON numbers under a numeric
/// hint are compared where they lie instead of being re-encoded for every row.
fn compare(ty: TypeName, v: &Value<'_>, operand: &Typed) -> Option<Ordering> {
    if let (TypeName::Numeric, Value::Number(n), Typed::Numeric(o)) = (ty, v, operand) {
        return Some(n.compare(&crate::jsonb::Numeric::from_varlena(o).ok()?));
    }
    Typed::from_json(ty, v).and_then(|t| t.cmp_same(operand))
}

pub(super) fn test(t: &TypedTest, v: &Value<'_>) -> Truth {
    match t {
        TypedTest::Cmp { ty, cmp, operand } => compare(*ty, v, operand).map(|o| match cmp {
            TCmp::Eq => o == Ordering::Equal,
            TCmp::Neq => o != Ordering::Equal,
            TCmp::Order(c) => c.holds(o),
        }),
        TypedTest::In { ty, list, negate } => match (ty, v) {
            // A JSON number under a numeric hint is compared in place.
            (TypeName::Numeric, Value::Number(_)) => {
                Some(list.iter().any(|x| compare(*ty, v, x) == Some(Ordering::Equal)) != *negate)
            }
            _ => {
                Typed::from_json(*ty, v).map(|t| list.iter().any(|x| t.cmp_same(x) == Some(Ordering::Equal)) != *negate)
            }
        },
    }
}

pub(super) fn sql(t: &TypedTest, v: &str, c: &SqlCtx) -> String {
    match t {
        TypedTest::Cmp { ty, cmp, operand } => {
            let operator = match cmp {
                TCmp::Eq => "=",
                TCmp::Neq => "<>",
                TCmp::Order(c) => c.sql(),
            };
            format!("({} {} {})", c.as_type(*ty, v), pg_op(operator), operand.sql_literal(*ty))
        }
        TypedTest::In { ty, list, negate } => {
            let x = c.as_type(*ty, v);
            let test = if list.is_empty() {
                format!("CASE WHEN {x} IS NOT NULL THEN false END")
            } else {
                let lits: Vec<String> = list.iter().map(|t| t.sql_literal(*ty)).collect();
                format!("{x} {} ANY (ARRAY[{}])", pg_op("="), lits.join(", "))
            };
            if *negate {
                format!("(NOT {test})")
            } else {
                format!("({test})")
            }
        }
    }
}
