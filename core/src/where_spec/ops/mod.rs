//! Every where-spec operator, declared once.
//!
//! [`OPERATORS`] is the single list: each [`OperatorDef`] gives an operator's name and
//! aliases, its family, the operand it takes (as the documentation says it and as its
//! GraphQL type, [`GraphqlOperand`]), what it means, an example, and the function that
//! reads its operand into an [`Op`]. Everything else is derived from it: the parser's
//! lookup and its "valid operators" hint ([`hint`]), the usage text of an operand error,
//! the operator tables of `docs/where.md` ([`docs_tables`], checked by a test), the
//! operator fields of the GraphQL filter inputs (`execute::generate`), and the tests that
//! every operator parses, evaluates, compiles and has a regression case.
//!
//! Each family lives in its own module, in the manner of PostgreSQL's `jsonpath_exec.c`
//! (one function per item kind): its test type (a variant of [`Op`] holds it:
//! `Op::Net(NetTest)`), the operand readers the table points to, `test` (the per-row
//! evaluation of its test type) and `sql` (its compiled SQL). [`test()`] and [`sql()`]
//! dispatch an `Op` to its family, one line each. The family modules are leaves: they
//! use the SQL-text helpers of [`sqltext`], the errors of [`errors`] and the reader's
//! context [`Ctx`], never the parser or the compiler that drive them.
//!
//! Adding an operator: one entry in [`OPERATORS`], a variant of its family's test type
//! when no existing one has the meaning, handled in the family's `test` and `sql` (the
//! compiler insists on both through exhaustive matches), and a regression case in
//! `pgrx-tests/sql/` (a test insists). `CONTRIBUTING.md` walks through an example.

mod array;
mod compare;
pub(super) mod errors;
mod hinted;
mod ltree_ops;
mod net;
mod object;
mod quant;
mod range;
pub(super) mod sqltext;
mod text;

pub(crate) use array::ArrayTest;
pub(crate) use compare::CompareTest;
pub(crate) use hinted::{TCmp, TypedTest};
pub(crate) use ltree_ops::LtreeTest;
pub(crate) use net::NetTest;
pub(crate) use object::ObjectTest;
pub(crate) use range::RangeTest;
pub(crate) use text::TextTest;

use super::typed::{TypeName, Typed};
use super::{Host, Json, Node, Op, SpecError, Truth};
use crate::jsonb::{Corrupt, Value};
use errors::{corrupt, err, show};
use sqltext::SqlCtx;

/// The families, in the order the documentation presents them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Comparison,
    Text,
    Array,
    Object,
    Quantifier,
    Network,
    Ltree,
    DateRange,
    FullText,
}

impl Family {
    pub const ALL: [Family; 9] = [
        Family::Comparison,
        Family::Text,
        Family::Array,
        Family::Object,
        Family::Quantifier,
        Family::Network,
        Family::Ltree,
        Family::DateRange,
        Family::FullText,
    ];

    /// The heading of the family's table in `docs/where.md`.
    pub fn title(self) -> &'static str {
        match self {
            Family::Comparison => "Comparison (any JSON value)",
            Family::Text => "Strings",
            Family::Array => "Arrays",
            Family::Object => "Objects",
            Family::Quantifier => "Quantifiers over arrays",
            Family::Network => "Network addresses (the value read as inet)",
            Family::Ltree => "ltree paths (the value read as an ltree path)",
            Family::DateRange => "Date ranges (the value read as a daterange)",
            Family::FullText => "Full text (string values)",
        }
    }
}

/// Reads an operator's operand into a spec node.
pub(crate) type Reader = fn(&Ctx<'_, '_>) -> Result<Node, SpecError>;
/// Reads it under a type hint on the field.
pub(crate) type HintedReader = fn(&Ctx<'_, '_>, TypeName) -> Result<Node, SpecError>;

