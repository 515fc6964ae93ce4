//! Typed values: JSON strings (or numbers) read as dates, timestamps, UUIDs, numerics,
//! network addresses, MAC addresses, date ranges and ltree paths.
//!
//! Each type accepts one documented strict text form (docs/where.md), parsed here. The
//! per-row evaluator compares the parsed values; the compiled SQL calls the extension's
//! `fraiseql_as_<type>(jsonb)` functions, which run this same parser and hand PostgreSQL
//! the value in its own representation. So a value is valid, or not, identically in both
//! forms, a malformed value is unknown (never an error), and for valid values the
//! comparisons below are PostgreSQL's own orderings.

use crate::jsonb::{Numeric, Value};
use std::cmp::Ordering;
use std::net::IpAddr;

/// A type a field can be read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeName {
    Numeric,
    Timestamptz,
    Timestamp,
    Date,
    Uuid,
    Inet,
    Cidr,
    Macaddr,
    Daterange,
    Ltree,
}

pub const TYPE_NAMES: &[&str] =
    &["numeric", "timestamptz", "timestamp", "date", "uuid", "inet", "cidr", "macaddr", "daterange", "ltree"];

impl TypeName {
    pub fn parse(name: &str) -> Option<TypeName> {
        Some(match name.to_ascii_lowercase().as_str() {
            "numeric" | "decimal" => TypeName::Numeric,
            "timestamptz" | "timestamp with time zone" => TypeName::Timestamptz,
            "timestamp" | "timestamp without time zone" => TypeName::Timestamp,
            "date" => TypeName::Date,
            "uuid" => TypeName::Uuid,
            "inet" => TypeName::Inet,
            "cidr" => TypeName::Cidr,
            "macaddr" => TypeName::Macaddr,
            "daterange" => TypeName::Daterange,
            "ltree" => TypeName::Ltree,
            _ => return None,
        })
    }

    /// The SQL type values of this type are compared as (ltree paths as text, since the
    /// ltree extension need not be installed).
    pub fn sql(self) -> &'static str {
        match self {
            TypeName::Ltree => "text",
            other => other.name(),
        }
    }

    /// The type's name (`fraiseql_as_<name>` is its SQL reader).
    pub fn name(self) -> &'static str {
        match self {
            TypeName::Numeric => "numeric",
            TypeName::Timestamptz => "timestamptz",
            TypeName::Timestamp => "timestamp",
            TypeName::Date => "date",
            TypeName::Uuid => "uuid",
            TypeName::Inet => "inet",
            TypeName::Cidr => "cidr",
            TypeName::Macaddr => "macaddr",
            TypeName::Daterange => "daterange",
            TypeName::Ltree => "ltree",
        }
    }

    /// Whether `<`/`>` are offered (ltree and ranges use their own operators).
    pub fn ordered(self) -> bool {
        !matches!(self, TypeName::Ltree | TypeName::Daterange)
    }

    /// What a valid value looks like, for error hints.
    pub fn form(self) -> &'static str {
        match self {
            TypeName::Numeric => "a JSON number, or a string holding one (\"12.50\")",
            TypeName::Timestamptz => {
                "\"2026-01-31T12:00:00Z\", \"2026-01-31 12:00:00.5+02:00\" (an offset is required)"
            }
            TypeName::Timestamp => "\"2026-01-31T12:00:00\" (no offset)",
            TypeName::Date => "\"2026-01-31\"",
            TypeName::Uuid => "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\" (or the 32 hex digits)",
            TypeName::Inet => "\"192.168.0.1\", \"10.0.0.0/8\", \"2001:db8::1\"",
            TypeName::Cidr => "\"10.0.0.0/8\" (no bits set right of the mask)",
            TypeName::Macaddr => "\"08:00:2b:01:02:03\", \"08-00-2b-01-02-03\", \"0800.2b01.0203\", \"08002b010203\"",
            TypeName::Daterange => "\"[2026-01-01,2026-02-01)\", \"(,2026-01-01]\", \"empty\"",
            TypeName::Ltree => "\"top.science.astronomy\" (labels of A-Z, a-z, 0-9, _)",
        }
    }
}

/// An IP address with its prefix length, as PostgreSQL's `inet` holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inet {
    /// 4 for IPv4, 6 for IPv6.
    pub family: u8,
    pub bits: u8,
    /// Address bytes: 4 used for IPv4, 16 for IPv6.
    pub addr: [u8; 16],
}

