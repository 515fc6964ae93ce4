//! Automatic Persisted Queries: query hashing, the stored AST in graphql-js's
//! `DocumentNode` JSON shape, and the Apollo APQ protocol decisions, independent of where
//! the queries are stored (the extension stores them in a table).

mod ast_json;
pub mod counters;

pub use ast_json::document_json;

use crate::graphql::{self, SyntaxError};
use crate::jsonb::Value;
use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of the exact UTF-8 bytes of the query text.
pub fn sha256_hex(query: &str) -> String {
    let digest = Sha256::digest(query.as_bytes());
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A hash as Apollo clients send it: 64 hex digits. Uppercase digits are accepted and
/// folded to lowercase, the form hashes are stored in.
pub fn normalize_hash(hash: &str) -> Option<String> {
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hash.to_ascii_lowercase())
}

/// Queries longer than this many bytes are refused unless the caller sets another limit
/// (the extension's `fraiseql.apq_max_query_bytes` defaults to it).
pub const DEFAULT_MAX_QUERY_BYTES: usize = 1 << 20;

/// A query parsed for storage: its hash and its AST as graphql-js JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub hash: String,
    pub ast_json: String,
}

/// Why a query is not parsed, stored or served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Longer than the limit: refused before it is hashed or parsed.
    TooLarge { size: usize, limit: usize },
    /// Not a GraphQL executable document (line and column inside).
    Syntax(SyntaxError),
    /// A string value holds U+0000, which jsonb, and so the stored AST, cannot represent.
    NulCharacter,
}

impl Refusal {
    /// The `extensions.code` of the GraphQL error answering it.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Syntax(_) => "GRAPHQL_PARSE_FAILED",
            Refusal::TooLarge { .. } | Refusal::NulCharacter => "BAD_REQUEST",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooLarge { size, limit } => {
                write!(f, "the query is {size} bytes, more than the {limit} allowed (fraiseql.apq_max_query_bytes)")
            }
            Refusal::Syntax(e) => e.fmt(f),
            Refusal::NulCharacter => f.write_str("GraphQL string values containing U+0000 are not supported"),
        }
    }
}

/// Refuses a query longer than `limit` bytes; the first check, before anything reads it.
pub fn check_size(query: &str, limit: usize) -> Result<(), Refusal> {
    if query.len() > limit {
        return Err(Refusal::TooLarge { size: query.len(), limit });
    }
    Ok(())
}

/// Whether JSON text holds an escaped U+0000 (`\u0000`), which jsonb refuses. Scans escapes
/// pairwise so that an escaped backslash followed by `u0000` is not mistaken for one.
fn has_nul_escape(json: &str) -> bool {
    let b = json.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'u') && b.get(i + 2..i + 6) == Some(b"0000".as_slice()) {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The AST of a query of at most `limit` bytes, as graphql-js JSON text.
pub fn parse_within(query: &str, limit: usize) -> Result<String, Refusal> {
    check_size(query, limit)?;
    let doc = graphql::parse(query).map_err(Refusal::Syntax)?;
    let ast = document_json(&doc);
    if has_nul_escape(&ast) {
        return Err(Refusal::NulCharacter);
    }
    Ok(ast)
}

/// Parses and hashes a query of at most `limit` bytes (size first, then syntax).
pub fn prepare_within(query: &str, limit: usize) -> Result<Prepared, Refusal> {
    let ast_json = parse_within(query, limit)?;
    Ok(Prepared { hash: sha256_hex(query), ast_json })
}

/// Parses and hashes a query of any size. Syntax errors carry line and column.
pub fn prepare(query: &str) -> Result<Prepared, Refusal> {
    prepare_within(query, usize::MAX)
}

/// What the APQ protocol asks of the store for one request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Hash only: look it up (a hit or a miss).
    Lookup { hash: String },
    /// Hash and query that match: store (idempotently) and answer with it.
    Register { query: String, prepared: Prepared },
    /// A plain request without the extension: parsed, nothing to persist.
    Passthrough { query: String, ast_json: String },
    /// A protocol error, answered as a GraphQL error response.
    Reject { message: String, code: &'static str },
}

fn reject(message: impl Into<String>, code: &'static str) -> Action {
    Action::Reject { message: message.into(), code }
}

fn refused(r: Refusal) -> Action {
    Action::Reject { message: r.to_string(), code: r.code() }
}

fn get<'a>(c: &crate::jsonb::Container<'a>, k: &str) -> Option<Value<'a>> {
    c.get(k.as_bytes()).ok().flatten()
}

