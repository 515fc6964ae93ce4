//! `any`, `all`, `none`: a where-spec (or, for arrays of scalars, operators) tested
//! against each element of an array. They build a `Node::Quant` rather than an `Op`;
//! `eval` and `compile` walk it like the logical nodes.

use super::Ctx;
use crate::jsonb::Value;
use crate::where_spec::{Node, Quant, SpecError};

fn quant(c: &Ctx<'_, '_>, kind: Quant) -> Result<Node, SpecError> {
    let Value::Object(_) = c.v else {
        return Err(c.want("an object: a where-spec for each element, or operators for scalar elements", &c.v));
    };
    let inner = c.parser.element_spec(c.v, c.path, c.field)?;
    Ok(Node::Quant { path: c.field.to_vec(), kind, inner: Box::new(inner) })
}
pub(super) fn any(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    quant(c, Quant::Any)
}
pub(super) fn all(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    quant(c, Quant::All)
}
pub(super) fn none(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    quant(c, Quant::None)
}
