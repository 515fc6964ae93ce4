//! The spec errors the parser and the operand readers raise, and how they quote the
//! offending value. A leaf, shared by `parse.rs` and the families.

use super::super::SpecError;
use crate::jsonb::{Corrupt, Value};

pub(in crate::where_spec) fn err(path: &str, message: impl Into<String>, hint: Option<String>) -> SpecError {
    SpecError { path: path.to_string(), message: message.into(), hint }
}

pub(in crate::where_spec) fn corrupt(path: &str, e: Corrupt) -> SpecError {
    err(path, e.to_string(), None)
}

/// The value as JSON text, cut for a message.
pub(in crate::where_spec) fn show(v: &Value<'_>) -> String {
    super::super::clip(&v.to_text().unwrap_or_else(|_| "?".into()))
}
