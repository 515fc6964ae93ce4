//! The where-spec engine: FraiseQL's GraphQL-style filter documents, parsed once into a
//! tree, then either evaluated against rows in place (`Spec::matches`) or compiled to a
//! SQL boolean expression (`Spec::to_sql`). The two must select exactly the same rows;
//! `docs/where.md` states the language and the differential test in `pgrx-tests/` holds
//! them to it.
//!
//! Evaluation is three-valued, like SQL: a comparison against a missing key, a JSON null
//! or a value of another JSON type is *unknown*, and unknown stays unknown under `NOT`.
//! Only a definite true selects a row.

mod compile;
mod containment;
mod eval;
pub mod index;
pub mod like;
pub mod ltree;
pub mod ops;
mod parse;
pub mod typed;

use crate::jsonb::{self, Corrupt, Value};
use std::fmt;

pub(crate) use ops::{ArrayTest, CompareTest, LtreeTest, NetTest, ObjectTest, RangeTest, TCmp, TextTest, TypedTest};
pub use ops::{OperatorDef, OPERATORS};

/// Whether a spec key is read as a connective (`AND`, `_not`, …) or an operator (`eq`,
/// `like`, …) rather than a field: a field of that name cannot be filtered by name.
pub fn is_reserved_key(key: &str) -> bool {
    parse::is_logical(key) || ops::lookup(key).is_some()
}
pub use typed::{TypeName, Typed, TYPE_NAMES};

/// `s` cut to 60 characters for an error message: operands can be megabytes long.
pub(crate) fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        s.chars().take(57).collect::<String>() + "..."
    } else {
        s.to_string()
    }
}

/// What the database provides to the evaluator: the operations whose exact semantics
/// belong to PostgreSQL (case folding under the database's locale, its regex dialect),
/// so that the per-row function and the compiled SQL agree by construction.
pub trait Host {
    /// `lower(text)` under the default collation.
    fn lower(&self, s: &str) -> String;
    /// Compiles the pattern, reporting a syntax error as text.
    fn regex_check(&self, pattern: &str, case_insensitive: bool) -> Result<(), String>;
    /// `text ~ pattern` (or `~*`).
    fn regex_match(&self, text: &str, pattern: &str, case_insensitive: bool) -> bool;
    /// Checks a text search configuration name and query.
    fn fts_check(&self, config: &str, kind: FtsKind, query: &str) -> Result<(), String>;
    /// `to_tsvector(config, text) @@ <kind>_tsquery(config, query)`.
    fn fts_match(&self, config: &str, kind: FtsKind, query: &str, text: &str) -> bool;
}

/// Which tsquery constructor a full-text operator uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FtsKind {
    Plain,
    Phrase,
    Websearch,
}

impl FtsKind {
    /// The SQL function building the tsquery.
    pub fn sql(self) -> &'static str {
        match self {
            FtsKind::Plain => "plainto_tsquery",
            FtsKind::Phrase => "phraseto_tsquery",
            FtsKind::Websearch => "websearch_to_tsquery",
        }
    }
}

/// Options that change how a spec is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// Map camelCase field names in the spec to snake_case data keys (`isCurrent` →
    /// `is_current`). On by default; off matches keys exactly as written.
    pub convert_keys: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { convert_keys: true }
    }
}

/// A spec that cannot be given one meaning. Rendered as SQLSTATE 22023 by the extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    /// Where in the spec: `where.machine.id.in`.
    pub path: String,
    pub message: String,
    /// What would have been valid there.
    pub hint: Option<String>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.path.split(['.', '[']).next().unwrap_or_default() {
            "where" => "where-spec",
            "types" => "types",
            "order_by" => "order_by",
            _ => "spec",
        };
        write!(f, "invalid {what} at {}: {}", self.path, self.message)
    }
}

impl std::error::Error for SpecError {}

/// An owned JSON value taken from the spec (stored as a jsonb root so the evaluator
/// compares it with row values by the same routines).
#[derive(Clone, Debug)]
pub struct Json {
    bytes: Vec<u8>,
    text: String,
}