impl Inet {
    pub fn max_bits(&self) -> u8 {
        if self.family == 4 {
            32
        } else {
            128
        }
    }

    pub fn bytes(&self) -> &[u8] {
        if self.family == 4 {
            &self.addr[..4]
        } else {
            &self.addr[..]
        }
    }

    /// PostgreSQL's `network_cmp`: family, then the network part under the shorter mask,
    /// then the mask length, then the whole address.
    pub fn cmp_pg(&self, other: &Inet) -> Ordering {
        if self.family != other.family {
            return self.family.cmp(&other.family);
        }
        let common = self.bits.min(other.bits);
        bitncmp(self.bytes(), other.bytes(), common)
            .then(self.bits.cmp(&other.bits))
            .then_with(|| bitncmp(self.bytes(), other.bytes(), self.max_bits()))
    }

    /// `self <<= net`: inside or equal to the network `net` (PostgreSQL `network_subeq`).
    pub fn within(&self, net: &Inet) -> bool {
        self.family == net.family
            && self.bits >= net.bits
            && bitncmp(self.bytes(), net.bytes(), net.bits) == Ordering::Equal
    }

    /// `self >>= addr`: contains or equals.
    pub fn contains(&self, addr: &Inet) -> bool {
        addr.within(self)
    }

    /// RFC 1918, loopback and link-local for IPv4; unique-local, link-local and
    /// loopback for IPv6.
    pub fn is_private(&self) -> bool {
        PRIVATE.contains(self)
    }
    pub fn is_loopback(&self) -> bool {
        LOOPBACK.contains(self)
    }
    pub fn is_link_local(&self) -> bool {
        LINK_LOCAL.contains(self)
    }
    pub fn is_multicast(&self) -> bool {
        MULTICAST.contains(self)
    }
    pub fn is_documentation(&self) -> bool {
        DOCUMENTATION.contains(self)
    }
    pub fn is_carrier_grade(&self) -> bool {
        CARRIER_GRADE.contains(self)
    }

    /// Text PostgreSQL's `inet_out` would print for it.
    pub fn text(&self) -> String {
        let ip = if self.family == 4 {
            IpAddr::from([self.addr[0], self.addr[1], self.addr[2], self.addr[3]])
        } else {
            IpAddr::from(self.addr)
        };
        format!("{ip}/{}", self.bits)
    }
}

/// A class of addresses: its networks as text (for the compiled SQL) and parsed once
/// per backend (for the per-row evaluator), so both forms test the same list.
pub struct Networks {
    pub texts: &'static [&'static str],
    parsed: std::sync::OnceLock<Vec<Inet>>,
}

impl Networks {
    const fn new(texts: &'static [&'static str]) -> Self {
        Networks { texts, parsed: std::sync::OnceLock::new() }
    }

    pub fn contains(&self, a: &Inet) -> bool {
        self.parsed
            .get_or_init(|| self.texts.iter().map(|n| parse_inet(n, false).expect("valid built-in network")).collect())
            .iter()
            .any(|n| a.within(n))
    }
}

pub static PRIVATE: Networks = Networks::new(&[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "fc00::/7",
    "fe80::/10",
    "::1/128",
]);
pub static LOOPBACK: Networks = Networks::new(&["127.0.0.0/8", "::1/128"]);
pub static LINK_LOCAL: Networks = Networks::new(&["169.254.0.0/16", "fe80::/10"]);
pub static MULTICAST: Networks = Networks::new(&["224.0.0.0/4", "ff00::/8"]);
/// RFC 5737 and RFC 3849 documentation ranges.
pub static DOCUMENTATION: Networks =
    Networks::new(&["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"]);
/// RFC 6598 shared address space.
pub static CARRIER_GRADE: Networks = Networks::new(&["100.64.0.0/10"]);

fn bitncmp(a: &[u8], b: &[u8], bits: u8) -> Ordering {
    let bits = bits as usize;
    let whole = bits / 8;
    match a[..whole].cmp(&b[..whole]) {
        Ordering::Equal => {}
        o => return o,
    }
    let rest = bits % 8;
    if rest == 0 {
        return Ordering::Equal;
    }
    let mask = 0xFFu8 << (8 - rest);
    (a[whole] & mask).cmp(&(b[whole] & mask))
}

