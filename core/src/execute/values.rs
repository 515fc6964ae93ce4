//! Argument values: GraphQL literals and variables turned into JSON (the spec's
//! *CoerceArgumentValues*, after validation has checked every literal's type), and the
//! JSON helpers the rest of the engine shares.

use crate::camel::snake_case;
use apollo_compiler::executable::Field;
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::schema::{ExtendedType, Type, Value};
use apollo_compiler::Schema;

/// JSON text of a value (compact, keys in their order).
pub fn to_json(v: &JsonValue) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// A GraphQL-over-HTTP `variables` object from JSON text. serde_json refuses nesting
/// deeper than 128 levels, so the conversion is bounded.
pub fn variables_from_json(text: &str) -> Result<JsonMap, String> {
    match serde_json::from_str::<JsonValue>(text) {
        Ok(JsonValue::Object(m)) => Ok(m),
        Ok(JsonValue::Null) => Ok(JsonMap::new()),
        Ok(_) => Err("variables must be a JSON object".into()),
        Err(e) => Err(format!("variables are not valid JSON: {e}")),
    }
}

/// The arguments of a root field: argument name → value, for the arguments given or
/// defaulted (an argument neither given nor defaulted is absent, which differs from an
/// explicit null). Validation has checked literals; variables are already coerced.
pub(crate) fn arguments(
    schema: &Schema,
    field: &Field,
    variables: &JsonMap,
    max_bytes: usize,
) -> Result<JsonMap, (String, &'static str)> {
    let mut budget = Budget { left: max_bytes, max: max_bytes, sizes: std::collections::HashMap::new() };
    let out = arguments_within(schema, field, variables, &mut budget)?;
    if budget.left == 0 {
        return Err((
            format!(
                "The arguments of field \"{}\" are more than {max_bytes} bytes once variables are substituted (fraiseql.max_spec_bytes).",
                field.name
            ),
            "54000",
        ));
    }
    Ok(out)
}

/// What the substitution of variables into one root field's arguments may still add:
/// one variable used 4,000 times in a 72 kB document made a 4 GB where-spec. Once spent
/// (`left` 0), nothing more is copied and the field is refused.
struct Budget {
    left: usize,
    max: usize,
    /// Each variable's JSON size, measured once.
    sizes: std::collections::HashMap<String, usize>,
}

impl Budget {
    /// The value of variable `name`, when the budget allows one more copy of it.
    fn take(&mut self, name: &str, variables: &JsonMap) -> Option<JsonValue> {
        let v = variables.get(name)?;
        let size = match self.sizes.get(name) {
            Some(&size) => size,
            None => {
                let size = json_size(v, self.max.saturating_add(1));
                self.sizes.insert(name.to_string(), size);
                size
            }
        };
        if size > self.left {
            self.left = 0;
            return None;
        }
        self.left -= size;
        Some(v.clone())
    }
}

/// The length of a value's compact JSON text (escapes counted), or `limit` when it is
/// at least that long (the walk stops there). Iterative, with interrupt checks.
fn json_size(v: &JsonValue, limit: usize) -> usize {
    let mut total = 0usize;
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        crate::guard::interrupts();
        let string = |s: &str| {
            2 + s
                .bytes()
                .map(|b| {
                    if b < 0x20 {
                        6
                    } else if b == b'"' || b == b'\\' {
                        2
                    } else {
                        1
                    }
                })
                .sum::<usize>()
        };
        total += match v {
            JsonValue::Null => 4,
            JsonValue::Bool(b) => {
                if *b {
                    4
                } else {
                    5
                }
            }
            JsonValue::Number(n) => n.to_string().len(),
            JsonValue::String(s) => string(s.as_str()),
            JsonValue::Array(items) => {
                todo.extend(items.iter());
                1 + items.len().max(1)
            }
            JsonValue::Object(m) => {
                for (k, x) in m.iter() {
                    total += string(k.as_str()) + 1;
                    todo.push(x);
                }
                1 + m.len().max(1)
            }
        };
        if total >= limit {
            return limit;
        }
    }
    total
}

fn arguments_within(
    schema: &Schema,
    field: &Field,
    variables: &JsonMap,
    budget: &mut Budget,
) -> Result<JsonMap, (String, &'static str)> {
    let mut out = JsonMap::new();
    for def in &field.definition.arguments {
        let given = field.arguments.iter().find(|a| a.name == def.name).map(|a| &a.value);
        if def.name == "orderBy" {
            if let Some(v) = given {
                single_key_order_variables(v, variables).map_err(|m| (m, "22023"))?;
            }
        }
        let value = match given.map(|v| v.as_ref()) {
            Some(Value::Variable(v)) if variables.contains_key(v.as_str()) => {
                Some(budget.take(v, variables).unwrap_or(JsonValue::Null))
            }
            Some(Value::Variable(_)) => {
                def.default_value.as_ref().map(|d| literal(schema, d, &def.ty, variables, budget))
            }
            Some(lit) => Some(literal(schema, lit, &def.ty, variables, budget)),
            None => def.default_value.as_ref().map(|d| literal(schema, d, &def.ty, variables, budget)),
        };
        if budget.left == 0 {
            return Ok(out);
        }
        match value {
            Some(JsonValue::Null) | None if def.ty.is_non_null() => {
                return Err((
                    format!("Argument \"{}\" of non-null type \"{}\" must not be null.", def.name, def.ty),
                    "22023",
                ))
            }
            Some(v) => {
                out.insert(def.name.as_str(), v);
            }
            None => {}
        }
    }
    Ok(out)
}

