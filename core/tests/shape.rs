//! Response shaping without a server: exactness of every output byte.

use fraiseql_core::jsonb;
use fraiseql_core::shape::{self, ErrorKind, Schema};

fn schema() -> Schema {
    let doc = r#"{"RouterConfig": {"machine": "Machine", "posts": "[Post]"}, "Machine": {"location": "Location"},
                  "Post": {"author": "User"}, "Location": {}, "User": {}}"#;
    let bytes = jsonb::encode(doc).unwrap();
    Schema::from_document(jsonb::root(&bytes).unwrap()).unwrap()
}

fn shape_as(row: &str, selection: &str, root: Option<&str>) -> String {
    let plan = shape::compile(selection, root, &schema()).unwrap_or_else(|e| panic!("{selection}: {e}"));
    let bytes = jsonb::encode(row).unwrap();
    let mut out = String::new();
    plan.shape(jsonb::root(&bytes).unwrap(), &mut out).unwrap();
    out
}

fn shape(row: &str, selection: &str) -> String {
    shape_as(row, selection, Some("RouterConfig"))
}

const ROW: &str = r#"{"id": 1, "config_name": "edge", "is_current": true, "secret": "s3cr3t",
  "machine": {"id": "m1", "name": "paris", "ip_address": "10.0.0.1", "location": {"city": "Paris", "rack": 4}},
  "posts": [{"id": 10, "title": "a", "author": {"name": "ann"}}, null, {"id": 11, "title": "b"}],
  "tags": ["x", 1, null, {"k": "v"}], "empty": [], "_private": 7}"#;