pub fn parse_inet(s: &str, cidr: bool) -> Option<Inet> {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => {
            if b.is_empty() || b.len() > 3 || !b.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            (a, Some(b.parse::<u8>().ok()?))
        }
        None => (s, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let mut out = match ip {
        IpAddr::V4(v4) => {
            let mut a = [0u8; 16];
            a[..4].copy_from_slice(&v4.octets());
            Inet { family: 4, bits: 32, addr: a }
        }
        IpAddr::V6(v6) => Inet { family: 6, bits: 128, addr: v6.octets() },
    };
    if let Some(b) = bits {
        if b > out.max_bits() {
            return None;
        }
        out.bits = b;
    }
    if cidr {
        // A cidr has no bits set to the right of its mask.
        let mut masked = out;
        for (i, byte) in masked.addr.iter_mut().enumerate().take(out.bytes().len()) {
            let keep = (out.bits as usize).saturating_sub(i * 8).min(8);
            *byte &= if keep == 0 { 0 } else { 0xFFu8 << (8 - keep) };
        }
        if masked.addr != out.addr {
            return None;
        }
    }
    Some(out)
}

pub fn parse_macaddr(s: &str) -> Option<[u8; 6]> {
    let b = s.as_bytes();
    let groups = |sep: u8, size: usize| -> Option<String> {
        let parts: Vec<&str> = s.split(sep as char).collect();
        if parts.iter().all(|p| p.len() == size) && parts.len() * size == 12 {
            Some(parts.concat())
        } else {
            None
        }
    };
    let hex: String = match s.len() {
        17 if b[2] == b':' => groups(b':', 2)?,
        17 if b[2] == b'-' => groups(b'-', 2)?,
        13 if b[6] == b':' => groups(b':', 6)?,
        13 if b[6] == b'-' => groups(b'-', 6)?,
        14 if b[4] == b'.' => groups(b'.', 4)?,
        14 if b[4] == b'-' => groups(b'-', 4)?,
        12 => s.to_string(),
        _ => return None,
    };
    if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 6];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

pub fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    // Read in place (no copy of the hex digits): this runs once per row for a uuid filter.
    let b = s.as_bytes();
    let hyphens = match b.len() {
        36 => {
            if [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
                return None;
            }
            true
        }
        32 => false,
        _ => return None,
    };
    let mut digits =
        b.iter().enumerate().filter(|&(i, _)| !(hyphens && matches!(i, 8 | 13 | 18 | 23))).map(|(_, &c)| c);
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 16];
    for o in out.iter_mut() {
        let (hi, lo) = (hex(digits.next()?)?, hex(digits.next()?)?);
        *o = hi << 4 | lo;
    }
    Some(out)
}

fn digits(s: &str, n: usize) -> Option<u32> {
    if s.len() != n {
        return None;
    }
    // Accumulated by hand: `str::parse` costs about as much as the rest of a timestamp
    // (a sort reads one per row). n <= 6 here, so the value fits.
    s.bytes().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32))
}

/// Days since 2000-01-01 (PostgreSQL's date epoch) of a `YYYY-MM-DD` text.
pub fn parse_date(s: &str) -> Option<i32> {
    if s.len() != 10 || !s.is_ascii() || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&s[0..4], 4)? as i64, digits(&s[5..7], 2)?, digits(&s[8..10], 2)?);
    if y < 1 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some((days_from_civil(y, m, d) - days_from_civil(2000, 1, 1)) as i32)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Howard Hinnant's days-from-civil: days since 1970-01-01 in the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Microseconds since 2000-01-01 00:00 (UTC for timestamptz) of an ISO 8601 text:
