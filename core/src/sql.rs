//! Quoting for SQL text we generate. Every identifier and literal that comes from user
//! input goes through these two functions; nothing is spliced in raw.

/// Always double-quotes, so reserved words and mixed case survive (`data` → `"data"`).
pub fn quote_ident(ident: &str) -> String {
    let mut s = String::with_capacity(ident.len() + 2);
    s.push('"');
    for c in ident.chars() {
        if c == '"' {
            s.push('"');
        }
        s.push(c);
    }
    s.push('"');
    s
}

/// A string literal valid whatever `standard_conforming_strings` says: quotes are
/// doubled, and a literal holding a backslash is written as `E'…'` with backslashes
/// doubled (the rule of PostgreSQL's own `quote_literal`).
pub fn quote_literal(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 3);
    if text.contains('\\') {
        s.push('E');
    }
    s.push('\'');
    for c in text.chars() {
        if c == '\'' || c == '\\' {
            s.push(c);
        }
        s.push(c);
    }
    s.push('\'');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_ident("data"), "\"data\"");
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
        assert_eq!(quote_literal(""), "''");
    }
}