#[test]
fn selection_order_camel_case_and_only_selected_fields() {
    assert_eq!(shape(ROW, "{ isCurrent id configName }"), r#"{"isCurrent":true,"id":1,"configName":"edge"}"#);
    assert_eq!(shape(ROW, "{ config_name }"), r#"{"configName":"edge"}"#);
    assert_eq!(
        shape(ROW, "{ machine { name location { city } } }"),
        r#"{"machine":{"name":"paris","location":{"city":"Paris"}}}"#
    );
}

#[test]
fn missing_fields_are_null() {
    assert_eq!(shape(ROW, "{ id nope machine { nope } }"), r#"{"id":1,"nope":null,"machine":{"nope":null}}"#);
    assert_eq!(shape(r#"{"machine": null}"#, "{ machine { id } }"), r#"{"machine":null}"#);
}

#[test]
fn aliases_win_and_a_field_can_appear_twice() {
    assert_eq!(shape(ROW, "{ box: machine { n: name } a: id b: id }"), r#"{"box":{"n":"paris"},"a":1,"b":1}"#);
    // The same response key twice merges (GraphQL field merging).
    assert_eq!(
        shape(ROW, "{ machine { id } machine { name } id id }"),
        r#"{"machine":{"id":"m1","name":"paris"},"id":1}"#
    );
}

#[test]
fn typename_is_the_type_of_each_level() {
    assert_eq!(
        shape(ROW, "{ __typename machine { __typename location { __typename city } } posts { __typename id } }"),
        r#"{"__typename":"RouterConfig","machine":{"__typename":"Machine","location":{"__typename":"Location","city":"Paris"}},"posts":[{"__typename":"Post","id":10},null,{"__typename":"Post","id":11}]}"#
    );
}

#[test]
fn lists_are_shaped_element_by_element() {
    assert_eq!(
        shape(ROW, "{ posts { title author { name } } }"),
        r#"{"posts":[{"title":"a","author":{"name":"ann"}},null,{"title":"b","author":null}]}"#
    );
    assert_eq!(shape(ROW, "{ tags empty }"), r#"{"tags":["x",1,null,{"k":"v"}],"empty":[]}"#);
    assert_eq!(shape(ROW, "{ empty { id } tags { k } }"), r#"{"empty":[],"tags":["x",1,null,{"k":"v"}]}"#);
}

#[test]
fn strings_and_numbers_round_trip_byte_exactly() {
    let row = r#"{"s": "quote \" backslash \\ tab \t nl \n ctl \u0001 emoji 😀 nonbmp 𝄞 end\\", "n": 1.10, "big": 1e400, "neg": -0.0, "e": 2.5E-3}"#;
    let out = shape_as(row, "{ s n big neg e }", None);
    let expected = format!(
        r#"{{"s":"quote \" backslash \\ tab \t nl \n ctl \u0001 emoji 😀 nonbmp 𝄞 end\\","n":1.10,"big":1{},"neg":0.0,"e":0.0025}}"#,
        "0".repeat(400)
    );
    assert_eq!(out, expected);
}

#[test]
fn upstream_bugs_do_not_happen_here() {
    // nested objects got the root's __typename
    assert!(shape(ROW, "{ machine { __typename } }").contains(r#""__typename":"Machine""#));
    // lossy projection: unrequested fields leaked, requested nested fields vanished
    let out = shape(ROW, "{ machine { location { rack } } }");
    assert_eq!(out, r#"{"machine":{"location":{"rack":4}}}"#);
    assert!(!shape(ROW, "{ id }").contains("secret"));
    // double escaping, and a trailing backslash
    assert_eq!(shape_as(r#"{"s": "a\"b\\"}"#, "{ s }", None), r#"{"s":"a\"b\\"}"#);
    // _private became Private
    assert_eq!(shape(ROW, "{ _private }"), r#"{"_private":7}"#);
    // keys sorted alphabetically instead of selection order
    assert_eq!(shape(ROW, "{ tags id configName }"), r#"{"tags":["x",1,null,{"k":"v"}],"id":1,"configName":"edge"}"#);
}

#[test]
fn fragments_inline_fragments_and_directives() {
    let sel =
        "{ ...Cfg machine { ... on Machine { name } ... { id } } } fragment Cfg on RouterConfig { id configName }";
    assert_eq!(shape(ROW, sel), r#"{"id":1,"configName":"edge","machine":{"name":"paris","id":"m1"}}"#);
    // A fragment on another type does not apply.
    assert_eq!(shape(ROW, "{ id ... on Machine { name } }"), r#"{"id":1}"#);
    assert_eq!(
        shape(ROW, "{ id @skip(if: true) configName @include(if: false) isCurrent @include(if: true) }"),
        r#"{"isCurrent":true}"#
    );
}

#[test]
fn errors() {
    let e = shape::compile("{ id\n  machine { name }\n  (", Some("RouterConfig"), &schema()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert!(e.message.contains("line 3"), "{e}");
    let e = shape::compile("{ id }", Some("RouterConfg"), &schema()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownType);
    assert!(e.message.contains("RouterConfg") && e.hint.unwrap().contains("RouterConfig"));
    let e = shape::compile("{ tags { __typename } }", Some("RouterConfig"), &schema()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownType);
    let e = shape::compile("{ __typename }", None, &schema()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownType);
    let e = shape::compile("{ a: id a: configName }", Some("RouterConfig"), &schema()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    let e = shape::compile("{ posts(first: 2) { id } }", Some("RouterConfig"), &schema()).unwrap_err();
    assert!(e.message.contains("arguments"), "{e}");
    let e = shape::compile("{ id @include(if: $x) }", Some("RouterConfig"), &schema()).unwrap_err();
    assert!(e.message.contains("literal boolean"), "{e}");
    let e = shape::compile("{ ...Nope }", Some("RouterConfig"), &schema()).unwrap_err();
    assert!(e.message.contains("not defined"), "{e}");
}

#[test]
fn type_documents_reject_empty_field_names_and_doubled_bangs() {
    let add = |fields: &str| {
        let bytes = jsonb::encode(fields).unwrap();
        Schema::default().add_type("T", jsonb::root(&bytes).unwrap())
    };
    for ok in [r#"{"a": "U"}"#, r#"{"a": "U!"}"#, r#"{"a": "[U!]!"}"#, r#"{"a_b": "[U]"}"#] {
        assert!(add(ok).is_ok(), "{ok}");
    }
    for bad in [r#"{"": "U"}"#, r#"{"a": "U!!"}"#, r#"{"a": "[U!!]"}"#, r#"{"a": "[U]!!"}"#, r#"{"a b": "U"}"#] {
        let e = add(bad).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid, "{bad}");
    }
}