/// `YYYY-MM-DD[T| ]HH:MM[:SS[.ffffff]]` then, when `with_offset`, `Z` or `±HH[[:]MM]`.
pub fn parse_timestamp(s: &str, with_offset: bool) -> Option<i64> {
    // Every accepted form is ASCII, and the fields below are sliced at byte offsets.
    if s.len() < 16 || !s.is_ascii() {
        return None;
    }
    let days = parse_date(&s[..10])? as i64;
    let b = s.as_bytes();
    if b[10] != b'T' && b[10] != b't' && b[10] != b' ' {
        return None;
    }
    let rest = &s[11..];
    // Split the time from the offset.
    let split = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time, offset) = rest.split_at(split);
    let tb = time.as_bytes();
    if time.len() < 5 || tb[2] != b':' {
        return None;
    }
    let (h, mi) = (digits(&time[0..2], 2)?, digits(&time[3..5], 2)?);
    let (mut sec, mut micros) = (0u32, 0u32);
    if time.len() > 5 {
        if tb[5] != b':' || time.len() < 8 {
            return None;
        }
        sec = digits(&time[6..8], 2)?;
        if time.len() > 8 {
            let frac = time[8..].strip_prefix('.')?;
            if frac.is_empty() || frac.len() > 6 {
                return None;
            }
            // Right-padded to microseconds: ".5" is 500000 (digits() refuses a non-digit).
            micros = digits(frac, frac.len())? * 10u32.pow(6 - frac.len() as u32);
        }
    }
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let mut total = days * 86_400_000_000 + ((h * 3600 + mi * 60 + sec) as i64) * 1_000_000 + micros as i64;
    match (with_offset, offset) {
        (false, "") => {}
        (true, "Z" | "z") => {}
        (true, o) if o.starts_with('+') || o.starts_with('-') => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let o = &o[1..];
            let (oh, om) = match o.len() {
                2 => (digits(o, 2)?, 0),
                4 => (digits(&o[..2], 2)?, digits(&o[2..], 2)?),
                5 if o.as_bytes()[2] == b':' => (digits(&o[..2], 2)?, digits(&o[3..], 2)?),
                _ => return None,
            };
            if oh > 15 || om > 59 {
                return None;
            }
            total -= sign * ((oh * 3600 + om * 60) as i64) * 1_000_000;
        }
        _ => return None,
    }
    Some(total)
}

/// A date range in canonical form: `[lower, upper)`, `None` meaning unbounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateRange {
    Empty,
    Range { lower: Option<i32>, upper: Option<i32> },
}

pub fn parse_daterange(s: &str) -> Option<DateRange> {
    if s.eq_ignore_ascii_case("empty") {
        return Some(DateRange::Empty);
    }
    let b = s.as_bytes();
    if s.len() < 3 {
        return None;
    }
    let (lo_inc, hi_inc) = match (b[0], b[s.len() - 1]) {
        (b'[', b']') => (true, true),
        (b'[', b')') => (true, false),
        (b'(', b']') => (false, true),
        (b'(', b')') => (false, false),
        _ => return None,
    };
    let (lo, hi) = s[1..s.len() - 1].split_once(',')?;
    let lower = if lo.is_empty() { None } else { Some(parse_date(lo)?) };
    let upper = if hi.is_empty() { None } else { Some(parse_date(hi)?) };
    // Canonical form of a discrete range: inclusive lower, exclusive upper.
    let lower = lower.map(|d| if lo_inc { d } else { d + 1 });
    let upper = upper.map(|d| if hi_inc { d + 1 } else { d });
    if let (Some(l), Some(u)) = (lower, upper) {
        if l > u {
            return None; // PostgreSQL rejects a lower bound above the upper one
        }
        if l == u {
            return Some(DateRange::Empty);
        }
    }
    Some(DateRange::Range { lower, upper })
}

impl DateRange {
    fn bounds(&self) -> Option<(i64, i64)> {
        match self {
            DateRange::Empty => None,
            DateRange::Range { lower, upper } => {
                Some((lower.map_or(i64::MIN, |d| d as i64), upper.map_or(i64::MAX, |d| d as i64)))
            }
        }
    }

    pub fn contains_date(&self, d: i32) -> bool {
        self.bounds().is_some_and(|(l, u)| l <= d as i64 && (d as i64) < u)
    }
    pub fn overlaps(&self, o: &DateRange) -> bool {
        matches!((self.bounds(), o.bounds()), (Some((l1, u1)), Some((l2, u2))) if l1 < u2 && l2 < u1)
    }
    pub fn strictly_left(&self, o: &DateRange) -> bool {
        matches!((self.bounds(), o.bounds()), (Some((_, u1)), Some((l2, _))) if u1 != i64::MAX && l2 != i64::MIN && u1 <= l2)
    }
    pub fn strictly_right(&self, o: &DateRange) -> bool {
        o.strictly_left(self)
    }
    /// `&<`: does not extend to the right of `o`.
    pub fn not_right(&self, o: &DateRange) -> bool {
        matches!((self.bounds(), o.bounds()), (Some((_, u1)), Some((_, u2))) if u1 <= u2)
    }
    /// `&>`: does not extend to the left of `o`.
    pub fn not_left(&self, o: &DateRange) -> bool {
        matches!((self.bounds(), o.bounds()), (Some((l1, _)), Some((l2, _))) if l1 >= l2)
    }
    pub fn adjacent(&self, o: &DateRange) -> bool {
        match (self, o) {
            (DateRange::Range { lower: l1, upper: u1 }, DateRange::Range { lower: l2, upper: u2 }) => {
                (u1.is_some() && u1 == l2) || (u2.is_some() && u2 == l1)
            }
            _ => false,
        }
    }

