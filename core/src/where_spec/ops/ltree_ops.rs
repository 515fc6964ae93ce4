//! ltree operators: the value read as an ltree path. The matching itself (lquery,
//! ltxtquery) is in `where_spec::ltree`; the compiled SQL hands the operator object to
//! `fraiseql_test()`, so neither form needs the ltree extension.

use super::errors::{err, show};
use super::sqltext::SqlCtx;
use super::Ctx;
use crate::jsonb::Value;
use crate::sql::quote_literal;
use crate::where_spec::typed::{self, TypeName, Typed};
use crate::where_spec::{clip, ltree, Cmp, LenCmp, Node, Op, SpecError, Truth};

/// The ltree family's tests of the value read as a path.
#[derive(Clone, Debug)]
pub(crate) enum LtreeTest {
    AncestorOf(Vec<String>),
    DescendantOf(Vec<String>),
    Lquery(ltree::Lquery),
    AnyLquery(Vec<ltree::Lquery>),
    Ltxtquery(ltree::Ltxtquery),
    Depth(LenCmp, i64),
}

/// A test of the path; the operator object's text goes along for the compiled SQL.
fn ltree_op(c: &Ctx<'_, '_>, t: LtreeTest) -> Result<Node, SpecError> {
    let mut src = String::from("{");
    crate::jsonb::write_json_string(&mut src, c.key);
    src.push_str(": ");
    src.push_str(&c.v.to_text().map_err(|e| c.corrupt(e))?);
    src.push('}');
    c.cond(Op::Ltree(t, src))
}

fn path(c: &Ctx<'_, '_>) -> Result<Vec<String>, SpecError> {
    let bad = || {
        err(
            c.path,
            format!("{} expects an ltree path, got {}", c.key, show(&c.v)),
            Some(format!("Valid ltree: {}.", TypeName::Ltree.form())),
        )
    };
    let t = c.v.as_str().and_then(|t| t.ok()).ok_or_else(bad)?;
    typed::parse_ltree(t).ok_or_else(bad)
}

fn lquery(text: &str, here: &str) -> Result<ltree::Lquery, SpecError> {
    ltree::Lquery::parse(text).map_err(|m| {
        err(
            here,
            format!("invalid lquery {:?}: {m}", clip(text)),
            Some("An lquery is labels, *, *{n,m}, a|b alternatives, !negation, @ (any case) and * (prefix) modifiers, joined by dots.".into()),
        )
    })
}

pub(super) fn ancestor_of(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    ltree_op(c, LtreeTest::AncestorOf(path(c)?))
}
pub(super) fn descendant_of(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    ltree_op(c, LtreeTest::DescendantOf(path(c)?))
}
pub(super) fn matches_lquery(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    ltree_op(c, LtreeTest::Lquery(lquery(&c.string()?, c.path)?))
}
pub(super) fn matches_any_lquery(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    let qs = c.each("a list of lquery strings", |item, here| {
        let t = item
            .as_str()
            .and_then(|t| t.ok())
            .ok_or_else(|| err(here, "lquery must be a string", Some(format!("Valid: {}.", c.def.usage()))))?;
        lquery(t, here)
    })?;
    ltree_op(c, LtreeTest::AnyLquery(qs))
}
pub(super) fn matches_ltxtquery(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    let t = c.string()?;
    let q = ltree::Ltxtquery::parse(&t).map_err(|m| {
        err(
            c.path,
            format!("invalid ltxtquery {:?}: {m}", clip(&t)),
            Some("An ltxtquery is words (with @ and * modifiers) combined with &, |, ! and parentheses.".into()),
        )
    })?;
    ltree_op(c, LtreeTest::Ltxtquery(q))
}

fn depth(c: &Ctx<'_, '_>, cmp: LenCmp) -> Result<Node, SpecError> {
    ltree_op(c, LtreeTest::Depth(cmp, c.count()?))
}
pub(super) fn depth_eq(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    depth(c, LenCmp::Eq)
}
pub(super) fn depth_neq(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    depth(c, LenCmp::Neq)
}
pub(super) fn depth_gt(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    depth(c, LenCmp::Ord(Cmp::Gt))
}
pub(super) fn depth_gte(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    depth(c, LenCmp::Ord(Cmp::Gte))
}
pub(super) fn depth_lt(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    depth(c, LenCmp::Ord(Cmp::Lt))
}
pub(super) fn depth_lte(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    depth(c, LenCmp::Ord(Cmp::Lte))
}

pub(super) fn test(t: &LtreeTest, v: &Value<'_>) -> Truth {
    let Some(Typed::Ltree(labels)) = Typed::from_json(TypeName::Ltree, v) else { return None };
    Some(match t {
        LtreeTest::AncestorOf(p) => p.starts_with(&labels),
        LtreeTest::DescendantOf(p) => labels.starts_with(p),
        LtreeTest::Lquery(q) => q.matches(&labels),
        LtreeTest::AnyLquery(qs) => qs.iter().any(|q| {
            crate::guard::interrupts();
            q.matches(&labels)
        }),
        LtreeTest::Ltxtquery(q) => q.matches(&labels),
        LtreeTest::Depth(c, n) => c.holds(labels.len() as i64, *n),
    })
}

pub(super) fn sql(source: &str, v: &str, c: &SqlCtx) -> String {
    format!("{}fraiseql_test({v}, {}::pg_catalog.jsonb)", c.helpers, quote_literal(source))
}