impl Json {
    fn from_value(v: &Value<'_>) -> Result<Json, Corrupt> {
        let text = v.to_text()?;
        Self::from_text(text)
    }

    fn from_text(text: String) -> Result<Json, Corrupt> {
        let bytes = jsonb::encode(&text).map_err(|_| Corrupt("operand does not re-encode"))?;
        Ok(Json { bytes, text })
    }

    pub fn value(&self) -> Value<'_> {
        jsonb::root(&self.bytes).expect("encoded by us")
    }

    /// The value as `jsonb_out` prints it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `[self]`, for containment tests of one element.
    fn wrapped(&self) -> Json {
        Json::from_text(format!("[{}]", self.text)).expect("wrapping valid JSON")
    }
}

/// A parsed where-spec.
#[derive(Clone, Debug)]
pub struct Spec {
    root: Node,
}

/// Three-valued truth: `None` is SQL's unknown.
pub type Truth = Option<bool>;

#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// No condition at all (`{}`, or everything in it was null).
    True,
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// A test on the value at `path` (data keys, relative to the current object; empty
    /// inside a quantifier over scalars: the element itself).
    Cond {
        path: Vec<String>,
        op: Op,
    },
    /// `any` / `all` / `none` over the array at `path`; `inner` is relative to each element.
    Quant {
        path: Vec<String>,
        kind: Quant,
        inner: Box<Node>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quant {
    Any,
    All,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Cmp {
    fn sql(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Gte => ">=",
            Cmp::Lt => "<",
            Cmp::Lte => "<=",
        }
    }

    fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Gt => o == Greater,
            Cmp::Gte => o != Less,
            Cmp::Lt => o == Less,
            Cmp::Lte => o != Greater,
        }
    }
}

/// Comparison of array lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LenCmp {
    Eq,
    Neq,
    Ord(Cmp),
}

/// One operator's test of a field's value, by family. Each family module under [`ops`]
/// declares its test type, reads operands into it, evaluates it (`test`) and compiles it
/// (`sql`); [`ops::test`] and [`ops::sql`] dispatch one line per family.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    Compare(CompareTest),
    Text(TextTest),
    Array(ArrayTest),
    Object(ObjectTest),
    /// A comparison of the value read as a type (docs/where.md "Type hints").
    Typed(TypedTest),
    /// The value read as an inet address.
    Net(NetTest),
    /// The value read as a date range.
    Range(RangeTest),
    /// The value read as an ltree path; the text is the operator object itself
    /// (`{"matches_lquery": "*.a"}`), which the compiled SQL hands to `fraiseql_test`.
    Ltree(LtreeTest, String),
}

/// Field paths (data keys) mapped to the type their values are read as.
pub type TypeHints = std::collections::HashMap<Vec<String>, TypeName>;

impl Spec {
    /// Parses a spec document. `host` validates regular expressions and folds case for
    /// the case-insensitive operators.
    pub fn parse(spec: Value<'_>, options: Options, host: &dyn Host) -> Result<Spec, SpecError> {
        Self::parse_typed(spec, &TypeHints::new(), options, host)
    }

    /// Parses a spec whose fields listed in `types` are read as those types.
    pub fn parse_typed(
        spec: Value<'_>,
        types: &TypeHints,
        options: Options,
        host: &dyn Host,
    ) -> Result<Spec, SpecError> {
        parse::parse(spec, types, options, host).map(|root| Spec { root })
    }

    /// Reads a `types` document (`{"created_at": "timestamptz", "machine.ip": "inet"}`).
    pub fn parse_types(types: Value<'_>, options: Options) -> Result<TypeHints, SpecError> {
        parse::parse_types(types, options)
    }

    /// Parses an operator object that applies to a value itself (`{"gt": 5}`), as used
    /// by `fraiseql_test`.
    pub fn parse_operators(ops: Value<'_>, options: Options, host: &dyn Host) -> Result<Spec, SpecError> {
        parse::parse_operators(ops, options, host).map(|root| Spec { root })
    }

