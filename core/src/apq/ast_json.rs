//! The AST in the JSON shape of graphql-js's `DocumentNode` (graphql 16): every node has
//! its spec `kind`, optional children that graphql-js leaves `undefined` are omitted, and
//! no `loc` is written. A JavaScript server can hand the stored JSON to `execute()`
//! without parsing the query again.

use crate::graphql::{Definition, Directive, Document, Field, Selection, Type, Value};
use crate::jsonb::write_json_string;

pub fn document_json(doc: &Document) -> String {
    let mut o = String::with_capacity(256);
    o.push_str(r#"{"kind":"Document","definitions":["#);
    for (i, d) in doc.definitions.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        match d {
            Definition::Operation(op) => {
                o.push_str(r#"{"kind":"OperationDefinition","operation":"#);
                write_json_string(&mut o, op.kind.as_str());
                if let Some(n) = &op.name {
                    o.push_str(r#","name":"#);
                    name(&mut o, n);
                }
                o.push_str(r#","variableDefinitions":["#);
                for (j, v) in op.variables.iter().enumerate() {
                    if j > 0 {
                        o.push(',');
                    }
                    o.push_str(r#"{"kind":"VariableDefinition","variable":{"kind":"Variable","name":"#);
                    name(&mut o, &v.name);
                    o.push_str(r#"},"type":"#);
                    ty(&mut o, &v.ty);
                    if let Some(d) = &v.default {
                        o.push_str(r#","defaultValue":"#);
                        value(&mut o, d);
                    }
                    o.push_str(r#","directives":"#);
                    directives(&mut o, &v.directives);
                    o.push('}');
                }
                o.push_str(r#"],"directives":"#);
                directives(&mut o, &op.directives);
                o.push_str(r#","selectionSet":"#);
                selection_set(&mut o, &op.selection_set);
                o.push('}');
            }
            Definition::Fragment(f) => {
                o.push_str(r#"{"kind":"FragmentDefinition","name":"#);
                name(&mut o, &f.name);
                o.push_str(r#","typeCondition":"#);
                named_type(&mut o, &f.type_condition);
                o.push_str(r#","directives":"#);
                directives(&mut o, &f.directives);
                o.push_str(r#","selectionSet":"#);
                selection_set(&mut o, &f.selection_set);
                o.push('}');
            }
        }
    }
    o.push_str("]}");
    o
}

fn name(o: &mut String, n: &str) {
    o.push_str(r#"{"kind":"Name","value":"#);
    write_json_string(o, n);
    o.push('}');
}

fn named_type(o: &mut String, n: &str) {
    o.push_str(r#"{"kind":"NamedType","name":"#);
    name(o, n);
    o.push('}');
}

fn ty(o: &mut String, t: &Type) {
    match t {
        Type::Named(n) => named_type(o, n),
        Type::List(inner) => {
            o.push_str(r#"{"kind":"ListType","type":"#);
            ty(o, inner);
            o.push('}');
        }
        Type::NonNull(inner) => {
            o.push_str(r#"{"kind":"NonNullType","type":"#);
            ty(o, inner);
            o.push('}');
        }
    }
}

fn directives(o: &mut String, ds: &[Directive]) {
    o.push('[');
    for (i, d) in ds.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push_str(r#"{"kind":"Directive","name":"#);
        name(o, &d.name);
        o.push_str(r#","arguments":"#);
        arguments(o, &d.arguments);
        o.push('}');
    }
    o.push(']');
}

/// `{"kind":<kind>,"name":…,"value":…}` for each pair: arguments and object fields.
fn named_values(o: &mut String, kind: &str, items: &[(String, Value)]) {
    for (i, (n, v)) in items.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push_str(r#"{"kind":""#);
        o.push_str(kind);
        o.push_str(r#"","name":"#);
        name(o, n);
        o.push_str(r#","value":"#);
        value(o, v);
        o.push('}');
    }
}

fn arguments(o: &mut String, args: &[(String, Value)]) {
    o.push('[');
    named_values(o, "Argument", args);
    o.push(']');
}

/// Recursion here and in [`value`] follows the document's nesting, which the parser
/// bounded (`graphql::RECURSION_LIMIT`).
fn selection_set(o: &mut String, sels: &[Selection]) {
    crate::guard::stack();
    o.push_str(r#"{"kind":"SelectionSet","selections":["#);
    for (i, s) in sels.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        match s {
            Selection::Field(f) => field(o, f),
            Selection::FragmentSpread { name: n, directives: ds } => {
                o.push_str(r#"{"kind":"FragmentSpread","name":"#);
                name(o, n);
                o.push_str(r#","directives":"#);
                directives(o, ds);
                o.push('}');
            }
            Selection::InlineFragment { type_condition, directives: ds, selection_set: ss } => {
                o.push_str(r#"{"kind":"InlineFragment""#);
                if let Some(t) = type_condition {
                    o.push_str(r#","typeCondition":"#);
                    named_type(o, t);
                }
                o.push_str(r#","directives":"#);
                directives(o, ds);
                o.push_str(r#","selectionSet":"#);
                selection_set(o, ss);
                o.push('}');
            }
        }
    }
    o.push_str("]}");
}

fn field(o: &mut String, f: &Field) {
    o.push_str(r#"{"kind":"Field""#);
    if let Some(a) = &f.alias {
        o.push_str(r#","alias":"#);
        name(o, a);
    }
    o.push_str(r#","name":"#);
    name(o, &f.name);
    o.push_str(r#","arguments":"#);
    arguments(o, &f.arguments);
    o.push_str(r#","directives":"#);
    directives(o, &f.directives);
    if !f.selection_set.is_empty() {
        o.push_str(r#","selectionSet":"#);
        selection_set(o, &f.selection_set);
    }
    o.push('}');
}

fn value(o: &mut String, v: &Value) {
    crate::guard::stack();
    match v {
        Value::Variable(n) => {
            o.push_str(r#"{"kind":"Variable","name":"#);
            name(o, n);
            o.push('}');
        }
        Value::Int(t) | Value::Float(t) => {
            o.push_str(if matches!(v, Value::Int(_)) {
                r#"{"kind":"IntValue","value":"#
            } else {
                r#"{"kind":"FloatValue","value":"#
            });
            write_json_string(o, t);
            o.push('}');
        }
        Value::String { value: s, block } => {
            o.push_str(r#"{"kind":"StringValue","value":"#);
            write_json_string(o, s);
            o.push_str(if *block { r#","block":true}"# } else { r#","block":false}"# });
        }
        Value::Boolean(b) => o.push_str(if *b {
            r#"{"kind":"BooleanValue","value":true}"#
        } else {
            r#"{"kind":"BooleanValue","value":false}"#
        }),
        Value::Null => o.push_str(r#"{"kind":"NullValue"}"#),
        Value::Enum(e) => {
            o.push_str(r#"{"kind":"EnumValue","value":"#);
            write_json_string(o, e);
            o.push('}');
        }
        Value::List(items) => {
            o.push_str(r#"{"kind":"ListValue","values":["#);
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    o.push(',');
                }
                value(o, it);
            }
            o.push_str("]}");
        }
        Value::Object(fields) => {
            o.push_str(r#"{"kind":"ObjectValue","fields":["#);
            named_values(o, "ObjectField", fields);
            o.push_str("]}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_nodes_like_graphql_js() {
        let doc = crate::graphql::parse(r#"query Q($id: ID!, $n: [Int] = [1]) @live { a: f(id: $id, s: "x", o: {k: ENUM, z: null}) { ...F ... on T @skip(if: false) { b } } } fragment F on T { c }"#).unwrap();
        let j = document_json(&doc);
        for needle in [
            r#"{"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Q"}"#,
            r#"{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},"directives":[]}"#,
            r#""defaultValue":{"kind":"ListValue","values":[{"kind":"IntValue","value":"1"}]}"#,
            r#"{"kind":"Field","alias":{"kind":"Name","value":"a"},"name":{"kind":"Name","value":"f"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}"#,
            r#"{"kind":"StringValue","value":"x","block":false}"#,
            r#"{"kind":"ObjectField","name":{"kind":"Name","value":"k"},"value":{"kind":"EnumValue","value":"ENUM"}}"#,
            r#"{"kind":"FragmentSpread","name":{"kind":"Name","value":"F"},"directives":[]}"#,
            r#"{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"T"}},"directives":[{"kind":"Directive","name":{"kind":"Name","value":"skip"}"#,
            r#"{"kind":"FragmentDefinition","name":{"kind":"Name","value":"F"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"T"}},"directives":[],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"c"},"arguments":[],"directives":[]}]}}"#,
        ] {
            assert!(j.contains(needle), "missing {needle}\nin {j}");
        }
        // Valid JSON that jsonb accepts.
        assert!(crate::jsonb::encode(&j).is_ok());
    }
}
