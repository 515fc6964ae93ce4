//! Schema registration: the SDL compiled with the generated types and bindings.

use fraiseql_core::execute::{Binding, CompiledSchema};

// The differential test's schema: the engine and the graphql-js reference read the same file.
const SDL: &str = include_str!("../../tests/execute_differential/schema.graphql");

#[test]
fn builds_the_reference_schema() {
    let s = CompiledSchema::build(SDL).unwrap_or_else(|e| panic!("{e}\n{:?}", e.detail));
    let sdl = s.to_sdl();
    if std::env::var("PRINT").is_ok() {
        println!("{sdl}");
    }
    assert!(sdl.contains("input RouterConfigWhereInput"));
    assert!(sdl.contains("routerConfigs(where: RouterConfigWhereInput, orderBy: [RouterConfigOrderBy!], limit: Int, offset: Int): [RouterConfig!]"));
    assert_eq!(
        s.binding("Query", "routerConfig"),
        Some(&Binding::View {
            view: "tv_router_config".into(),
            list: false,
            entity: "RouterConfig".into(),
            filters: vec!["id".into()]
        })
    );
}