    /// Parses a spec from JSON text (tests, tools).
    pub fn parse_text(spec: &str, options: Options, host: &dyn Host) -> Result<Spec, SpecError> {
        let bytes = jsonb::encode(spec).map_err(|e| SpecError {
            path: "where".into(),
            message: format!("not valid JSON: {e}"),
            hint: None,
        })?;
        Self::parse(jsonb::root(&bytes).expect("just encoded"), options, host)
    }

    /// True when the row satisfies the spec (unknown counts as not satisfied).
    pub fn matches(&self, row: Value<'_>, host: &dyn Host) -> Result<bool, Corrupt> {
        Ok(eval::eval(&self.root, row, host)? == Some(true))
    }

    /// The three-valued result, for callers that need to tell false from unknown.
    pub fn truth(&self, row: Value<'_>, host: &dyn Host) -> Result<Truth, Corrupt> {
        eval::eval(&self.root, row, host)
    }

    /// The spec as a SQL boolean expression over the jsonb column `column` (quoted).
    /// Typed operators call the extension's helper functions, unqualified.
    pub fn to_sql(&self, column: &str) -> String {
        self.to_sql_in(column, None)
    }

    /// As `to_sql`, with the helper functions qualified by `schema` (the extension's).
    pub fn to_sql_in(&self, column: &str, schema: Option<&str>) -> String {
        let prefix = schema.map(|s| format!("{}.", crate::sql::quote_ident(s))).unwrap_or_default();
        compile::compile(&self.root, &crate::sql::quote_ident(column), &prefix)
    }

    /// Rewrites `eq`, `neq`, `in` and `nin` on values read as `uuid` into comparisons of
    /// the stored string with the operand's canonical text (lowercase, hyphenated: what
    /// PostgreSQL's `uuid` output and `to_jsonb(uuid)` write). The engine does this for
    /// `UUID` fields (docs/execute.md, "UUID equality"): an equality on the typed value
    /// has no form a GIN index on `data` serves (an uppercase or unhyphenated spelling is
    /// the same uuid), while the canonical text becomes one `@>` containment. Ordering
    /// operators stay typed: canonical text does not order like the 16 bytes under every
    /// collation.
    pub fn uuid_equalities_as_text(&mut self) {
        uuid_as_text(&mut self.root);
    }

    /// True when the spec has no condition (selects every row).
    pub fn is_empty(&self) -> bool {
        matches!(self.root, Node::True)
    }
}

/// [`Spec::uuid_equalities_as_text`] over a node. Recursion follows the parsed tree, at
/// most `parse::MAX_DEPTH` levels.
fn uuid_as_text(node: &mut Node) {
    crate::guard::stack();
    let canonical = |t: &Typed| match t {
        Typed::Uuid(u) => Json::from_text(format!("\"{}\"", typed::uuid_text(u))).ok(),
        _ => None,
    };
    match node {
        Node::True => {}
        Node::And(parts) | Node::Or(parts) => {
            for p in parts {
                crate::guard::interrupts();
                uuid_as_text(p);
            }
        }
        Node::Not(inner) => uuid_as_text(inner),
        Node::Quant { inner, .. } => uuid_as_text(inner),
        Node::Cond { op, .. } => {
            let new = match op {
                Op::Typed(TypedTest::Cmp { ty: TypeName::Uuid, cmp: TCmp::Eq, operand }) => {
                    canonical(operand).map(|j| Op::Compare(CompareTest::Eq(j)))
                }
                Op::Typed(TypedTest::Cmp { ty: TypeName::Uuid, cmp: TCmp::Neq, operand }) => {
                    canonical(operand).map(|j| Op::Compare(CompareTest::Neq(j)))
                }
                Op::Typed(TypedTest::In { ty: TypeName::Uuid, list, negate }) => {
                    let mut texts = Vec::with_capacity(list.len());
                    for t in list.iter() {
                        crate::guard::interrupts();
                        texts.push(canonical(t));
                    }
                    texts.into_iter().collect::<Option<Vec<_>>>().map(|l| {
                        if *negate {
                            Op::Compare(CompareTest::Nin(l))
                        } else {
                            Op::Compare(CompareTest::In(l))
                        }
                    })
                }
                _ => None,
            };
            if let Some(new) = new {
                *op = new;
            }
        }
    }
}