/// One operator.
pub struct OperatorDef {
    /// The documented spelling (`array_contains`, `inSubnet`).
    pub name: &'static str,
    /// Other accepted spellings. Matching ignores case and underscores anyway, so
    /// `startsWith` needs no alias of `startswith`.
    pub aliases: &'static [&'static str],
    pub family: Family,
    /// The operand, as the documentation's "operand" column says it.
    pub operand: &'static str,
    /// The operand's type in the generated GraphQL filter inputs.
    pub graphql_operand: GraphqlOperand,
    /// When the test is true, as the documentation's "true when" column says it.
    pub meaning: &'static str,
    /// A valid operand in JSON, shown in hints and used by the tests.
    pub example: &'static str,
    /// Reads the operand (already known not to be JSON null).
    pub(crate) parse: Reader,
    /// Under a type hint on the field, reads the operand as that type instead.
    pub(crate) hinted: Option<HintedReader>,
    /// The GraphQL spelling (an operator field of the generated filter inputs), when it
    /// is not the name in camelCase (`startsWith` for `startswith`).
    pub graphql: Option<&'static str>,
}

/// The GraphQL type of an operator's operand, in the filter input of a scalar `S`
/// (`IntFilter`) or, for the array operators and quantifiers, of a list of `S`
/// (`IntListFilter`). `execute::generate` writes the filter inputs from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphqlOperand {
    /// `S` itself (`eq: Int`).
    Scalar,
    /// `S` itself, offered only where `S` is ordered (`gt: Int`; no `gt` on `Boolean`).
    Ordered,
    /// A list of `S` (`in: [Int!]`).
    List,
    /// The filter of `S`, applied to each element (`any: IntFilter`).
    Filter,
    /// A type whatever `S` is (`isnull: Boolean`, `inSubnet: CIDR`).
    Named(&'static str),
}

impl GraphqlOperand {
    /// The operand's type in the filter of scalar `s`.
    pub fn in_filter_of(self, s: &str) -> String {
        match self {
            GraphqlOperand::Scalar | GraphqlOperand::Ordered => s.to_string(),
            GraphqlOperand::List => format!("[{s}!]"),
            GraphqlOperand::Filter => format!("{s}Filter"),
            GraphqlOperand::Named(t) => t.to_string(),
        }
    }
}

impl OperatorDef {
    /// `{"name": example}`, the form a hint shows.
    pub fn usage(&self) -> String {
        format!("{{\"{}\": {}}}", self.name, self.example)
    }

    /// The operator's field name in GraphQL filter inputs (`arrayContains`, `startsWith`).
    pub fn graphql_name(&self) -> std::borrow::Cow<'static, str> {
        match self.graphql {
            Some(n) => n.into(),
            None => crate::camel_case(self.name),
        }
    }
}

const fn op(
    name: &'static str,
    family: Family,
    operand: &'static str,
    graphql_operand: GraphqlOperand,
    meaning: &'static str,
    example: &'static str,
    parse: Reader,
) -> OperatorDef {
    OperatorDef {
        name,
        aliases: &[],
        family,
        operand,
        graphql_operand,
        meaning,
        example,
        parse,
        hinted: None,
        graphql: None,
    }
}

/// An operator whose GraphQL field name is not its name in camelCase.
const fn gql(mut d: OperatorDef, graphql: &'static str) -> OperatorDef {
    d.graphql = Some(graphql);
    d
}

const fn aka(mut d: OperatorDef, aliases: &'static [&'static str]) -> OperatorDef {
    d.aliases = aliases;
    d
}

const fn typed_too(mut d: OperatorDef, hinted: HintedReader) -> OperatorDef {
    d.hinted = Some(hinted);
    d
}

use Family as F;
use GraphqlOperand as G;

