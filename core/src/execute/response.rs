//! The response body: `{"errors":[…],"data":…}` with errors first and only when there
//! are some, each error as graphql-js writes it (`message`, `locations`, `path`,
//! `extensions`, in that order, the empty ones left out).

use crate::jsonb::{write_json_string, Out};
use crate::shape::{FieldError, PathSegment};

/// Writes one error object.
pub fn write_error<O: Out + ?Sized>(e: &FieldError, out: &mut O) {
    out.put("{\"message\":");
    write_json_string(out, &e.message);
    if !e.locations.is_empty() {
        out.put(",\"locations\":[");
        for (i, (line, column)) in e.locations.iter().enumerate() {
            if i > 0 {
                out.put(",");
            }
            out.put(&format!("{{\"line\":{line},\"column\":{column}}}"));
        }
        out.put("]");
    }
    if !e.path.is_empty() {
        out.put(",\"path\":[");
        for (i, seg) in e.path.iter().enumerate() {
            if i > 0 {
                out.put(",");
            }
            match seg {
                PathSegment::Key(k) => write_json_string(out, k),
                PathSegment::Index(n) => out.put(&n.to_string()),
            }
        }
        out.put("]");
    }
    if let Some(code) = &e.code {
        out.put(",\"extensions\":{\"code\":");
        write_json_string(out, code);
        out.put("}");
    }
    out.put("}");
}

/// `"errors":[…]` (without braces around it).
pub fn write_errors<O: Out + ?Sized>(errors: &[FieldError], out: &mut O) {
    out.put("\"errors\":[");
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.put(",");
        }
        write_error(e, out);
    }
    out.put("]");
}

/// The whole response: errors (when any) and data (`None`: a request error, no `data`).
pub fn response(errors: &[FieldError], data: Option<&str>) -> String {
    let mut out = String::from("{");
    if !errors.is_empty() {
        write_errors(errors, &mut out);
        if data.is_some() {
            out.push(',');
        }
    }
    if let Some(d) = data {
        out.push_str("\"data\":");
        out.push_str(d);
    }
    out.push('}');
    out
}
