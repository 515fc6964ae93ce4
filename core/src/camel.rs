//! snake_case → camelCase, the key rule used by every GraphQL response we produce.
//!
//! The rule (documented in `docs/camel_case.md`):
//! * leading underscores are kept verbatim (`_private` stays `_private`, `__typename`
//!   stays `__typename`): they mark private or introspection fields, and dropping them
//!   would collide `_id` with `id`;
//! * trailing underscores are kept verbatim (`type_` stays `type_`), for the same reason;
//! * every other run of underscores is removed and the character after it is uppercased
//!   (`address_line_1` → `addressLine1`, `ip_v4_address` → `ipV4Address`);
//! * nothing else changes case: `HTTP_status` → `HTTPStatus`, `isCurrent` → `isCurrent`.

use std::borrow::Cow;

/// Converts one snake_case key to camelCase. Borrows when there is nothing to change,
/// which is the common case for already-camel or single-word keys.
pub fn camel_case(key: &str) -> Cow<'_, str> {
    let lead = key.len() - key.trim_start_matches('_').len();
    let body_end = key.trim_end_matches('_').len().max(lead);
    let body = &key[lead..body_end];
    if !body.contains('_') {
        return Cow::Borrowed(key);
    }
    let mut out = String::with_capacity(key.len());
    out.push_str(&key[..lead]);
    let mut upper_next = false;
    for c in body.chars() {
        if c == '_' {
            upper_next = true;
        } else if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
    }
    out.push_str(&key[body_end..]);
    Cow::Owned(out)
}

/// camelCase spec key → snake_case data key: an underscore goes before every uppercase
/// letter, which is lowered (`isCurrent` → `is_current`, `ipV4Address` →
/// `ip_v4_address`). Keys without a lowercase letter (`ID`, `HTTP`) or without an
/// uppercase one are used as written.
pub fn snake_case(key: &str) -> String {
    if !key.chars().any(char::is_lowercase) || !key.chars().any(char::is_uppercase) {
        return key.to_string();
    }
    let mut out = String::with_capacity(key.len() + 4);
    for (i, c) in key.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn borrows_when_unchanged() {
        assert!(matches!(camel_case("name"), std::borrow::Cow::Borrowed(_)));
        assert!(matches!(camel_case("__typename"), std::borrow::Cow::Borrowed(_)));
    }
}
