//! Network operators: the value read as an `inet` address.

use super::errors::{err, show};
use super::sqltext::{pg_op, SqlCtx};
use super::Ctx;
use crate::jsonb::Value;
use crate::where_spec::typed::{self, Inet, Networks, TypeName, Typed};
use crate::where_spec::{Node, Op, SpecError, Truth};
use std::cmp::Ordering;

/// The network family's tests of the value read as an address.
#[derive(Clone, Debug)]
pub(crate) enum NetTest {
    Subnet(Inet),
    InRange(Inet, Inet),
    /// The address is (true) or is not (false) of the class.
    Class(NetClass, bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NetClass {
    Private,
    Public,
    Ipv4,
    Ipv6,
    Loopback,
    LinkLocal,
    Multicast,
    Documentation,
    CarrierGrade,
}

fn inet(c: &Ctx<'_, '_>, s: &Value<'_>, here: &str) -> Result<Inet, SpecError> {
    s.as_str().and_then(|t| t.ok()).and_then(|t| typed::parse_inet(t, false)).ok_or_else(|| {
        err(
            here,
            format!("{} expects an IP address or network, got {}", c.key, show(s)),
            Some(format!("Valid inet: {}.", TypeName::Inet.form())),
        )
    })
}

pub(super) fn in_subnet(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    c.cond(Op::Net(NetTest::Subnet(inet(c, &c.v, c.path)?)))
}

pub(super) fn in_range(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    let Value::Object(o) = c.v else {
        return Err(c.want("an object {\"from\": address, \"to\": address}", &c.v));
    };
    let bound = |k: &str| -> Result<Inet, SpecError> {
        match o.get(k.as_bytes()).map_err(|e| c.corrupt(e))? {
            Some(x) => inet(c, &x, &format!("{}.{k}", c.path)),
            None => Err(err(
                c.path,
                format!("inRange needs \"from\" and \"to\", \"{k}\" is missing"),
                Some(format!("Valid: {}.", c.def.usage())),
            )),
        }
    };
    let (from, to) = (bound("from")?, bound("to")?);
    c.cond(Op::Net(NetTest::InRange(from, to)))
}

fn class(c: &Ctx<'_, '_>, class: NetClass) -> Result<Node, SpecError> {
    c.cond(Op::Net(NetTest::Class(class, c.boolean()?)))
}
pub(super) fn is_private(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    class(c, NetClass::Private)
}
pub(super) fn is_public(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    class(c, NetClass::Public)
}
pub(super) fn is_ipv4(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    class(c, NetClass::Ipv4)
}
pub(super) fn is_ipv6(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    class(c, NetClass::Ipv6)
}
pub(super) fn is_loopback(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    class(c, NetClass::Loopback)
}
pub(super) fn is_link_local(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    class(c, NetClass::LinkLocal)
}
pub(super) fn is_multicast(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    class(c, NetClass::Multicast)
}
pub(super) fn is_documentation(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    class(c, NetClass::Documentation)
}
pub(super) fn is_carrier_grade(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    class(c, NetClass::CarrierGrade)
}

impl NetClass {
    fn holds(self, a: &Inet) -> bool {
        match self {
            NetClass::Private => a.is_private(),
            NetClass::Public => !a.is_private(),
            NetClass::Ipv4 => a.family == 4,
            NetClass::Ipv6 => a.family == 6,
            NetClass::Loopback => a.is_loopback(),
            NetClass::LinkLocal => a.is_link_local(),
            NetClass::Multicast => a.is_multicast(),
            NetClass::Documentation => a.is_documentation(),
            NetClass::CarrierGrade => a.is_carrier_grade(),
        }
    }

    /// The addresses of each class: the same network lists the evaluator tests.
    fn sql(self, x: &str) -> String {
        use typed::{CARRIER_GRADE, DOCUMENTATION, LINK_LOCAL, LOOPBACK, MULTICAST, PRIVATE};
        let any = |nets: &Networks| -> String {
            let parts: Vec<String> =
                nets.texts.iter().map(|n| format!("{x} {} '{n}'::pg_catalog.inet", pg_op("<<="))).collect();
            format!("({})", parts.join(" OR "))
        };
        match self {
            NetClass::Private => any(&PRIVATE),
            NetClass::Public => format!("(NOT {})", NetClass::Private.sql(x)),
            NetClass::Ipv4 => format!("(pg_catalog.family({x}) {} 4)", pg_op("=")),
            NetClass::Ipv6 => format!("(pg_catalog.family({x}) {} 6)", pg_op("=")),
            NetClass::Loopback => any(&LOOPBACK),
            NetClass::LinkLocal => any(&LINK_LOCAL),
            NetClass::Multicast => any(&MULTICAST),
            NetClass::Documentation => any(&DOCUMENTATION),
            NetClass::CarrierGrade => any(&CARRIER_GRADE),
        }
    }
}

pub(super) fn test(t: &NetTest, v: &Value<'_>) -> Truth {
    let Some(Typed::Inet(a)) = Typed::from_json(TypeName::Inet, v) else { return None };
    Some(match t {
        NetTest::Subnet(n) => a.within(n),
        NetTest::InRange(from, to) => a.cmp_pg(from) != Ordering::Less && a.cmp_pg(to) != Ordering::Greater,
        NetTest::Class(c, want) => c.holds(&a) == *want,
    })
}

pub(super) fn sql(t: &NetTest, v: &str, c: &SqlCtx) -> String {
    let x = c.as_type(TypeName::Inet, v);
    match t {
        NetTest::Subnet(n) => format!("({x} {} '{}'::pg_catalog.inet)", pg_op("<<="), n.text()),
        NetTest::InRange(a, b) => format!(
            "({x} {} '{}'::pg_catalog.inet AND {x} {} '{}'::pg_catalog.inet)",
            pg_op(">="),
            a.text(),
            pg_op("<="),
            b.text()
        ),
        NetTest::Class(class, true) => class.sql(&x),
        NetTest::Class(class, false) => format!("(NOT {})", class.sql(&x)),
    }
}
