//! A bound on introspection's answer, found before it is built. apollo-compiler answers
//! `__schema` and `__type` into a JSON tree in memory, without interrupt checks, and
//! aliases multiply what it builds: 300 aliases of `types`, each with 300 aliases of
//! `inputFields`, is a 17 kB document asking for billions of values (the backend
//! aborted), and 100 × 100 answered 28.7 MB with a 582 MB peak, ignoring a 500 ms
//! `statement_timeout` until 3.2 s. `max_query_depth` does not apply (the introspection
//! types are recursive; apollo-compiler's own depth check bounds nesting, not breadth).
//!
//! So the operation's introspection fields are walked over the schema as execution
//! would walk them, counting one step per selection visited and per list item, and the
//! walk stops as soon as the count passes [`MAX_INTROSPECTION_STEPS`]. Every value of the
//! answer is at least one step, so the count bounds the answer; merged fields of one
//! response key are walked once each and `includeDeprecated: false` is not applied, so it
//! may count more than the answer holds, never less. The walk itself is a loop over a
//! heap stack with an interrupt check per step (amortised), and costs at most the limit.

use super::schema::CompiledSchema;
use apollo_compiler::ast::Type;
use apollo_compiler::executable::{DirectiveList, Field, Selection, SelectionSet};
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::schema::{DirectiveDefinition, ExtendedType, FieldDefinition, InputValueDefinition};
use apollo_compiler::{ExecutableDocument, Node};

/// The most steps (values, list items, selections visited) introspection may take for
/// one operation. apollo-compiler's answer costs about 500 bytes of peak memory and
/// 0.55 µs per value (measured: 585,000 values, 289 MB peak, 0.32 s), none of it
/// cancellable. GraphiQL's introspection query (`getIntrospectionQuery()`) answers 5,300
/// values for the differential test's schema with its generated filter and order types;
/// 200,000 steps leave room for schemas about forty times that, and cap one request at
/// about 100 MB and 0.1 s.
pub const MAX_INTROSPECTION_STEPS: usize = 200_000;