/// Every operator of the where-spec language.
#[rustfmt::skip]
pub static OPERATORS: &[OperatorDef] = &[
    typed_too(op("eq", F::Comparison, "any non-null JSON", G::Scalar, "`v` has the operand's type and equals it; numbers by value (`10 = 10.0`), arrays and objects structurally", "\"active\"", compare::eq), hinted::eq),
    typed_too(aka(op("neq", F::Comparison, "same", G::Scalar, "`v` has the operand's type and differs", "\"archived\"", compare::neq), &["ne"]), hinted::neq),
    typed_too(op("gt", F::Comparison, "string, number or boolean", G::Ordered, "`v` has the operand's type and is greater; numbers numerically (`9 < 10`), strings by code point (`COLLATE \"C\"`), `false < true`", "10", compare::gt), hinted::gt),
    typed_too(op("gte", F::Comparison, "same", G::Ordered, "… greater or equal", "10", compare::gte), hinted::gte),
    typed_too(op("lt", F::Comparison, "same", G::Ordered, "… less", "10", compare::lt), hinted::lt),
    typed_too(op("lte", F::Comparison, "same", G::Ordered, "… less or equal", "10", compare::lte), hinted::lte),
    typed_too(op("in", F::Comparison, "list of non-null values", G::List, "`v` equals one of them (an `OR` of `eq`: unknown when no value in the list has `v`'s type). **An empty list matches nothing**: false for every present value", "[\"a\", \"b\"]", compare::in_), hinted::in_),
    typed_too(aka(op("nin", F::Comparison, "same", G::List, "`NOT in`: `v` has the type of some value in the list and equals none; an empty list matches every present value", "[\"a\", \"b\"]", compare::nin), &["notin"]), hinted::nin),
    op("isnull", F::Comparison, "`true` / `false`", G::Named("Boolean"), "`v` is missing or JSON null / is present and not null. Never unknown", "true", compare::isnull),

    op("contains", F::Text, "string", G::Scalar, "`v` is a string containing it (`%`, `_` and `\\` are literal); with an object or array operand, see Objects and Arrays", "\"edge\"", object::contains),
    op("icontains", F::Text, "string", G::Named("String"), "`v` is a string containing it, in any case", "\"edge\"", text::icontains),
    gql(op("startswith", F::Text, "string", G::Named("String"), "`v` is a string starting with it", "\"ed\"", text::startswith), "startsWith"),
    gql(op("istartswith", F::Text, "string", G::Named("String"), "… in any case", "\"ed\"", text::istartswith), "istartsWith"),
    gql(op("endswith", F::Text, "string", G::Named("String"), "`v` is a string ending with it", "\"ge\"", text::endswith), "endsWith"),
    gql(op("iendswith", F::Text, "string", G::Named("String"), "… in any case", "\"ge\"", text::iendswith), "iendsWith"),
    op("like", F::Text, "LIKE pattern", G::Named("String"), "`v` is a string matching it (`%`, `_`, `\\` escape)", "\"e%\"", text::like),
    op("ilike", F::Text, "LIKE pattern", G::Named("String"), "… in any case", "\"E%\"", text::ilike),
    op("nlike", F::Text, "LIKE pattern", G::Named("String"), "`v` is a string not matching it", "\"e%\"", text::nlike),
    op("nilike", F::Text, "LIKE pattern", G::Named("String"), "… in any case", "\"E%\"", text::nilike),
    aka(op("matches", F::Text, "POSIX regex", G::Named("String"), "`v` is a string matching it (PostgreSQL's `~`)", "\"^e\"", text::matches), &["regex"]),
    aka(op("imatches", F::Text, "POSIX regex", G::Named("String"), "… in any case (`~*`)", "\"^E\"", text::imatches), &["iregex"]),
    aka(op("not_matches", F::Text, "POSIX regex", G::Named("String"), "`v` is a string not matching it (`!~`)", "\"^e\"", text::not_matches), &["nregex"]),
    op("niregex", F::Text, "POSIX regex", G::Named("String"), "… in any case (`!~*`)", "\"^E\"", text::niregex),

    op("array_contains", F::Array, "array, or a scalar", G::List, "`v` is an array and `v @> operand` (a scalar is wrapped: `[operand]`)", "[\"t1\"]", array::contains),
    op("array_contained_by", F::Array, "array", G::List, "`v` is an array and `v <@ operand`", "[\"t1\", \"t2\"]", array::contained_by),
    op("array_overlaps", F::Array, "list of non-null values", G::List, "`v` is an array holding some element of the operand (`v @> [x]` for some `x`); `[]` matches nothing", "[\"t1\", \"t9\"]", array::overlaps),
    op("len_eq", F::Array, "non-negative integer", G::Named("Int"), "`v` is an array of that length", "2", array::len_eq),
    op("len_neq", F::Array, "non-negative integer", G::Named("Int"), "`v` is an array of another length", "2", array::len_neq),
    op("len_gt", F::Array, "non-negative integer", G::Named("Int"), "`v` is an array longer than that", "2", array::len_gt),
    op("len_gte", F::Array, "non-negative integer", G::Named("Int"), "… at least that long", "2", array::len_gte),
    op("len_lt", F::Array, "non-negative integer", G::Named("Int"), "… shorter", "2", array::len_lt),
    op("len_lte", F::Array, "non-negative integer", G::Named("Int"), "… at most that long", "2", array::len_lte),
    op("any_eq", F::Array, "string, number or boolean", G::Scalar, "`v` is an array with an element equal to it", "\"t1\"", array::any_eq),
    op("all_eq", F::Array, "string, number or boolean", G::Scalar, "`v` is an array whose elements all equal it (true for `[]`)", "\"t1\"", array::all_eq),

    op("has_key", F::Object, "string", G::Named("String"), "`v` is an object with that key (even when its value is null)", "\"city\"", object::has_key),
    op("has_any_keys", F::Object, "list of strings", G::Named("[String!]"), "`v` is an object with any of those keys", "[\"city\", \"zip\"]", object::has_any_keys),
    op("has_all_keys", F::Object, "list of strings", G::Named("[String!]"), "`v` is an object with all of those keys", "[\"city\", \"zip\"]", object::has_all_keys),
    op("contained_by", F::Object, "object or array", G::Scalar, "`v` is of the same kind and `v <@ operand` (`contains` with an object or array operand: `v @> operand`)", "{\"city\": \"Paris\", \"rack\": 4}", object::contained_by),

    op("any", F::Quantifier, "spec, or operators", G::Filter, "`v` is an array and some element satisfies the operand", "{\"likes\": {\"gt\": 5}}", quant::any),
    op("all", F::Quantifier, "spec, or operators", G::Filter, "`v` is an array and every element satisfies it (true for `[]`)", "{\"published\": {\"eq\": true}}", quant::all),
    op("none", F::Quantifier, "spec, or operators", G::Filter, "`v` is an array and no element satisfies it", "{\"flagged\": {\"eq\": true}}", quant::none),

    op("inSubnet", F::Network, "network, `\"10.0.0.0/8\"`", G::Named("CIDR"), "the address is inside or equal to it (`<<=`)", "\"10.0.0.0/8\"", net::in_subnet),
    op("inRange", F::Network, "`{\"from\": addr, \"to\": addr}` (both required)", G::Named("IpRangeInput"), "the address lies between them, inclusive, in `inet` order", "{\"from\": \"10.0.0.1\", \"to\": \"10.0.0.99\"}", net::in_range),
    op("isPrivate", F::Network, "`true` / `false`", G::Named("Boolean"), "the address is (is not) in 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, fc00::/7, fe80::/10, ::1", "true", net::is_private),
    op("isPublic", F::Network, "`true` / `false`", G::Named("Boolean"), "the address is a valid address outside those (is not)", "true", net::is_public),
    op("isIPv4", F::Network, "`true` / `false`", G::Named("Boolean"), "the address is (is not) IPv4", "true", net::is_ipv4),
    op("isIPv6", F::Network, "`true` / `false`", G::Named("Boolean"), "the address is (is not) IPv6", "true", net::is_ipv6),
    op("isLoopback", F::Network, "`true` / `false`", G::Named("Boolean"), "the address is (is not) in 127/8 or ::1", "true", net::is_loopback),
    op("isLinkLocal", F::Network, "`true` / `false`", G::Named("Boolean"), "the address is (is not) in 169.254/16 or fe80::/10", "true", net::is_link_local),
    op("isMulticast", F::Network, "`true` / `false`", G::Named("Boolean"), "the address is (is not) in 224/4 or ff00::/8", "true", net::is_multicast),
    op("isDocumentation", F::Network, "`true` / `false`", G::Named("Boolean"), "the address is (is not) in 192.0.2/24, 198.51.100/24, 203.0.113/24 or 2001:db8::/32", "true", net::is_documentation),
    op("isCarrierGrade", F::Network, "`true` / `false`", G::Named("Boolean"), "the address is (is not) in 100.64/10 (RFC 6598)", "true", net::is_carrier_grade),

    op("ancestor_of", F::Ltree, "path", G::Named("LTree"), "the path is an ancestor of it or equal (`@>`)", "\"top.science.astronomy\"", ltree_ops::ancestor_of),
    op("descendant_of", F::Ltree, "path", G::Named("LTree"), "the path is a descendant of it or equal (`<@`)", "\"top.science\"", ltree_ops::descendant_of),
    op("matches_lquery", F::Ltree, "lquery", G::Named("String"), "the path matches it", "\"*.astronomy\"", ltree_ops::matches_lquery),
    op("matches_ltxtquery", F::Ltree, "ltxtquery", G::Named("String"), "the path satisfies it", "\"astronomy & !hobbies\"", ltree_ops::matches_ltxtquery),
    op("matches_any_lquery", F::Ltree, "list of lqueries", G::Named("[String!]"), "the path matches one of them", "[\"top.science\", \"*.hobbies.*\"]", ltree_ops::matches_any_lquery),
    op("depth_eq", F::Ltree, "non-negative integer", G::Named("Int"), "the path has that many labels (`nlevel`)", "3", ltree_ops::depth_eq),
    op("depth_neq", F::Ltree, "non-negative integer", G::Named("Int"), "… another number of labels", "3", ltree_ops::depth_neq),
    op("depth_gt", F::Ltree, "non-negative integer", G::Named("Int"), "… more labels", "3", ltree_ops::depth_gt),
    op("depth_gte", F::Ltree, "non-negative integer", G::Named("Int"), "… at least that many", "3", ltree_ops::depth_gte),
    op("depth_lt", F::Ltree, "non-negative integer", G::Named("Int"), "… fewer labels", "3", ltree_ops::depth_lt),
    op("depth_lte", F::Ltree, "non-negative integer", G::Named("Int"), "… at most that many", "3", ltree_ops::depth_lte),

    op("contains_date", F::DateRange, "date", G::Named("Date"), "the range contains it (`@>`)", "\"2026-01-15\"", range::contains_date),
    op("overlaps", F::DateRange, "range", G::Named("DateRange"), "the range shares a date with it (`&&`)", "\"[2026-01-01,2026-02-01)\"", range::overlaps),
    op("adjacent", F::DateRange, "range", G::Named("DateRange"), "the range touches it without overlapping (`-\\|-`)", "\"[2026-02-01,2026-03-01)\"", range::adjacent),
    op("strictly_left", F::DateRange, "range", G::Named("DateRange"), "the range lies entirely before it (`<<`)", "\"[2026-03-01,2026-04-01)\"", range::strictly_left),
    op("strictly_right", F::DateRange, "range", G::Named("DateRange"), "the range lies entirely after it (`>>`)", "\"[2025-01-01,2025-02-01)\"", range::strictly_right),
    op("not_left", F::DateRange, "range", G::Named("DateRange"), "the range does not extend to the left of it (`&>`)", "\"[2026-01-01,2026-02-01)\"", range::not_left),
    op("not_right", F::DateRange, "range", G::Named("DateRange"), "the range does not extend to the right of it (`&<`)", "\"[2026-01-01,2026-02-01)\"", range::not_right),

    op("plain_query", F::FullText, "query text, or `{\"query\": …, \"config\": …}`", G::Named("String"), "`to_tsvector(config, v) @@ plainto_tsquery(config, query)`", "\"quick fox\"", text::plain_query),
    op("phrase_query", F::FullText, "same", G::Named("String"), "… `phraseto_tsquery(config, query)`", "\"quick brown\"", text::phrase_query),
    op("websearch_query", F::FullText, "same", G::Named("String"), "… `websearch_to_tsquery(config, query)`", "\"quick -slow\"", text::websearch_query),
];

