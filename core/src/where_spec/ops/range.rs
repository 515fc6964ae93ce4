//! Date range operators: the value read as a `daterange`.

use super::sqltext::{pg_op, SqlCtx};
use super::Ctx;
use crate::jsonb::Value;
use crate::where_spec::typed::{date_text, DateRange, TypeName, Typed};
use crate::where_spec::{Node, Op, SpecError, Truth};

/// The date-range family's tests of the value read as a range.
#[derive(Clone, Debug)]
pub(crate) enum RangeTest {
    ContainsDate(i32),
    Rel(RangeRel, DateRange),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RangeRel {
    Overlaps,
    Adjacent,
    StrictlyLeft,
    StrictlyRight,
    NotLeft,
    NotRight,
}

pub(super) fn contains_date(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    match c.typed(TypeName::Date)? {
        Typed::Date(d) => c.cond(Op::Range(RangeTest::ContainsDate(d))),
        _ => unreachable!("a date operand reads as a date"),
    }
}

fn rel(c: &Ctx<'_, '_>, rel: RangeRel) -> Result<Node, SpecError> {
    match c.typed(TypeName::Daterange)? {
        Typed::Range(r) => c.cond(Op::Range(RangeTest::Rel(rel, r))),
        _ => unreachable!("a daterange operand reads as a range"),
    }
}
pub(super) fn overlaps(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    rel(c, RangeRel::Overlaps)
}
pub(super) fn adjacent(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    rel(c, RangeRel::Adjacent)
}
pub(super) fn strictly_left(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    rel(c, RangeRel::StrictlyLeft)
}
pub(super) fn strictly_right(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    rel(c, RangeRel::StrictlyRight)
}
pub(super) fn not_left(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    rel(c, RangeRel::NotLeft)
}
pub(super) fn not_right(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    rel(c, RangeRel::NotRight)
}

pub(super) fn test(t: &RangeTest, v: &Value<'_>) -> Truth {
    let Some(Typed::Range(r)) = Typed::from_json(TypeName::Daterange, v) else { return None };
    Some(match t {
        RangeTest::ContainsDate(d) => r.contains_date(*d),
        RangeTest::Rel(rel, o) => match rel {
            RangeRel::Overlaps => r.overlaps(o),
            RangeRel::Adjacent => r.adjacent(o),
            RangeRel::StrictlyLeft => r.strictly_left(o),
            RangeRel::StrictlyRight => r.strictly_right(o),
            RangeRel::NotLeft => r.not_left(o),
            RangeRel::NotRight => r.not_right(o),
        },
    })
}

pub(super) fn sql(t: &RangeTest, v: &str, c: &SqlCtx) -> String {
    let r = c.as_type(TypeName::Daterange, v);
    match t {
        RangeTest::ContainsDate(d) => format!("({r} {} '{}'::pg_catalog.date)", pg_op("@>"), date_text(*d)),
        RangeTest::Rel(rel, o) => {
            let operator = match rel {
                RangeRel::Overlaps => "&&",
                RangeRel::Adjacent => "-|-",
                RangeRel::StrictlyLeft => "<<",
                RangeRel::StrictlyRight => ">>",
                RangeRel::NotLeft => "&>",
                RangeRel::NotRight => "&<",
            };
            format!("({r} {} '{}'::pg_catalog.daterange)", pg_op(operator), o.text())
        }
    }
}