/// An introspection object: what its fields resolve against.
#[derive(Clone, Copy)]
enum Obj<'a> {
    Schema,
    /// A named type.
    Named(&'a ExtendedType),
    /// A type reference that is a wrapper: `NON_NULL` unless `stripped` (the non-null
    /// wrapper already passed), then `LIST` or the named type.
    Ref(&'a Type, bool),
    Field(&'a FieldDefinition),
    InputValue(&'a InputValueDefinition),
    EnumValue,
    Directive(&'a DirectiveDefinition),
}

/// What a field of an introspection object resolves to.
enum Child<'a> {
    Leaf,
    Null,
    One(Obj<'a>),
    Many(Vec<Obj<'a>>),
    /// A list of `n` leaves (a directive's locations).
    Leaves(usize),
}

fn named<'a>(cs: &'a CompiledSchema, name: &str) -> Obj<'a> {
    match cs.schema.types.get(name) {
        Some(def) => Obj::Named(def),
        None => Obj::EnumValue,
    }
}

/// A type reference as introspection shows it: the named type, or its outer wrapper.
fn type_ref<'a>(cs: &'a CompiledSchema, ty: &'a Type, stripped: bool) -> Obj<'a> {
    match ty {
        Type::Named(n) => named(cs, n),
        Type::NonNullNamed(n) if stripped => named(cs, n),
        _ => Obj::Ref(ty, stripped),
    }
}

fn child<'a>(cs: &'a CompiledSchema, obj: Obj<'a>, field: &str) -> Child<'a> {
    if field == "__typename" {
        return Child::Leaf;
    }
    match obj {
        Obj::Schema => {
            let def = &cs.schema.schema_definition;
            let root = |r: &'a Option<apollo_compiler::schema::ComponentName>| match r {
                Some(n) => Child::One(named(cs, n)),
                None => Child::Null,
            };
            match field {
                "types" => Child::Many(cs.schema.types.values().map(Obj::Named).collect()),
                "directives" => {
                    Child::Many(cs.schema.directive_definitions.values().map(|d| Obj::Directive(d)).collect())
                }
                "queryType" => root(&def.query),
                "mutationType" => root(&def.mutation),
                "subscriptionType" => root(&def.subscription),
                _ => Child::Leaf,
            }
        }
        Obj::Named(def) => match (field, def) {
            ("fields", ExtendedType::Object(o)) => Child::Many(o.fields.values().map(|f| Obj::Field(f)).collect()),
            ("fields", ExtendedType::Interface(i)) => Child::Many(i.fields.values().map(|f| Obj::Field(f)).collect()),
            ("interfaces", ExtendedType::Object(o)) => {
                Child::Many(o.implements_interfaces.iter().map(|n| named(cs, n)).collect())
            }
            ("interfaces", ExtendedType::Interface(i)) => {
                Child::Many(i.implements_interfaces.iter().map(|n| named(cs, n)).collect())
            }
            ("possibleTypes", ExtendedType::Interface(i)) => Child::Many(
                cs.implementers.get(&i.name).into_iter().flat_map(|m| &m.objects).map(|n| named(cs, n)).collect(),
            ),
            ("possibleTypes", ExtendedType::Union(u)) => Child::Many(u.members.iter().map(|n| named(cs, n)).collect()),
            ("enumValues", ExtendedType::Enum(e)) => Child::Many(e.values.values().map(|_| Obj::EnumValue).collect()),
            ("inputFields", ExtendedType::InputObject(i)) => {
                Child::Many(i.fields.values().map(|f| Obj::InputValue(f)).collect())
            }
            ("fields" | "interfaces" | "possibleTypes" | "enumValues" | "inputFields" | "ofType", _) => Child::Null,
            _ => Child::Leaf,
        },
        Obj::Ref(ty, stripped) => match field {
            "ofType" => Child::One(match ty {
                Type::NonNullNamed(_) | Type::NonNullList(_) if !stripped => type_ref(cs, ty, true),
                Type::List(inner) | Type::NonNullList(inner) => type_ref(cs, inner, false),
                Type::Named(n) | Type::NonNullNamed(n) => named(cs, n),
            }),
            "kind" => Child::Leaf,
            _ => Child::Null,
        },
        Obj::Field(f) => match field {
            "args" => Child::Many(f.arguments.iter().map(|a| Obj::InputValue(a)).collect()),
            "type" => Child::One(type_ref(cs, &f.ty, false)),
            _ => Child::Leaf,
        },
        Obj::InputValue(v) => match field {
            "type" => Child::One(type_ref(cs, &v.ty, false)),
            _ => Child::Leaf,
        },
        Obj::Directive(d) => match field {
            "args" => Child::Many(d.arguments.iter().map(|a| Obj::InputValue(a)).collect()),
            "locations" => Child::Leaves(d.locations.len()),
            _ => Child::Leaf,
        },
        Obj::EnumValue => Child::Leaf,
    }
}

/// Whether `@skip`/`@include` keeps a selection, given the coerced variables.
fn included(directives: &DirectiveList, vars: &JsonMap) -> bool {
    directives.iter().all(|d| {
        let want = match d.name.as_str() {
            "skip" => false,
            "include" => true,
            _ => return true,
        };
        let value = match d.specified_argument_by_name("if").map(|v| v.as_ref()) {
            Some(apollo_compiler::ast::Value::Boolean(b)) => Some(*b),
            Some(apollo_compiler::ast::Value::Variable(v)) => vars.get(v.as_str()).and_then(JsonValue::as_bool),
            _ => None,
        };
        value.is_none_or(|b| b == want)
    })
}

/// The root object of an introspection field: the schema, or `__type(name:)`'s type.
fn root<'a>(cs: &'a CompiledSchema, f: &Field, vars: &JsonMap) -> Option<Obj<'a>> {
    if f.name == "__schema" {
        return Some(Obj::Schema);
    }
    let name = match f.specified_argument_by_name("name").map(|v| v.as_ref()) {
        Some(apollo_compiler::ast::Value::String(s)) => Some(s.as_str()),
        Some(apollo_compiler::ast::Value::Variable(v)) => vars.get(v.as_str()).and_then(JsonValue::as_str),
        _ => None,
    }?;
    cs.schema.types.get(name).map(Obj::Named)
}