    /// Canonical text (`[2026-01-01,2026-02-01)`, `empty`), as `range_out` prints it.
    pub fn text(&self) -> String {
        match self {
            DateRange::Empty => "empty".to_string(),
            DateRange::Range { lower, upper } => format!(
                "{}{},{})",
                if lower.is_some() { "[" } else { "(" },
                lower.map(date_text).unwrap_or_default(),
                upper.map(date_text).unwrap_or_default()
            ),
        }
    }
}

/// `YYYY-MM-DD` of days since 2000-01-01.
pub fn date_text(days: i32) -> String {
    let (y, m, d) = civil(days);
    if y <= 0 {
        // PostgreSQL has no year 0 and refuses one: year 0 is 1 BC, -1 is 2 BC, ….
        return format!("{:04}-{m:02}-{d:02} BC", 1 - y);
    }
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian (year, month, day) of a day count from 2000-01-01, years
/// counted astronomically (0 is 1 BC).
fn civil(days: i32) -> (i64, i64, i64) {
    let z = days as i64 + days_from_civil(2000, 1, 1) + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// An ltree path: labels of ASCII letters, digits and `_`, joined by dots, at most
/// 65,535 of them as in PostgreSQL. (PostgreSQL 15 also accepts non-ASCII letters
/// depending on the locale; this form is the portable one.)
pub fn parse_ltree(s: &str) -> Option<Vec<String>> {
    if s.is_empty() || s.bytes().filter(|&b| b == b'.').count() >= super::ltree::MAX_LEVELS {
        return None;
    }
    let labels: Vec<String> = s.split('.').map(str::to_string).collect();
    let ok = labels
        .iter()
        .all(|l| !l.is_empty() && l.len() <= 255 && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'));
    ok.then_some(labels)
}

/// A parsed typed value.
#[derive(Clone, Debug, PartialEq)]
pub enum Typed {
    Numeric(Vec<u8>),
    Time(i64),
    Date(i32),
    Uuid([u8; 16]),
    Inet(Inet),
    Mac([u8; 6]),
    Range(DateRange),
    Ltree(Vec<String>),
}

impl Typed {
    /// Reads a JSON value as `ty`; `None` when it is not a valid value of that type.
    pub fn from_json(ty: TypeName, v: &Value<'_>) -> Option<Typed> {
        if let (TypeName::Numeric, Value::Number(n)) = (ty, v) {
            return Some(Typed::Numeric(crate::jsonb::numeric_bytes(n)));
        }
        let s = v.as_str()?.ok()?;
        Self::from_text(ty, s)
    }

    pub fn from_text(ty: TypeName, s: &str) -> Option<Typed> {
        Some(match ty {
            TypeName::Numeric => Typed::Numeric(crate::jsonb::numeric_from_json_number(s)?),
            TypeName::Timestamptz => Typed::Time(parse_timestamp(s, true)?),
            TypeName::Timestamp => Typed::Time(parse_timestamp(s, false)?),
            TypeName::Date => Typed::Date(parse_date(s)?),
            TypeName::Uuid => Typed::Uuid(parse_uuid(s)?),
            TypeName::Inet => Typed::Inet(parse_inet(s, false)?),
            TypeName::Cidr => Typed::Inet(parse_inet(s, true)?),
            TypeName::Macaddr => Typed::Mac(parse_macaddr(s)?),
            TypeName::Daterange => Typed::Range(parse_daterange(s)?),
            TypeName::Ltree => Typed::Ltree(parse_ltree(s)?),
        })
    }

    /// The type's own ordering (both values of one type).
    pub fn cmp_same(&self, other: &Typed) -> Option<Ordering> {
        Some(match (self, other) {
            (Typed::Numeric(a), Typed::Numeric(b)) => {
                let (a, b) = (Numeric::from_varlena(a).ok()?, Numeric::from_varlena(b).ok()?);
                a.compare(&b)
            }
            (Typed::Time(a), Typed::Time(b)) => a.cmp(b),
            (Typed::Date(a), Typed::Date(b)) => a.cmp(b),
            (Typed::Uuid(a), Typed::Uuid(b)) => a.cmp(b),
            (Typed::Inet(a), Typed::Inet(b)) => a.cmp_pg(b),
            (Typed::Mac(a), Typed::Mac(b)) => a.cmp(b),
            (Typed::Range(a), Typed::Range(b)) if a == b => Ordering::Equal,
            (Typed::Ltree(a), Typed::Ltree(b)) if a == b => Ordering::Equal,
            (Typed::Range(_), Typed::Range(_)) | (Typed::Ltree(_), Typed::Ltree(_)) => Ordering::Less,
            _ => return None,
        })
    }

    /// The value as a SQL literal of its type (`'…'::timestamptz`).
    pub fn sql_literal(&self, ty: TypeName) -> String {
        let text = match self {
            Typed::Numeric(b) => Numeric::from_varlena(b).map(|n| n.to_text()).unwrap_or_default(),
            Typed::Time(us) => {
                let days = us.div_euclid(86_400_000_000);
                let rem = us.rem_euclid(86_400_000_000);
                let (h, m, s, f) = (rem / 3_600_000_000, rem / 60_000_000 % 60, rem / 1_000_000 % 60, rem % 1_000_000);
                let zone = if ty == TypeName::Timestamptz { "+00" } else { "" };
                // A date before year 1 (`0001-01-01T00:00:00+01:00` is 1 BC in UTC) is
                // written `… BC` after the time, as PostgreSQL prints it.
                let date = date_text(days as i32);
                let (date, era) = date.strip_suffix(" BC").map_or((&date[..], ""), |d| (d, " BC"));
                format!("{date} {h:02}:{m:02}:{s:02}.{f:06}{zone}{era}")
            }
            Typed::Date(d) => date_text(*d),
            Typed::Uuid(u) => uuid_text(u),
            Typed::Inet(i) => i.text(),
            Typed::Mac(m) => m.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":"),
            Typed::Range(r) => r.text(),
            Typed::Ltree(l) => l.join("."),
        };
        format!("{}::pg_catalog.{}", crate::sql::quote_literal(&text), ty.sql())
    }
}

/// A uuid's canonical text: 32 lowercase hex digits, hyphenated 8-4-4-4-12.
pub fn uuid_text(u: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, b) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_in_both_forms_and_any_case() {
        let want = [0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11];
        for ok in [
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "a0EEbc99-9c0b-4EF8-bb6d-6bb9bd380A11",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11",
        ] {
            assert_eq!(super::parse_uuid(ok), Some(want), "{ok}");
        }
        // Written back in PostgreSQL's own spelling, whatever the input's.
        assert_eq!(uuid_text(&want), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assert_eq!(
            Typed::Uuid(want).sql_literal(TypeName::Uuid),
            "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::pg_catalog.uuid"
        );
        for bad in [
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",
            "a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g",
            "+0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "a0eebc999c0b4ef8bb6d6bb9bd380a1-",
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
            "",
        ] {
            assert_eq!(super::parse_uuid(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("2000-01-01T00:00:00Z", true), Some(0));
        assert_eq!(parse_timestamp("2000-01-01 01:00+01:00", true), Some(0));
        assert_eq!(parse_timestamp("2000-01-01T00:00:00.5Z", true), Some(500_000));
        assert_eq!(parse_timestamp("1999-12-31T23:00:00-0100", true), Some(0));
        assert_eq!(parse_timestamp("2000-01-01T00:00:00", true), None);
        assert_eq!(parse_timestamp("2000-01-01T00:00:00", false), Some(0));
        assert_eq!(parse_timestamp("2000-02-30T00:00:00Z", true), None);
        assert_eq!(parse_timestamp("2000-01-01T24:00:00Z", true), None);
        assert_eq!(parse_timestamp("2000-01-01T00:00:00.1234567Z", true), None);
        // Fractions: right-padded to microseconds, 1 to 6 digits.
        assert_eq!(parse_timestamp("2000-01-01T00:00:00.123456Z", true), Some(123_456));
        assert_eq!(parse_timestamp("2000-01-01T00:00:00.000001Z", true), Some(1));
        assert_eq!(parse_timestamp("2000-01-01T00:00:00.12+00:00", true), Some(120_000));
        assert_eq!(parse_timestamp("2000-01-01T00:00:59.999999", false), Some(59_999_999));
        for bad in ["2000-01-01T00:00:00.Z", "2000-01-01T00:00:00.5aZ", "2000-01-01T00:00:00.+5Z", "2000-01-01T0a:00Z"]
        {
            assert_eq!(parse_timestamp(bad, true), None, "{bad}");
        }
    }

    #[test]
    fn dates_round_trip() {
        for s in ["2000-01-01", "1999-12-31", "2024-02-29", "0001-01-01", "9999-12-31"] {
            assert_eq!(date_text(parse_date(s).unwrap()), s);
        }
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2023-2-01"), None);
    }

    #[test]
    fn times_before_year_one_are_written_bc() {
        // Valid input (year 1 with an offset east of UTC) whose UTC instant is in 1 BC:
        // PostgreSQL refuses year 0, and reads `… BC` after the time.
        let t = Typed::Time(parse_timestamp("0001-01-01T00:00:00+01:00", true).unwrap());
        assert_eq!(t.sql_literal(TypeName::Timestamptz), "'0001-12-31 23:00:00.000000+00 BC'::pg_catalog.timestamptz");
        let t = Typed::Time(parse_timestamp("0001-01-01T00:00:00Z", true).unwrap());
        assert_eq!(t.sql_literal(TypeName::Timestamptz), "'0001-01-01 00:00:00.000000+00'::pg_catalog.timestamptz");
        assert_eq!(date_text(parse_date("0001-01-01").unwrap() - 1), "0001-12-31 BC");
        assert_eq!(date_text(parse_date("0001-03-01").unwrap() - 366), "0001-02-29 BC");
    }

    #[test]
    fn networks() {
        let a = parse_inet("10.1.2.3", false).unwrap();
        let n = parse_inet("10.0.0.0/8", true).unwrap();
        assert!(a.within(&n));
        assert!(!parse_inet("11.0.0.1", false).unwrap().within(&n));
        assert!(parse_inet("10.0.0.1/8", true).is_none());
        assert!(parse_inet("10.0.0.1/33", false).is_none());
        assert!(parse_inet("192.168.1.1", false).unwrap().is_private());
        assert!(parse_inet("fd00::1", false).unwrap().is_private());
        assert!(!parse_inet("8.8.8.8", false).unwrap().is_private());
        assert_eq!(parse_inet("::ffff:1.2.3.4", false).unwrap().family, 6);
        assert_eq!(a.cmp_pg(&parse_inet("10.1.2.3/32", false).unwrap()), Ordering::Equal);
        assert_eq!(n.cmp_pg(&a), Ordering::Less);
    }

    #[test]
    fn mac_notations() {
        let want = Some([0x08, 0x00, 0x2b, 0x01, 0x02, 0x03]);
        for s in [
            "08:00:2b:01:02:03",
            "08-00-2B-01-02-03",
            "08002b:010203",
            "08002b-010203",
            "0800.2b01.0203",
            "0800-2b01-0203",
            "08002b010203",
        ] {
            assert_eq!(parse_macaddr(s), want, "{s}");
        }
        assert_eq!(parse_macaddr("08:00:2b:01:02"), None);
        assert_eq!(parse_macaddr("08:00:2b:01:02:0g"), None);
    }

    #[test]
    fn ranges() {
        let r = parse_daterange("[2026-01-01,2026-01-31]").unwrap();
        assert_eq!(r.text(), "[2026-01-01,2026-02-01)");
        assert!(r.contains_date(parse_date("2026-01-31").unwrap()));
        assert!(!r.contains_date(parse_date("2026-02-01").unwrap()));
        let next = parse_daterange("[2026-02-01,2026-03-01)").unwrap();
        assert!(r.adjacent(&next) && r.strictly_left(&next) && !r.overlaps(&next));
        assert_eq!(parse_daterange("(2026-01-01,2026-01-02)"), Some(DateRange::Empty));
        assert_eq!(parse_daterange("[2026-01-02,2026-01-01)"), None);
        assert_eq!(parse_daterange("(,2026-01-01)").unwrap().text(), "(,2026-01-01)");
    }
}