/// Operator spellings are matched case- and underscore-insensitively, so GraphQL's
/// `startsWith`/`arrayContains` and Python's `startswith`/`array_contains` are one name.
pub(crate) fn normalize(key: &str) -> String {
    key.chars().filter(|c| *c != '_').flat_map(|c| c.to_lowercase()).collect()
}

/// Whether two spellings normalize to one name, compared without allocating: every
/// key of a spec is looked up among all spellings (about 80), so an allocation per
/// comparison made lookups most of the time of parsing a small spec.
fn same_name(a: &str, b: &str) -> bool {
    let (mut x, mut y) = (a.chars().filter(|c| *c != '_'), b.chars().filter(|c| *c != '_'));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p.is_ascii() && q.is_ascii() => {
                if !p.eq_ignore_ascii_case(&q) {
                    return false;
                }
            }
            (Some(_), Some(_)) => return normalize(a) == normalize(b),
            _ => return false,
        }
    }
}

/// The operator a spec key names, if any.
pub(crate) fn lookup(key: &str) -> Option<&'static OperatorDef> {
    OPERATORS.iter().find(|d| same_name(d.name, key) || d.aliases.iter().any(|a| same_name(a, key)))
}

/// "Valid operators: eq, neq, …." — the hint of an unknown operator.
pub(crate) fn hint() -> String {
    let names: Vec<&str> = OPERATORS.iter().map(|d| d.name).collect();
    format!("Valid operators: {}.", names.join(", "))
}