/// The steps introspection takes for `fields` (the operation's `__schema` and `__type`
/// fields), or `Err(limit)` as soon as they pass `limit`.
pub(crate) fn steps(
    cs: &CompiledSchema,
    doc: &ExecutableDocument,
    fields: &[&Node<Field>],
    vars: &JsonMap,
    limit: usize,
) -> Result<usize, usize> {
    let mut steps = 0usize;
    let mut charge = |n: usize| -> Result<(), usize> {
        steps = steps.saturating_add(n);
        if steps > limit {
            Err(limit)
        } else {
            Ok(())
        }
    };
    let mut todo: Vec<(Obj<'_>, &SelectionSet)> = Vec::new();
    for f in fields {
        charge(1)?;
        if let Some(obj) = root(cs, f, vars) {
            todo.push((obj, &f.selection_set));
        }
    }
    let mut tick = crate::guard::Tick::default();
    while let Some((obj, set)) = todo.pop() {
        for sel in &set.selections {
            tick.tick();
            charge(1)?;
            if !included(sel.directives(), vars) {
                continue;
            }
            match sel {
                Selection::Field(f) => match child(cs, obj, &f.name) {
                    Child::Leaf | Child::Null => {}
                    Child::Leaves(n) => charge(n)?,
                    Child::One(o) => todo.push((o, &f.selection_set)),
                    Child::Many(items) => {
                        charge(items.len())?;
                        todo.extend(items.into_iter().map(|o| (o, &f.selection_set)));
                    }
                },
                Selection::FragmentSpread(s) => {
                    if let Some(frag) = doc.fragments.get(&s.fragment_name) {
                        todo.push((obj, &frag.selection_set));
                    }
                }
                Selection::InlineFragment(i) => todo.push((obj, &i.selection_set)),
            }
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execute::{prepare, Limits};

    const SDL: &str = r#"
      interface Named { name: String }
      enum Status { ACTIVE RETIRED @deprecated(reason: "gone") }
      type Machine implements Named { id: ID! name: String serials: [[String!]]! }
      type Config implements Named { id: ID! name: String status: Status old: Int @deprecated machine: Machine }
      type Query {
        configs: [Config!]! @view(name: "tv_config")
        config(id: ID!): Config @view(name: "tv_config")
      }
      input RenameInput { id: ID! name: String = "x" }
      type Mutation { rename(input: RenameInput!): Config @function(name: "fn_rename") }
    "#;

    /// graphql-js's `getIntrospectionQuery()` with every option on.
    pub(crate) const INTROSPECTION_QUERY: &str = r#"
      query IntrospectionQuery {
        __schema {
          description queryType { name } mutationType { name } subscriptionType { name }
          types { ...FullType }
          directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
        }
      }
      fragment FullType on __Type {
        kind name description specifiedByURL
        fields(includeDeprecated: true) {
          name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef }
          isDeprecated deprecationReason
        }
        inputFields(includeDeprecated: true) { ...InputValue }
        interfaces { ...TypeRef }
        enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
        possibleTypes { ...TypeRef }
      }
      fragment InputValue on __InputValue {
        name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
      }
      fragment TypeRef on __Type {
        kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
          ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
      }
    "#;

    fn values(v: &JsonValue) -> usize {
        1 + match v {
            JsonValue::Array(a) => a.iter().map(values).sum(),
            JsonValue::Object(o) => o.values().map(values).sum(),
            _ => 0,
        }
    }

    /// The steps counted and the values apollo-compiler's answer holds.
    fn measure(cs: &CompiledSchema, query: &str, variables: &str) -> (usize, usize) {
        let p = prepare(cs, query, &Limits::default()).unwrap_or_else(|e| panic!("{:?}", e[0]));
        let op = p.doc.operations.get(None).unwrap();
        let vars = apollo_compiler::request::coerce_variable_values(
            &cs.schema,
            op,
            &crate::execute::variables_from_json(variables).unwrap(),
        )
        .unwrap();
        let fields: Vec<&Node<Field>> = op
            .selection_set
            .selections
            .iter()
            .filter_map(|s| s.as_field())
            .filter(|f| f.name == "__schema" || f.name == "__type")
            .collect();
        let steps = steps(cs, &p.doc, &fields, &vars, usize::MAX).unwrap();
        let answer =
            apollo_compiler::introspection::partial_execute(&cs.schema, &cs.implementers, &p.doc, op, &vars).unwrap();
        assert!(answer.errors.is_empty(), "{:?}", answer.errors);
        // The values under the response's root object, which is not one of them.
        (steps, values(&JsonValue::Object(answer.data.unwrap())) - 1)
    }

    #[test]
    fn steps_bound_the_answer() {
        let cs = CompiledSchema::build(SDL).unwrap_or_else(|e| panic!("{e}: {:?}", e.detail));
        let cases = [
            (INTROSPECTION_QUERY, "{}"),
            (r#"{ __type(name: "Config") { name fields { name type { kind ofType { kind name } } } } }"#, "{}"),
            (
                r#"query($t: String!, $deep: Boolean!) { __type(name: $t) { name fields { name type { kind ofType @include(if: $deep) { kind name } } } } }"#,
                r#"{"t": "Machine", "deep": false}"#,
            ),
            (r#"{ __type(name: "Nope") { name } }"#, "{}"),
            (
                r#"{ a: __schema { types { name } } b: __schema { t: types { k: kind ...F } } } fragment F on __Type { name inputFields { name } }"#,
                "{}",
            ),
            (
                r#"{ __schema { types { a: inputFields { name } b: inputFields { name } c: enumValues { name } possibleTypes { name } } } }"#,
                "{}",
            ),
        ];
        for (query, variables) in cases {
            let (steps, values) = measure(&cs, query, variables);
            eprintln!("{steps} steps for {values} values");
            assert!(steps >= values, "{steps} steps for {values} values: {query}");
            assert!(steps <= 3 * values + 16, "{steps} steps for {values} values: {query}");
        }
    }

    #[test]
    fn the_walk_stops_at_the_limit() {
        let cs = CompiledSchema::build(SDL).unwrap_or_else(|e| panic!("{e}: {:?}", e.detail));
        let (steps_full, _) = measure(&cs, INTROSPECTION_QUERY, "{}");
        let p = prepare(&cs, INTROSPECTION_QUERY, &Limits::default()).unwrap();
        let op = p.doc.operations.get(None).unwrap();
        let fields: Vec<&Node<Field>> = op.selection_set.selections.iter().filter_map(|s| s.as_field()).collect();
        let vars = JsonMap::new();
        assert_eq!(steps(&cs, &p.doc, &fields, &vars, steps_full), Ok(steps_full));
        assert_eq!(steps(&cs, &p.doc, &fields, &vars, steps_full - 1), Err(steps_full - 1));
    }
}
