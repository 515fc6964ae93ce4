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
mod eval;
pub mod like;
mod parse;

use crate::jsonb::{self, Corrupt, Value};
use std::fmt;

pub use parse::OPERATORS;

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
        write!(f, "invalid where-spec at {}: {}", self.path, self.message)
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
enum Node {
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
enum Quant {
    Any,
    All,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
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
enum LenCmp {
    Eq,
    Neq,
    Ord(Cmp),
}

#[derive(Clone, Debug)]
enum Op {
    /// Same JSON type and equal (numbers by value).
    Eq(Json),
    Neq(Json),
    Order(Cmp, Json),
    /// Equal to one of the values (an OR of `Eq`).
    In(Vec<Json>),
    Nin(Vec<Json>),
    IsNull(bool),
    /// A LIKE pattern over a string value; `pattern` is already lowered when `ci`.
    Like {
        pattern: String,
        prepared: like::Pattern,
        ci: bool,
        negate: bool,
    },
    Regex {
        pattern: String,
        ci: bool,
        negate: bool,
    },
    /// Array `@>` (operand an array, or a scalar wrapped in one).
    ArrayContains(Json),
    ArrayContainedBy(Json),
    /// Some operand element is an element of the array (each stored wrapped as `[x]`).
    ArrayOverlaps(Vec<Json>),
    Len(LenCmp, i64),
    /// Some element equals the scalar (stored wrapped as `[x]`).
    AnyEq(Json),
    AllEq(Json),
    HasKey(String),
    HasAnyKeys(Vec<String>),
    HasAllKeys(Vec<String>),
    /// Object `@>` / `<@`.
    ObjContains(Json),
    ObjContainedBy(Json),
}

impl Spec {
    /// Parses a spec document. `host` validates regular expressions and folds case for
    /// the case-insensitive operators.
    pub fn parse(spec: Value<'_>, options: Options, host: &dyn Host) -> Result<Spec, SpecError> {
        parse::parse(spec, options, host).map(|root| Spec { root })
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
    pub fn to_sql(&self, column: &str) -> String {
        compile::compile(&self.root, &crate::sql::quote_ident(column))
    }

    /// True when the spec has no condition (selects every row).
    pub fn is_empty(&self) -> bool {
        matches!(self.root, Node::True)
    }
}
