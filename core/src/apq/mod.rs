//! Automatic Persisted Queries: query hashing, the stored AST in graphql-js's
//! `DocumentNode` JSON shape, and the Apollo APQ protocol decisions, independent of where
//! the queries are stored (the extension stores them in a table).

mod ast_json;

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

/// A query parsed for storage: its hash and its AST as graphql-js JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub hash: String,
    pub ast_json: String,
}

/// Parses and hashes a query. Syntax errors carry line and column.
pub fn prepare(query: &str) -> Result<Prepared, SyntaxError> {
    let doc = graphql::parse(query)?;
    Ok(Prepared { hash: sha256_hex(query), ast_json: document_json(&doc) })
}

/// What the APQ protocol asks of the store for one request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Hash only: look it up (a hit or a miss).
    Lookup { hash: String },
    /// Hash and query that match: store (idempotently) and answer with it.
    Register { query: String, prepared: Prepared },
    /// A plain request without the extension: nothing to persist.
    Passthrough,
    /// A protocol error, answered as a GraphQL error response.
    Reject { message: String, code: &'static str },
}

fn reject(message: impl Into<String>, code: &'static str) -> Action {
    Action::Reject { message: message.into(), code }
}

/// Decides what a GraphQL request body `{query?, variables?, operationName?,
/// extensions: {persistedQuery: {version, sha256Hash}}}` asks for.
fn get<'a>(c: &crate::jsonb::Container<'a>, k: &str) -> Option<Value<'a>> {
    c.get(k.as_bytes()).ok().flatten()
}

pub fn decide(request: Value<'_>) -> Action {
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
            Some(_) => Action::Passthrough,
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
            match prepare(&q) {
                Ok(prepared) => Action::Register { query: q, prepared },
                Err(e) => reject(e.to_string(), "GRAPHQL_PARSE_FAILED"),
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
        assert_eq!(decide_text(r#"{"query": "{ id }"}"#), Action::Passthrough);
        let broken = "{ id";
        let hb = sha256_hex(broken);
        assert!(matches!(
            decide_text(&format!(
                r#"{{"query": "{broken}", "extensions": {{"persistedQuery": {{"version": 1, "sha256Hash": "{hb}"}}}}}}"#
            )),
            Action::Reject { code: "GRAPHQL_PARSE_FAILED", .. }
        ));
    }
}
