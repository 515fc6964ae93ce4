//! The jsonb reader and writer, on layouts the writer produces exactly as PostgreSQL does.
//! (The in-database tests check the reader against the server's own bytes.)

use fraiseql_core::jsonb::{self, Value};

fn canon(json: &str) -> String {
    let bytes = jsonb::encode(json).unwrap_or_else(|e| panic!("{json}: {e}"));
    jsonb::root(&bytes).unwrap().to_text().unwrap()
}

#[test]
fn prints_like_jsonb_out() {
    assert_eq!(canon(r#"{"b":1,"a":2,"aa":[true,false,null]}"#), r#"{"a": 2, "b": 1, "aa": [true, false, null]}"#);
    assert_eq!(canon("1.10"), "1.10");
    assert_eq!(canon("1e3"), "1000");
    assert_eq!(canon(r#""x""#), r#""x""#);
    assert_eq!(canon("[]"), "[]");
    assert_eq!(canon("{}"), "{}");
    assert_eq!(canon(r#"{"a":1,"a":2}"#), r#"{"a": 2}"#);
    assert_eq!(canon(r#""tab\there \"q\" \\ \u0001 é 😀""#), r#""tab\there \"q\" \\ \u0001 é 😀""#);
    assert_eq!(canon(r#""\ud83d\ude00""#), r#""😀""#);
}

#[test]
fn rejects_what_jsonb_in_rejects() {
    for bad in [r#""\u0000""#, "01", "[1,]", "{\"a\"}", "tru", "\"\\ud800\"", "1 2", ""] {
        assert!(jsonb::encode(bad).is_err(), "{bad} should be rejected");
    }
}

#[test]
fn key_lookup_finds_every_key_in_large_objects() {
    // More than 32 members exercises the stored-offset entries (every 32nd JEntry).
    let members: Vec<String> = (0..200).map(|i| format!("\"key_{i}\": {i}")).collect();
    let json = format!("{{{}}}", members.join(","));
    let bytes = jsonb::encode(&json).unwrap();
    let Value::Object(obj) = jsonb::root(&bytes).unwrap() else { panic!("object") };
    assert_eq!(obj.len(), 200);
    for i in 0..200 {
        let v = obj.get(format!("key_{i}").as_bytes()).unwrap().expect("present");
        let Value::Number(n) = v else { panic!("number") };
        assert_eq!(n.to_i64(), Some(i));
    }
    assert!(obj.get(b"key_200").unwrap().is_none());
    assert!(obj.get(b"").unwrap().is_none());
}

#[test]
fn large_arrays_of_mixed_values() {
    let items: Vec<String> = (0..100)
        .map(|i| match i % 4 {
            0 => format!("{i}.5"),
            1 => format!("\"s{i}\""),
            2 => format!("{{\"n\": {i}}}"),
            _ => "null".to_string(),
        })
        .collect();
    let json = format!("[{}]", items.join(", "));
    assert_eq!(canon(&json), json);
}

#[test]
fn equality_and_containment_follow_jsonb() {
    let v = |s: &str| jsonb::encode(s).unwrap();
    let eq = |a: &str, b: &str| {
        let (x, y) = (v(a), v(b));
        jsonb::root(&x).unwrap().json_eq(&jsonb::root(&y).unwrap()).unwrap()
    };
    let contains = |a: &str, b: &str| {
        let (x, y) = (v(a), v(b));
        jsonb::root(&x).unwrap().contains(&jsonb::root(&y).unwrap()).unwrap()
    };
    assert!(eq("1.0", "1"));
    assert!(eq(r#"{"a":[1,{"b":2}]}"#, r#"{"a":[1.00,{"b":2}]}"#));
    assert!(!eq(r#"[1,2]"#, r#"[2,1]"#));
    assert!(!eq(r#""1""#, "1"));
    assert!(contains(r#"{"a":1,"b":{"c":[1,2,3]}}"#, r#"{"b":{"c":[3,1]}}"#));
    assert!(!contains(r#"{"a":[1,2]}"#, r#"{"a":1}"#));
    assert!(contains(r#"[1,2,[3]]"#, "1"));
    assert!(contains(r#"[1,2,[3]]"#, "[[3]]"));
    assert!(!contains(r#"[1,2,[3]]"#, "3"));
    assert!(!contains(r#"{"a":{"b":1}}"#, r#"{"b":1}"#));
    assert!(contains(r#"{"a":{"b":1}}"#, "{}"));
}