/// A literal of type `ty` as JSON: enum values as strings, input objects with their
/// fields' defaults applied, a single value where a list is expected wrapped in a list.
/// Recursion follows the literal's nesting, which the parser bounds.
fn literal(schema: &Schema, v: &Value, ty: &Type, variables: &JsonMap, budget: &mut Budget) -> JsonValue {
    crate::guard::stack();
    crate::guard::interrupts();
    if budget.left == 0 {
        return JsonValue::Null;
    }
    match v {
        Value::Null => JsonValue::Null,
        Value::Variable(name) => budget.take(name, variables).unwrap_or(JsonValue::Null),
        Value::List(items) if ty.is_list() => {
            JsonValue::Array(items.iter().map(|i| literal(schema, i, ty.item_type(), variables, budget)).collect())
        }
        _ if ty.is_list() => JsonValue::Array(vec![literal(schema, v, ty.item_type(), variables, budget)]),
        Value::Object(fields) => input_object(schema, fields, ty.inner_named_type(), variables, budget),
        Value::List(items) => {
            JsonValue::Array(items.iter().map(|i| literal(schema, i, ty, variables, budget)).collect())
        }
        Value::Enum(e) => JsonValue::String(e.as_str().into()),
        Value::String(s) => JsonValue::String(s.as_str().into()),
        Value::Boolean(b) => JsonValue::Bool(*b),
        // The spec's ID input coercion: an integer literal is its decimal text.
        Value::Int(i) if ty.inner_named_type() == "ID" => JsonValue::String(i.as_str().into()),
        Value::Int(i) => number(i.as_str(), ty.inner_named_type() == "Float"),
        Value::Float(f) => number(f.as_str(), true),
    }
}

fn number(text: &str, float: bool) -> JsonValue {
    if !float {
        if let Ok(i) = text.parse::<i64>() {
            return JsonValue::Number(i.into());
        }
    }
    match text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        Some(n) => JsonValue::Number(n),
        None => JsonValue::Null,
    }
}

fn input_object(
    schema: &Schema,
    fields: &[(apollo_compiler::Name, apollo_compiler::Node<Value>)],
    type_name: &str,
    variables: &JsonMap,
    budget: &mut Budget,
) -> JsonValue {
    let mut out = JsonMap::new();
    let Some(ExtendedType::InputObject(def)) = schema.types.get(type_name) else {
        // A custom scalar (JSON) written as an object literal: its fields as they are.
        for (k, v) in fields {
            out.insert(k.as_str(), literal(schema, v, &Type::Named(apollo_compiler::name!("JSON")), variables, budget));
        }
        return JsonValue::Object(out);
    };
    // The fields given, in the document's order (an `orderBy` element sorts by its keys
    // in that order), then the defaults of those not given.
    for (name, v) in fields {
        crate::guard::interrupts();
        let Some(field_def) = def.fields.get(name) else { continue };
        match v.as_ref() {
            Value::Variable(var) if !variables.contains_key(var.as_str()) => {
                if let Some(d) = &field_def.default_value {
                    out.insert(name.as_str(), literal(schema, d, &field_def.ty, variables, budget));
                }
            }
            v => {
                out.insert(name.as_str(), literal(schema, v, &field_def.ty, variables, budget));
            }
        }
    }
    for (name, field_def) in &def.fields {
        crate::guard::interrupts();
        if fields.iter().any(|(k, _)| k == name) {
            continue;
        }
        if let Some(d) = &field_def.default_value {
            out.insert(name.as_str(), literal(schema, d, &field_def.ty, variables, budget));
        }
    }
    JsonValue::Object(out)
}

/// The value with every object key in snake_case, at every depth: what a mutation
/// function receives. Recursion follows the value's nesting (literals: bounded by the
/// parser; variables: by serde_json's 128 levels).
pub(crate) fn snake_keys(v: &JsonValue) -> JsonValue {
    crate::guard::stack();
    match v {
        JsonValue::Object(m) => {
            let mut out = JsonMap::new();
            for (k, x) in m {
                out.insert(snake_case(k.as_str()).as_str(), snake_keys(x));
            }
            JsonValue::Object(out)
        }
        JsonValue::Array(items) => JsonValue::Array(items.iter().map(snake_keys).collect()),
        other => other.clone(),
    }
}