/// The operator tables of `docs/where.md`, one per family.
pub fn docs_tables() -> String {
    let mut out = String::new();
    for family in Family::ALL {
        out.push_str(&format!("**{}**\n\n| operator | operand | true when |\n|---|---|---|\n", family.title()));
        for d in OPERATORS.iter().filter(|d| d.family == family) {
            let mut names = format!("`{}`", d.name);
            for a in d.aliases {
                names.push_str(&format!(" (`{a}`)"));
            }
            out.push_str(&format!("| {names} | {} | {} |\n", d.operand, d.meaning));
        }
        out.push('\n');
    }
    out
}

/// What operand readers need of the spec parser (`parse.rs` implements it), so that
/// the family modules never import the parser.
pub(super) trait SpecReader {
    /// The database's case folding, regex and full-text checks.
    fn host(&self) -> &dyn Host;
    /// The operand of a quantifier over the array at `field`: operators that apply to
    /// each element itself, or a spec over each element's fields.
    fn element_spec(&self, v: Value<'_>, path: &str, field: &[String]) -> Result<Node, SpecError>;
}

/// What an operator's reader sees: the parser, the operator, its operand and where.
pub struct Ctx<'p, 'v> {
    pub(super) parser: &'p dyn SpecReader,
    pub(super) def: &'static OperatorDef,
    /// The key as written in the spec.
    pub(super) key: &'p str,
    pub(super) v: Value<'v>,
    /// JSON path of the operand, for errors.
    pub(super) path: &'p str,
    /// Data path of the field the operator tests.
    pub(super) field: &'p [String],
}

impl<'v> Ctx<'_, 'v> {
    pub(super) fn host(&self) -> &dyn Host {
        self.parser.host()
    }

