//! The GraphQL-over-HTTP request body: `{"query", "variables", "operationName",
//! "extensions"}`.

use super::document::request_error;
use super::values::variables_from_json;
use crate::jsonb::{Container, Value};
use crate::shape::FieldError;
use apollo_compiler::response::JsonMap;

/// A request body, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestBody {
    pub query: Option<String>,
    pub variables: JsonMap,
    pub operation_name: Option<String>,
    /// `extensions.persistedQuery` is present: the APQ protocol decides about `query`.
    pub persisted: bool,
}

fn bad(message: &str) -> FieldError {
    request_error(message, Some("BAD_REQUEST"))
}

fn get<'a>(c: &Container<'a>, key: &str) -> Result<Option<Value<'a>>, FieldError> {
    match c.get(key.as_bytes()) {
        Ok(Some(Value::Null)) | Ok(None) => Ok(None),
        Ok(v) => Ok(v),
        Err(e) => Err(bad(&e.to_string())),
    }
}

fn string(v: Option<Value<'_>>, what: &str) -> Result<Option<String>, FieldError> {
    match v {
        None => Ok(None),
        Some(v) => match v.as_str() {
            Some(Ok(s)) => Ok(Some(s.to_string())),
            _ => Err(bad(&format!("{what} must be a string"))),
        },
    }
}

/// Reads a request body. Unknown members are ignored, as GraphQL-over-HTTP asks.
pub fn parse_request(body: Value<'_>) -> Result<RequestBody, FieldError> {
    let Value::Object(c) = body else { return Err(bad("the request body must be a JSON object")) };
    let query = string(get(&c, "query")?, "query")?;
    let operation_name = string(get(&c, "operationName")?, "operationName")?;
    let variables = match get(&c, "variables")? {
        None => JsonMap::new(),
        Some(v @ Value::Object(_)) => {
            variables_from_json(&v.to_text().map_err(|e| bad(&e.to_string()))?).map_err(|m| bad(&m))?
        }
        Some(_) => return Err(bad("variables must be a JSON object")),
    };
    let persisted = match get(&c, "extensions")? {
        None => false,
        Some(Value::Object(ext)) => get(&ext, "persistedQuery")?.is_some(),
        Some(_) => return Err(bad("extensions must be a JSON object")),
    };
    Ok(RequestBody { query, variables, operation_name, persisted })
}
