//! String operators: substring, prefix and suffix tests, LIKE, POSIX regular
//! expressions, and full-text search.

use super::errors::{err, show};
use super::sqltext::{guard, pg_op, text_of};
use super::Ctx;
use crate::jsonb::{Corrupt, Value};
use crate::sql::quote_literal;
use crate::where_spec::{like, FtsKind, Host, Node, Op, SpecError, Truth};

/// The longest full-text operand (`matches`, `plain_query`, `phrase_query`,
/// `websearch_query`), in bytes. PostgreSQL builds a tsquery without checking for
/// interrupts, and a phrase query's cost grows faster than its length (a 1 MB
/// `phrase_query` ran 100 s); 4 KB is a few hundred words and builds in milliseconds.
const MAX_FTS_QUERY_BYTES: usize = 4096;

/// The string family's tests of a string value.
#[derive(Clone, Debug)]
pub(crate) enum TextTest {
    /// A LIKE pattern; `pattern` is already lowered when `ci`.
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
    /// Full-text match.
    Fts {
        kind: FtsKind,
        config: String,
        query: String,
    },
}

/// A LIKE test; the pattern is lowered here when case-insensitive.
fn like_op(c: &Ctx<'_, '_>, pattern: String, ci: bool, negate: bool) -> Result<Node, SpecError> {
    let pattern = if ci { c.host().lower(&pattern) } else { pattern };
    c.cond(Op::Text(TextTest::Like { prepared: like::Pattern::new(&pattern), pattern, ci, negate }))
}

/// `%text%`, `text%` or `%text` with the text's own `%`, `_` and `\` escaped.
fn affix(c: &Ctx<'_, '_>, before: &str, after: &str, ci: bool) -> Result<Node, SpecError> {
    like_op(c, format!("{before}{}{after}", like::escape(&c.string()?)), ci, false)
}

/// `contains` with a string operand (the object and array forms are in `object`).
pub(super) fn substring(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    affix(c, "%", "%", false)
}
pub(super) fn icontains(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    affix(c, "%", "%", true)
}
pub(super) fn startswith(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    affix(c, "", "%", false)
}
pub(super) fn istartswith(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    affix(c, "", "%", true)
}
pub(super) fn endswith(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    affix(c, "%", "", false)
}
pub(super) fn iendswith(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    affix(c, "%", "", true)
}

fn user_like(c: &Ctx<'_, '_>, ci: bool, negate: bool) -> Result<Node, SpecError> {
    let pattern = c.string()?;
    if !like::valid(&pattern) {
        return Err(err(
            c.path,
            format!("LIKE pattern {} ends with an escape character", show(&c.v)),
            Some("Escape a trailing backslash as \\\\.".into()),
        ));
    }
    like_op(c, pattern, ci, negate)
}
pub(super) fn like(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    user_like(c, false, false)
}
pub(super) fn ilike(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    user_like(c, true, false)
}
pub(super) fn nlike(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    user_like(c, false, true)
}
pub(super) fn nilike(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    user_like(c, true, true)
}

fn regex(c: &Ctx<'_, '_>, ci: bool, negate: bool) -> Result<Node, SpecError> {
    let pattern = c.string()?;
    c.host().regex_check(&pattern, ci).map_err(|m| {
        err(
            c.path,
            format!("invalid regular expression {}: {m}", show(&c.v)),
            Some("Patterns use PostgreSQL's POSIX regular expression syntax.".into()),
        )
    })?;
    c.cond(Op::Text(TextTest::Regex { pattern, ci, negate }))
}
pub(super) fn matches(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    regex(c, false, false)
}
pub(super) fn imatches(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    regex(c, true, false)
}
pub(super) fn not_matches(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    regex(c, false, true)
}
pub(super) fn niregex(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    regex(c, true, true)
}

/// `"query text"` (configuration `simple`) or `{"query": …, "config": …}`.
fn fts_operand(c: &Ctx<'_, '_>) -> Result<(String, String), SpecError> {
    match &c.v {
        Value::String(_) => Ok((c.string()?, "simple".to_string())),
        Value::Object(o) => {
            let get = |k: &str| -> Result<Option<String>, SpecError> {
                match o.get(k.as_bytes()).map_err(|e| c.corrupt(e))? {
                    None | Some(Value::Null) => Ok(None),
                    Some(x) => c.string_of(&x).map(Some),
                }
            };
            let q = get("query")?.ok_or_else(|| {
                err(c.path, format!("{} needs a \"query\"", c.key), Some(format!("Valid: {}.", c.def.usage())))
            })?;
            Ok((q, get("config")?.unwrap_or_else(|| "simple".to_string())))
        }
        _ => Err(c.want("a query string or {\"query\": …, \"config\": …}", &c.v)),
    }
}

fn fts(c: &Ctx<'_, '_>, kind: FtsKind) -> Result<Node, SpecError> {
    let (query, config) = fts_operand(c)?;
    if query.len() > MAX_FTS_QUERY_BYTES {
        return Err(err(
            c.path,
            format!("full-text query of {} bytes is longer than {MAX_FTS_QUERY_BYTES} bytes", query.len()),
            Some("Search with fewer words.".into()),
        ));
    }
    c.host().fts_check(&config, kind, &query).map_err(|m| {
        err(
            c.path,
            format!("invalid full-text query: {m}"),
            Some("The config names a text search configuration such as \"english\" (default \"simple\").".into()),
        )
    })?;
    c.cond(Op::Text(TextTest::Fts { kind, config, query }))
}
pub(super) fn plain_query(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    fts(c, FtsKind::Plain)
}
pub(super) fn phrase_query(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    fts(c, FtsKind::Phrase)
}
pub(super) fn websearch_query(c: &Ctx<'_, '_>) -> Result<Node, SpecError> {
    fts(c, FtsKind::Websearch)
}

pub(super) fn test(t: &TextTest, v: &Value<'_>, host: &dyn Host) -> Result<Truth, Corrupt> {
    let Some(s) = v.as_str().transpose()? else { return Ok(None) };
    Ok(Some(match t {
        TextTest::Like { prepared, ci, negate, .. } => {
            (if *ci { prepared.matches(&host.lower(s)) } else { prepared.matches(s) }) != *negate
        }
        TextTest::Regex { pattern, ci, negate } => host.regex_match(s, pattern, *ci) != *negate,
        TextTest::Fts { kind, config, query } => host.fts_match(config, *kind, query, s),
    }))
}

pub(super) fn sql(t: &TextTest, v: &str) -> String {
    let text = text_of(v);
    match t {
        TextTest::Like { pattern, ci, negate, .. } => {
            let operator = match (ci, negate) {
                (false, false) => "~~",
                (true, false) => "~~*",
                (false, true) => "!~~",
                (true, true) => "!~~*",
            };
            guard(v, "string", &format!("{text} {} {}", pg_op(operator), quote_literal(pattern)))
        }
        TextTest::Regex { pattern, ci, negate } => {
            let operator = match (ci, negate) {
                (false, false) => "~",
                (true, false) => "~*",
                (false, true) => "!~",
                (true, true) => "!~*",
            };
            guard(v, "string", &format!("{text} {} {}", pg_op(operator), quote_literal(pattern)))
        }
        TextTest::Fts { kind, config, query } => guard(
            v,
            "string",
            &format!(
                "pg_catalog.to_tsvector({cfg}::pg_catalog.regconfig, {text}) {} pg_catalog.{}({cfg}::pg_catalog.regconfig, {}::pg_catalog.text)",
                pg_op("@@"),
                kind.sql(),
                quote_literal(query),
                cfg = quote_literal(config)
            ),
        ),
    }
}