    /// A test of the field's value.
    fn cond(&self, op: Op) -> Result<Node, SpecError> {
        Ok(Node::Cond { path: self.field.to_vec(), op })
    }

    fn corrupt(&self, e: Corrupt) -> SpecError {
        corrupt(self.path, e)
    }

    /// "gt expects a string, number or boolean, got array \[1\]", with the usage as hint.
    fn want(&self, what: &str, v: &Value<'_>) -> SpecError {
        err(
            self.path,
            format!("{} expects {what}, got {} {}", self.key, v.type_name(), show(v)),
            Some(format!("Valid: {}.", self.def.usage())),
        )
    }

    fn json(&self, v: &Value<'_>) -> Result<Json, SpecError> {
        Json::from_value(v).map_err(|e| self.corrupt(e))
    }

    fn string_of(&self, v: &Value<'_>) -> Result<String, SpecError> {
        match v.as_str() {
            Some(s) => Ok(s.map_err(|e| self.corrupt(e))?.to_string()),
            None => Err(self.want("a string", v)),
        }
    }

    /// The operand as a string.
    fn string(&self) -> Result<String, SpecError> {
        self.string_of(&self.v)
    }

    /// The operand as a JSON string, number or boolean.
    fn scalar(&self) -> Result<Json, SpecError> {
        match self.v {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => self.json(&self.v),
            _ => Err(self.want("a string, number or boolean", &self.v)),
        }
    }

