//! What one request may make a backend hold or do: the cap on field errors, the bound
//! on introspection's answer, the fields a document may hold before it is validated,
//! the measured size of a prepared document, and the interrupt checks in the loops
//! that grow with rows or with the document (docs/reliability.md, "Limits").
//!
//! The guard hooks of this test binary count interrupt checks per thread, so each test
//! sees only its own.

mod support;

use fraiseql_core::execute::{
    execute, prepare, response, CompiledSchema, Database, DbError, FunctionCall, Limits, Outcome, ViewQuery,
    MAX_DOCUMENT_FIELDS,
};
use fraiseql_core::guard;
use fraiseql_core::jsonb::{self, Value};
use fraiseql_core::where_spec::Host;
use std::cell::Cell;

thread_local! {
    static CHECKS: Cell<usize> = const { Cell::new(0) };
}

fn install_hooks() {
    guard::install(guard::Hooks { check_stack: || {}, check_interrupts: || CHECKS.with(|c| c.set(c.get() + 1)) });
}

fn checks() -> usize {
    CHECKS.with(Cell::get)
}

/// Every view answers the same rows (the spec is not applied).
struct Rows(Vec<Vec<u8>>);

impl Rows {
    fn new(docs: &[&str]) -> Rows {
        Rows(docs.iter().map(|d| jsonb::encode(d).unwrap()).collect())
    }
}

impl Database for Rows {
    fn host(&self) -> &dyn Host {
        &support::TestHost
    }
    fn helper_schema(&self) -> Option<String> {
        Some("fraiseql".into())
    }
    fn query(&mut self, _q: &ViewQuery, row: &mut dyn FnMut(Value<'_>) -> bool) -> Result<(), DbError> {
        for bytes in &self.0 {
            if !row(jsonb::root(bytes).unwrap()) {
                break;
            }
        }
        Ok(())
    }
    fn call(&mut self, _c: &FunctionCall, result: &mut dyn FnMut(Option<Value<'_>>)) -> Result<(), DbError> {
        result(None);
        Ok(())
    }
}

const SDL: &str = r#"
type Machine { id: ID! name: String! serial: String! }
type Node { id: ID! name: String child: Node machine: Machine }
type Query {
  nodes: [Node!]! @view(name: "tv_node")
  node(id: ID!): Node @view(name: "tv_node")
}
"#;

fn schema() -> CompiledSchema {
    CompiledSchema::build(SDL).unwrap_or_else(|e| panic!("{e}: {:?}", e.detail))
}

/// Runs a request and returns the response body.
fn run(cs: &CompiledSchema, db: &mut Rows, query: &str, limits: &Limits) -> String {
    let p = match prepare(cs, query, limits) {
        Ok(p) => p,
        Err(errors) => return response(&errors, None),
    };
    let mut data = String::new();
    match execute(cs, &p, None, &Default::default(), limits, db, &mut data).unwrap() {
        Outcome::Executed(errors) => response(&errors, Some(&data)),
        Outcome::Rejected(errors) => response(&errors, None),
    }
}

#[test]
fn field_errors_are_capped_and_the_rest_counted() {
    let cs = schema();
    // 150 rows, each with two aliases of a machine whose non-null serial is missing:
    // 300 field errors, each nulling its machine.
    let mut db = Rows::new(&[r#"{"id": "n", "machine": {"id": "m", "name": "x"}}"#; 150]);
    let got = run(&cs, &mut db, "{ nodes { a: machine { serial } b: machine { serial } } }", &Limits::default());
    assert_eq!(got.matches("Cannot return null for non-nullable field Machine.serial.").count(), 100, "{got}");
    assert!(
        got.contains(r#"{"message":"Too many errors: 200 more field errors were left out (at most 100 are reported).","extensions":{"code":"54000"}}],"data":{"nodes":[{"a":null,"b":null},"#),
        "{}",
        &got[..got.len().min(20_000)]
    );
    // Every row is still answered.
    assert_eq!(got.matches(r#"{"a":null,"b":null}"#).count(), 150);
    // Below the cap nothing is said.
    let mut db = Rows::new(&[r#"{"id": "n", "machine": {"id": "m", "name": "x"}}"#; 50]);
    let got = run(&cs, &mut db, "{ nodes { a: machine { serial } b: machine { serial } } }", &Limits::default());
    assert_eq!(got.matches("Cannot return null").count(), 100, "{got}");
    assert!(!got.contains("Too many errors"), "{got}");
}

#[test]
fn the_row_loop_checks_for_interrupts() {
    install_hooks();
    let cs = schema();
    let p = prepare(&cs, "{ nodes { id name } }", &Limits::default()).unwrap();
    let mut db = Rows::new(&[r#"{"id": "n", "name": "x"}"#; 5_000]);
    let mut out = String::new();
    let before = checks();
    execute(&cs, &p, None, &Default::default(), &Limits::default(), &mut db, &mut out).unwrap();
    assert!(checks() - before >= 5_000, "{} checks for 5,000 rows", checks() - before);
}

#[test]
fn documents_with_too_many_fields_are_refused_before_validation() {
    let cs = schema();
    let mut db = Rows::new(&[r#"{"id": "n"}"#]);
    let limits = Limits { max_document_bytes: 1 << 20, ..Limits::default() };
    // `nodes` and 49,999 copies of `id`: the limit itself, valid and answered.
    let at_limit = format!("{{ nodes {{{} }} }}", " id".repeat(MAX_DOCUMENT_FIELDS - 1));
    assert_eq!(run(&cs, &mut db, &at_limit, &limits), r#"{"data":{"nodes":[{"id":"n"}]}}"#);
    // One more, and every one of them unknown: refused for its size, not validated.
    let over = format!("{{ nodes {{{} }} }}", " nope".repeat(MAX_DOCUMENT_FIELDS));
    assert_eq!(
        run(&cs, &mut db, &over, &limits),
        r#"{"errors":[{"message":"The document selects 50001 fields, more than the 50000 allowed.","extensions":{"code":"54000"}}]}"#
    );
    // Fields in fragments and inline fragments count where they are written.
    let frags = format!(
        "{{ nodes {{ ...F ... on Node {{{}}} }} }} fragment F on Node {{{}}}",
        " id".repeat(MAX_DOCUMENT_FIELDS / 2),
        " name".repeat(MAX_DOCUMENT_FIELDS / 2)
    );
    assert!(run(&cs, &mut db, &frags, &limits).contains("The document selects 50001 fields"));
}
