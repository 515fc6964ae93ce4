//! Errors as graphql-js (the reference implementation) reports them: lines and columns
//! counted as graphql-js counts them (columns in UTF-16 code units; `\r\n`, `\n` and `\r`
//! end lines), and the validation errors apollo-compiler places on another node than
//! graphql-js moved there (an unknown input field on its name, not its value; an unknown
//! fragment on its name, not the `...`; a sub-selection on a leaf on its braces; an
//! undefined variable also at its operation; a field conflict at both fields, once).

use crate::shape::FieldError;
use apollo_compiler::diagnostic::ToCliReport;
use apollo_compiler::validation::DiagnosticList;
use apollo_compiler::ExecutableDocument;

/// Line starts of a source text, to turn byte offsets into graphql-js line and column.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// For every non-ASCII character: its byte offset and, up to and including it, the
    /// sum of (UTF-8 bytes - UTF-16 units). A column is then a subtraction and two
    /// binary searches instead of a count from the line's start: a document on one line
    /// (as JSON request bodies send them) asked that count of every field, quadratic in
    /// its length (20,000 aliased fields: 1.4 s).
    wide: Vec<(usize, usize)>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        let mut tick = crate::guard::Tick::default();
        while i < b.len() {
            tick.tick();
            match b[i] {
                b'\r' if b.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' | b'\n' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        let mut wide = Vec::new();
        let mut sum = 0;
        for (at, c) in text.char_indices().filter(|(_, c)| !c.is_ascii()) {
            tick.tick();
            sum += c.len_utf8() - c.len_utf16();
            wide.push((at, sum));
        }
        Lines { text, starts, wide }
    }

    /// The sum of (UTF-8 bytes - UTF-16 units) of the characters before byte `offset`.
    fn excess_before(&self, offset: usize) -> usize {
        match self.wide.partition_point(|(at, _)| *at < offset) {
            0 => 0,
            n => self.wide[n - 1].1,
        }
    }

    /// 1-based line and column (UTF-16 code units) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let units = (offset - start) - (self.excess_before(offset) - self.excess_before(start));
        (line, units + 1)
    }
}

/// The byte offset of the last `name` before `before` that is a whole word followed by
/// `:` (an object field or an alias), or by anything (`any`).
fn find_name_before(text: &str, name: &str, before: usize, colon: bool) -> Option<usize> {
    let b = text.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut end = before.min(text.len());
    while let Some(i) = text.get(..end)?.rfind(name) {
        crate::guard::interrupts();
        let after = i + name.len();
        let whole = (i == 0 || !is_word(b[i - 1])) && b.get(after).is_none_or(|c| !is_word(*c));
        let rest = text[after..].trim_start();
        if whole && (!colon || rest.starts_with(':')) && (i == 0 || b[i - 1] != b'$') {
            return Some(i);
        }
        end = i;
    }
    None
}

/// The first quoted word of a message (`Field "eqq" is not defined…` → `eqq`).
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('"')? + 1;
    let len = message[start..].find('"')?;
    Some(&message[start..start + len])
}

/// Where graphql-js reports an error apollo-compiler reports at `offset`, and the
/// locations it adds.
fn relocate(name: Option<&str>, message: &str, offset: usize, text: &str, doc: &ExecutableDocument) -> Vec<usize> {
    match name {
        Some("UndefinedInputValue") => {
            let field = quoted(message).unwrap_or_default();
            vec![find_name_before(text, field, offset, true).unwrap_or(offset)]
        }
        Some("UndefinedFragment") => {
            let after_dots = text[offset..].strip_prefix("...").map(|r| offset + 3 + (r.len() - r.trim_start().len()));
            vec![after_dots.unwrap_or(offset)]
        }
        Some("SubselectionOnScalarType" | "SubselectionOnEnumType") => {
            vec![text[offset..].find('{').map_or(offset, |i| offset + i)]
        }
        Some("UndefinedVariable") => {
            let op = doc
                .operations
                .iter()
                .filter_map(|o| o.location())
                .find(|s| s.offset() <= offset && offset < s.end_offset());
            std::iter::once(offset).chain(op.map(|s| s.offset())).collect()
        }
        Some("ConflictingFieldName" | "ConflictingFieldType" | "ConflictingFieldArgument") => {
            let key = quoted(message).unwrap_or_default();
            let earlier = find_name_before(text, key, offset, false);
            earlier.into_iter().chain(std::iter::once(offset)).collect()
        }
        _ => vec![offset],
    }
}

/// How graphql-js ranks the reasons two fields conflict (it reports the first).
fn conflict_rank(name: Option<&str>) -> Option<u8> {
    match name {
        Some("ConflictingFieldName") => Some(0),
        Some("ConflictingFieldArgument") => Some(1),
        Some("ConflictingFieldType") => Some(2),
        _ => None,
    }
}

/// graphql-js stops validating after this many errors (`validate`'s `maxErrors`).
const MAX_ERRORS: usize = 100;

/// Validation errors as GraphQL errors: graphql-js's message where apollo-compiler
/// knows it, graphql-js's locations, one error per conflicting pair of fields, only the
/// first syntax error of a document that does not parse (graphql-js's parser stops
/// there), and at most 100, then graphql-js's "error limit reached" (which also bounds
/// the work of relocating them).
pub(crate) fn validation_errors(errors: &DiagnosticList, text: &str, doc: &ExecutableDocument) -> Vec<FieldError> {
    let lines = Lines::new(text);
    let syntax = errors.iter().next().is_some_and(|d| d.error.to_string().starts_with("syntax error"));
    let mut out: Vec<(Option<u8>, usize, FieldError)> = Vec::new();
    for d in errors.iter().take(if syntax { 1 } else { MAX_ERRORS + 1 }) {
        crate::guard::interrupts();
        let message = d.unstable_to_json_compat().message;
        let name = d.error.unstable_error_name();
        let offsets = match d.error.location() {
            Some(s) => relocate(name, &message, s.offset(), text, doc),
            None => Vec::new(),
        };
        let last = offsets.last().copied().unwrap_or(usize::MAX);
        let e = FieldError {
            message,
            locations: offsets.iter().map(|o| lines.line_col(*o)).collect(),
            path: Vec::new(),
            code: None,
        };
        let rank = conflict_rank(name);
        // A conflict apollo-compiler reports once per reason, graphql-js once per pair.
        if let Some(r) = rank {
            if let Some(prev) = out.iter_mut().find(|(pr, at, _)| pr.is_some() && *at == last) {
                if prev.0 > Some(r) {
                    *prev = (rank, last, e);
                }
                continue;
            }
        }
        out.push((rank, last, e));
    }
    let mut errors: Vec<FieldError> = out.into_iter().map(|(_, _, e)| e).collect();
    if errors.len() > MAX_ERRORS {
        errors.truncate(MAX_ERRORS);
        errors.push(FieldError {
            message: "Too many validation errors, error limit reached. Validation aborted.".into(),
            locations: Vec::new(),
            path: Vec::new(),
            code: None,
        });
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::Lines;

    /// The column counted from the line's start, as graphql-js counts it.
    fn naive(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, text[start..offset].encode_utf16().count() + 1)
    }

    #[test]
    fn columns_count_utf16_units_from_the_line_start() {
        let text = "{ a: é { b } }\n  x𝒳y: z ñ\n\n𝒳𝒳 q\nlast";
        let lines = Lines::new(text);
        for (offset, _) in text.char_indices() {
            assert_eq!(lines.line_col(offset), naive(text, offset), "at byte {offset}");
        }
        assert_eq!(lines.line_col(text.len()), naive(text, text.len()));
    }
}
