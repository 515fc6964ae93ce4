//! The camelCase rule, exercised without PostgreSQL.

use fraiseql_core::camel_case;

fn cc(s: &str) -> String {
    camel_case(s).into_owned()
}

#[test]
fn documented_examples() {
    assert_eq!(cc("address_line_1"), "addressLine1");
    assert_eq!(cc("ip_v4_address"), "ipV4Address");
    assert_eq!(cc("is_current"), "isCurrent");
    assert_eq!(cc("config_name"), "configName");
}

#[test]
fn leading_underscores_are_kept() {
    assert_eq!(cc("_private"), "_private");
    assert_eq!(cc("_private_field"), "_privateField");
    assert_eq!(cc("__typename"), "__typename");
    assert_eq!(cc("__type_name"), "__typeName");
}

#[test]
fn trailing_underscores_are_kept() {
    assert_eq!(cc("type_"), "type_");
    assert_eq!(cc("some_type__"), "someType__");
}

#[test]
fn inner_underscore_runs_collapse() {
    assert_eq!(cc("a__b"), "aB");
    assert_eq!(cc("a___b_c"), "aBC");
}

#[test]
fn other_characters_keep_their_case() {
    assert_eq!(cc("HTTP_status"), "HTTPStatus");
    assert_eq!(cc("isCurrent"), "isCurrent");
    assert_eq!(cc("already_Upper"), "alreadyUpper");
    assert_eq!(cc("x_1_2"), "x12");
}

#[test]
fn degenerate_inputs() {
    assert_eq!(cc(""), "");
    assert_eq!(cc("_"), "_");
    assert_eq!(cc("___"), "___");
    assert_eq!(cc("name"), "name");
}

#[test]
fn unicode_letters_are_uppercased() {
    assert_eq!(cc("caf_été"), "cafÉté");
    assert_eq!(cc("straße_ß"), "straßeSS");
}