/// [`decide_within`] without a size limit.
pub fn decide(request: Value<'_>) -> Action {
    decide_within(request, usize::MAX)
}

/// Decides what a GraphQL request body `{query?, variables?, operationName?,
/// extensions: {persistedQuery: {version, sha256Hash}}}` asks for. A query longer than
/// `max_query_bytes` is refused before it is hashed or parsed.
pub fn decide_within(request: Value<'_>, max_query_bytes: usize) -> Action {
    let Value::Object(req) = request else {
        return reject("the request body must be a JSON object", "BAD_REQUEST");
    };
    let query = match get(&req, "query") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_str() {
            Some(Ok(q)) => Some(q.to_string()),
            _ => return reject("query must be a string", "BAD_REQUEST"),
        },
    };
    if let Some(Err(r)) = query.as_deref().map(|q| check_size(q, max_query_bytes)) {
        return refused(r);
    }
    let pq = match get(&req, "extensions") {
        None | Some(Value::Null) => None,
        Some(Value::Object(ext)) => match get(&ext, "persistedQuery") {
            None | Some(Value::Null) => None,
            Some(Value::Object(pq)) => Some(pq),
            Some(_) => return reject("extensions.persistedQuery must be an object", "BAD_REQUEST"),
        },
        Some(_) => return reject("extensions must be an object", "BAD_REQUEST"),
    };
    let Some(pq) = pq else {
        return match query {
            Some(q) => match parse_within(&q, max_query_bytes) {
                Ok(ast_json) => Action::Passthrough { query: q, ast_json },
                Err(r) => refused(r),
            },
            None => reject("the request has neither a query nor a persisted query hash", "BAD_REQUEST"),
        };
    };
    match get(&pq, "version") {
        Some(Value::Number(n)) if n.to_i64() == Some(1) => {}
        Some(v) => {
            return reject(
                format!("unsupported persisted query version {}", v.to_text().unwrap_or_default()),
                "PERSISTED_QUERY_NOT_SUPPORTED",
            )
        }
        None => return reject("extensions.persistedQuery.version is missing", "BAD_REQUEST"),
    }
    let hash = match get(&pq, "sha256Hash").map(|v| v.as_str()) {
        Some(Some(Ok(h))) => match normalize_hash(h) {
            Some(h) => h,
            None => return reject("sha256Hash must be 64 hexadecimal digits", "BAD_REQUEST"),
        },
        _ => return reject("extensions.persistedQuery.sha256Hash must be a string", "BAD_REQUEST"),
    };
    match query {
        None => Action::Lookup { hash },
        Some(q) => {
            if sha256_hex(&q) != hash {
                return reject("provided sha does not match query", "INTERNAL_SERVER_ERROR");
            }
            match prepare_within(&q, max_query_bytes) {
                Ok(prepared) => Action::Register { query: q, prepared },
                Err(r) => refused(r),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonb;

    fn decide_text(body: &str) -> Action {
        let b = jsonb::encode(body).unwrap();
        decide(jsonb::root(&b).unwrap())
    }

    #[test]
    fn hashes_exact_bytes() {
        assert_eq!(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex("{ id }"), sha256_hex("{ id }"));
        assert_ne!(sha256_hex("{ id }"), sha256_hex("{id}"));
        assert_eq!(normalize_hash(&"A".repeat(64)), Some("a".repeat(64)));
        assert_eq!(normalize_hash("abc"), None);
    }

    #[test]
    fn protocol_paths() {
        let q = "{ routerConfigs { id } }";
        let h = sha256_hex(q);
        assert_eq!(
            decide_text(&format!(r#"{{"extensions": {{"persistedQuery": {{"version": 1, "sha256Hash": "{h}"}}}}}}"#)),
            Action::Lookup { hash: h.clone() }
        );
        match decide_text(&format!(
            r#"{{"query": "{q}", "extensions": {{"persistedQuery": {{"version": 1, "sha256Hash": "{h}"}}}}}}"#
        )) {
            Action::Register { prepared, .. } => assert_eq!(prepared.hash, h),
            other => panic!("{other:?}"),
        }
        let bad = format!(
            r#"{{"query": "{{ other }}", "extensions": {{"persistedQuery": {{"version": 1, "sha256Hash": "{h}"}}}}}}"#
        );
        assert_eq!(decide_text(&bad), reject("provided sha does not match query", "INTERNAL_SERVER_ERROR"));
        assert!(matches!(
            decide_text(&format!(r#"{{"extensions": {{"persistedQuery": {{"version": 2, "sha256Hash": "{h}"}}}}}}"#)),
            Action::Reject { code: "PERSISTED_QUERY_NOT_SUPPORTED", .. }
        ));
        assert!(matches!(
            decide_text(r#"{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "xyz"}}}"#),
            Action::Reject { .. }
        ));
        assert!(matches!(
            decide_text(r#"{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": 5}}}"#),
            Action::Reject { .. }
        ));
        assert!(matches!(decide_text(r#"[1]"#), Action::Reject { .. }));
        assert!(matches!(decide_text(r#"{"query": "{ id }"}"#), Action::Passthrough { .. }));
        let broken = "{ id";
        let hb = sha256_hex(broken);
        assert!(matches!(
            decide_text(&format!(
                r#"{{"query": "{broken}", "extensions": {{"persistedQuery": {{"version": 1, "sha256Hash": "{hb}"}}}}}}"#
            )),
            Action::Reject { code: "GRAPHQL_PARSE_FAILED", .. }
        ));
    }

    fn register_body(q: &str) -> String {
        let mut body = String::from(r#"{"query": "#);
        jsonb::write_json_string(&mut body, q);
        body.push_str(&format!(
            r#", "extensions": {{"persistedQuery": {{"version": 1, "sha256Hash": "{}"}}}}}}"#,
            sha256_hex(q)
        ));
        body
    }

    fn decide_within_text(body: &str, limit: usize) -> Action {
        let b = jsonb::encode(body).unwrap();
        decide_within(jsonb::root(&b).unwrap(), limit)
    }

    #[test]
    fn size_limit_comes_before_hash_and_parse() {
        let q = "{ a }"; // 5 bytes
        assert!(matches!(decide_within_text(&register_body(q), 5), Action::Register { .. }));
        let too_large = Action::Reject {
            message: "the query is 5 bytes, more than the 4 allowed (fraiseql.apq_max_query_bytes)".into(),
            code: "BAD_REQUEST",
        };
        assert_eq!(decide_within_text(&register_body(q), 4), too_large);
        // Refused for its size even when the hash does not match or it does not parse.
        let wrong = format!(
            r#"{{"query": "{{ a", "extensions": {{"persistedQuery": {{"version": 1, "sha256Hash": "{}"}}}}}}"#,
            "0".repeat(64)
        );
        assert!(matches!(decide_within_text(&wrong, 2), Action::Reject { code: "BAD_REQUEST", .. }));
        assert!(matches!(decide_within_text(r#"{"query": "{ a }"}"#, 4), Action::Reject { code: "BAD_REQUEST", .. }));
        assert_eq!(prepare_within(q, 4), Err(Refusal::TooLarge { size: 5, limit: 4 }));
        assert!(prepare_within(q, 5).is_ok());
    }

    #[test]
    fn nul_in_a_string_value_is_refused_not_stored() {
        let q = r#"{ a(x: "\u0000") }"#;
        assert_eq!(prepare(q), Err(Refusal::NulCharacter));
        assert!(matches!(decide_text(&register_body(q)), Action::Reject { code: "BAD_REQUEST", .. }));
        let mut body = String::from(r#"{"query": "#);
        jsonb::write_json_string(&mut body, q);
        body.push('}');
        assert!(matches!(decide_text(&body), Action::Reject { code: "BAD_REQUEST", .. }));
        // An escaped backslash followed by u0000 is six ordinary characters.
        assert!(prepare(r#"{ a(x: "\\u0000") }"#).is_ok());
        assert!(prepare(r#"{ a(x: "\u0001") }"#).is_ok());
        assert!(prepare("{ a(x: \"\"\"\\u0000\"\"\") }").is_ok()); // block strings do not unescape
    }
}