    fn boolean(&self) -> Result<bool, SpecError> {
        match self.v {
            Value::Bool(b) => Ok(b),
            _ => Err(self.want("true or false", &self.v)),
        }
    }

    /// The operand as a non-negative integer.
    fn count(&self) -> Result<i64, SpecError> {
        match self.v {
            Value::Number(n) => {
                n.to_i64().filter(|n| *n >= 0).ok_or_else(|| self.want("a non-negative integer", &self.v))
            }
            _ => Err(self.want("a non-negative integer", &self.v)),
        }
    }

    /// The elements of a list operand, each read by `f` with its own JSON path.
    fn each<T>(
        &self,
        what: &str,
        mut f: impl FnMut(Value<'v>, &str) -> Result<T, SpecError>,
    ) -> Result<Vec<T>, SpecError> {
        let Value::Array(items) = self.v else {
            return Err(self.want(what, &self.v));
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.elements().enumerate() {
            crate::guard::interrupts();
            let item = item.map_err(|e| self.corrupt(e))?;
            out.push(f(item, &format!("{}[{i}]", self.path))?);
        }
        Ok(out)
    }

    /// A list of non-null JSON values.
    fn list(&self) -> Result<Vec<Json>, SpecError> {
        self.each("a list", |item, here| {
            if let Value::Null = item {
                return Err(err(
                    here,
                    format!("{} lists cannot hold null", self.key),
                    Some("Null never equals anything; use {\"isnull\": true} to match missing values.".into()),
                ));
            }
            self.json(&item)
        })
    }

    fn strings(&self) -> Result<Vec<String>, SpecError> {
        self.each("a list of strings", |item, _| match item.as_str() {
            Some(s) => Ok(s.map_err(|e| self.corrupt(e))?.to_string()),
            None => Err(self.want("a list of strings", &self.v)),
        })
    }

    /// A value of `ty` (`v` itself or a list element at `here`).
    fn typed_at(&self, ty: TypeName, v: &Value<'_>, here: &str) -> Result<Typed, SpecError> {
        Typed::from_json(ty, v).ok_or_else(|| {
            err(
                here,
                format!("{} expects a {} value, got {}", self.key, ty.name(), show(v)),
                Some(format!("Valid {}: {}.", ty.name(), ty.form())),
            )
        })
    }

    fn typed(&self, ty: TypeName) -> Result<Typed, SpecError> {
        self.typed_at(ty, &self.v, self.path)
    }
}

/// The per-row test of one operator: `v` is the field's value, present and not null.
pub(super) fn test(op: &Op, v: Value<'_>, host: &dyn Host) -> Result<Truth, Corrupt> {
    match op {
        Op::Compare(t) => compare::test(t, &v),
        Op::Text(t) => text::test(t, &v, host),
        Op::Array(t) => array::test(t, &v),
        Op::Object(t) => object::test(t, &v),
        Op::Typed(t) => Ok(hinted::test(t, &v)),
        Op::Net(t) => Ok(net::test(t, &v)),
        Op::Range(t) => Ok(range::test(t, &v)),
        Op::Ltree(t, _) => Ok(ltree_ops::test(t, &v)),
    }
}

/// The SQL of one operator over the SQL expression `v` of the field's value. Where
/// `positive` (not under `NOT`), false and unknown select the same rows and simpler
/// forms are used.
pub(super) fn sql(op: &Op, v: &str, c: &SqlCtx, positive: bool) -> String {
    match op {
        Op::Compare(t) => compare::sql(t, v, positive),
        Op::Text(t) => text::sql(t, v),
        Op::Array(t) => array::sql(t, v),
        Op::Object(t) => object::sql(t, v),
        Op::Typed(t) => hinted::sql(t, v, c),
        Op::Net(t) => net::sql(t, v, c),
        Op::Range(t) => range::sql(t, v, c),
        Op::Ltree(_, source) => ltree_ops::sql(source, v, c),
    }
}

#[cfg(test)]
mod tests;