/// Turns `ID` values given as JSON numbers into strings, as graphql-js's `ID` input
/// coercion does, following the type through lists and input objects.
pub(crate) fn ids_as_strings(schema: &Schema, v: &mut JsonValue, ty: &Type) {
    each_scalar(schema, v, ty, &mut |name, v| {
        if let (JsonValue::Number(n), "ID") = (&*v, name) {
            // As JavaScript prints the number: 2.0 is "2", 1e23 is "1e+23".
            let text = match n.as_f64() {
                Some(f) if !n.is_i64() && !n.is_u64() => crate::shape::js_number(f),
                _ => n.to_string(),
            };
            *v = JsonValue::String(text.into());
        }
    });
}

/// Turns integral JSON floats (`2.0`, `1e2`) given for an `Int` into integers: JSON has
/// one number type, and graphql-js accepts any integral number for an `Int` (within
/// 32 bits; other values are left for the coercion to refuse).
pub(crate) fn integral_floats_as_ints(schema: &Schema, v: &mut JsonValue, ty: &Type) {
    each_scalar(schema, v, ty, &mut |name, v| {
        // An integral number for an ID (graphql-js: `Number.isInteger`), whatever its
        // size, is its text (apollo-compiler takes only integers of 64 bits).
        if let (JsonValue::Number(n), "ID") = (&*v, name) {
            if n.is_u64() && !n.is_i64() {
                *v = JsonValue::String(n.to_string().into());
            } else if let Some(f) = n.as_f64().filter(|f| !n.is_i64() && !n.is_u64() && f.fract() == 0.0) {
                *v = JsonValue::String(crate::shape::js_number(f).into());
            }
            return;
        }
        if let (JsonValue::Number(n), "Int") = (&*v, name) {
            if let Some(f) = n.as_f64().filter(|_| !n.is_i64() && !n.is_u64()) {
                if f.fract() == 0.0 && f >= i32::MIN as f64 && f <= i32::MAX as f64 {
                    *v = JsonValue::Number((f as i64).into());
                }
            }
        }
    });
}

/// Calls `f` with every scalar position of a variable's value and the name of its type,
/// following the type through lists and input objects. Recursion follows the value
/// (serde_json bounds variables at 128 levels).
fn each_scalar(schema: &Schema, v: &mut JsonValue, ty: &Type, f: &mut dyn FnMut(&str, &mut JsonValue)) {
    crate::guard::stack();
    match v {
        JsonValue::Array(items) if ty.is_list() => {
            for i in items {
                crate::guard::interrupts();
                each_scalar(schema, i, ty.item_type(), f);
            }
        }
        JsonValue::Object(m) => {
            if let Some(ExtendedType::InputObject(def)) = schema.types.get(ty.inner_named_type()) {
                for (k, x) in m.iter_mut() {
                    crate::guard::interrupts();
                    if let Some(field) = def.fields.get(k.as_str()) {
                        each_scalar(schema, x, &field.ty, f);
                    }
                }
            }
        }
        JsonValue::Array(_) => {}
        other if !ty.is_list() => f(ty.inner_named_type(), other),
        _ => {}
    }
}

/// Refuses an `orderBy` element given in a variable with several keys at one level:
/// variables arrive as jsonb, which keeps no key order, so the order the client meant
/// cannot be known. A literal keeps its order; a list of one-key elements says it in
/// any form.
fn single_key_order_variables(v: &Value, variables: &JsonMap) -> Result<(), String> {
    crate::guard::stack();
    match v {
        Value::Variable(name) => match variables.get(name.as_str()) {
            Some(value) if several_keys(value, 0) => Err(format!(
                "an orderBy element in variable \"${name}\" has several keys; variables keep no key order, so give one key per element: [{{a: ASC}}, {{b: DESC}}]"
            )),
            _ => Ok(()),
        },
        Value::List(items) => items.iter().try_for_each(|i| single_key_order_variables(i, variables)),
        Value::Object(fields) => fields.iter().try_for_each(|(_, x)| single_key_order_variables(x, variables)),
        _ => Ok(()),
    }
}

/// Whether an object in `v` (a list's items included) has more than one non-null key.
fn several_keys(v: &JsonValue, depth: usize) -> bool {
    crate::guard::stack();
    if depth > 128 {
        return false;
    }
    match v {
        JsonValue::Array(items) => items.iter().any(|i| several_keys(i, depth + 1)),
        JsonValue::Object(m) => {
            m.iter().filter(|(_, x)| !x.is_null()).count() > 1 || m.iter().any(|(_, x)| several_keys(x, depth + 1))
        }
        _ => false,
    }
}
