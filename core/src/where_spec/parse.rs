//! Spec document → `Node` tree. Every rejection names the JSON path of the fault, the
//! offending token and what would have been valid there.

use super::ops::errors::{corrupt, err, show};
use super::ops::{self, SpecReader};
use super::typed::{self, TypeName};
use super::{CompareTest, Host, Json, Node, Op, Options, SpecError, TypeHints};
use crate::camel::snake_case;
use crate::jsonb::{Container, Value};

pub(super) fn is_logical(key: &str) -> bool {
    logical(key).is_some()
}

fn logical(key: &str) -> Option<&'static str> {
    match key {
        "AND" | "_and" => Some("AND"),
        "OR" | "_or" => Some("OR"),
        "NOT" | "_not" => Some("NOT"),
        _ => None,
    }
}

pub(super) struct Parser<'h> {
    options: Options,
    pub(super) host: &'h dyn Host,
    types: &'h TypeHints,
    /// Data path of the current scope from the row (non-empty inside quantifiers), so
    /// type hints name fields by their full path (`posts.created_at`).
    scope: Vec<String>,
}

fn key_str<'a>(path: &str, k: &'a [u8]) -> Result<&'a str, SpecError> {
    std::str::from_utf8(k).map_err(|_| err(path, "key is not valid UTF-8", None))
}

/// How deeply a spec document may nest. Parsing and evaluation recurse along the spec,
/// and a backend's stack is shared with the server: a hostile spec nested thousands of
/// levels deep must be an error, never a stack overflow.
pub const MAX_DEPTH: usize = 64;

fn check_depth(v: &Value<'_>, path: &str) -> Result<(), SpecError> {
    fn deeper_than(v: &Value<'_>, limit: usize) -> bool {
        crate::guard::stack();
        let children: Box<dyn Iterator<Item = Option<Value<'_>>>> = match v {
            Value::Array(c) => Box::new(c.elements().map(Result::ok)),
            Value::Object(c) => Box::new(c.members().map(|m| m.ok().map(|(_, v)| v))),
            _ => return false,
        };
        if limit == 0 {
            return true;
        }
        children.flatten().any(|child| {
            crate::guard::interrupts();
            deeper_than(&child, limit - 1)
        })
    }
    if deeper_than(v, MAX_DEPTH) {
        return Err(err(
            path,
            format!("document nested more than {MAX_DEPTH} levels deep"),
            Some("flatten the spec: AND/OR take lists, so conditions rarely need deep nesting".into()),
        ));
    }
    Ok(())
}

pub(super) fn parse_types(types: Value<'_>, options: Options) -> Result<TypeHints, SpecError> {
    check_depth(&types, "types")?;
    let mut out = TypeHints::new();
    let c =
        match types {
            Value::Null => return Ok(out),
            Value::Object(c) => c,
            other => return Err(err(
                "types",
                format!("expected an object, got {} {}", other.type_name(), show(&other)),
                Some(
                    "types maps field paths to type names: {\"created_at\": \"timestamptz\", \"machine.ip\": \"inet\"}"
                        .into(),
                ),
            )),
        };
    for m in c.members() {
        crate::guard::interrupts();
        let (k, v) = m.map_err(|e| corrupt("types", e))?;
        let key = key_str("types", k)?;
        let here = format!("types.{key}");
        let name = match v.as_str() {
            Some(s) => s.map_err(|e| corrupt(&here, e))?,
            None => {
                return Err(err(
                    &here,
                    format!("expected a type name, got {}", show(&v)),
                    Some(format!("valid types: {}", typed::TYPE_NAMES.join(", "))),
                ))
            }
        };
        let ty = TypeName::parse(name).ok_or_else(|| {
            err(
                &here,
                format!("unknown type \"{name}\""),
                Some(format!("valid types: {}", typed::TYPE_NAMES.join(", "))),
            )
        })?;
        let path: Vec<String> =
            key.split('.').map(|seg| if options.convert_keys { snake_case(seg) } else { seg.to_string() }).collect();
        if path.iter().any(String::is_empty) {
            return Err(err(
                &here,
                format!("empty segment in field path \"{key}\""),
                Some("write dotted paths such as \"machine.ip_address\"".into()),
            ));
        }
        out.insert(path, ty);
    }
    Ok(out)
}

pub(super) fn parse_operators(ops: Value<'_>, options: Options, host: &dyn Host) -> Result<Node, SpecError> {
    check_depth(&ops, "value")?;
    let empty = TypeHints::new();
    let p = Parser { options, host, types: &empty, scope: Vec::new() };
    match ops {
        Value::Object(c) if c.is_empty() => Ok(Node::True),
        Value::Object(_) => p.field(ops, "value", Vec::new(), false),
        other => Err(err("value", format!("expected an operator object, got {}", show(&other)), Some(ops::hint()))),
    }
}

pub(super) fn parse(spec: Value<'_>, types: &TypeHints, options: Options, host: &dyn Host) -> Result<Node, SpecError> {
    check_depth(&spec, "where")?;
    let p = Parser { options, host, types, scope: Vec::new() };
    match spec {
        Value::Object(c) => p.object_spec(c, "where", &[], true),
        Value::Null => Ok(Node::True),
        other => Err(err(
            "where",
            format!("expected an object, got {} {}", other.type_name(), show(&other)),
            Some("a where-spec is an object such as {\"status\": {\"eq\": \"active\"}}".into()),
        )),
    }
}

fn and(mut parts: Vec<Node>) -> Node {
    parts.retain(|n| !matches!(n, Node::True));
    match parts.len() {
        0 => Node::True,
        1 => parts.pop().expect("one"),
        _ => Node::And(parts),
    }
}

impl Parser<'_> {
    fn data_key(&self, key: &str) -> String {
        if self.options.convert_keys {
            snake_case(key)
        } else {
            key.to_string()
        }
    }

    /// An object of fields and logical operators; `prefix` is the data path of the
    /// object it filters (for nested objects). `shorthand` allows a bare scalar to mean
    /// `eq`: only at the root and in logical operands there, where a key can only be a
    /// field. In a nested object a bare scalar is far more likely a misspelt operator
    /// (`{"status": {"eqq": "x"}}`), so it is rejected instead of guessed.
    fn object_spec(&self, c: Container<'_>, path: &str, prefix: &[String], shorthand: bool) -> Result<Node, SpecError> {
        crate::guard::stack();
        let mut parts = Vec::new();
        for m in c.members() {
            crate::guard::interrupts();
            let (k, v) = m.map_err(|e| corrupt(path, e))?;
            let key = key_str(path, k)?;
            let here = format!("{path}.{key}");
            if let Some(l) = logical(key) {
                parts.push(self.logical(l, v, &here, prefix, shorthand)?);
                continue;
            }
            let mut field_path = prefix.to_vec();
            field_path.push(self.data_key(key));
            parts.push(self.field(v, &here, field_path, shorthand)?);
        }
        Ok(and(parts))
    }

    fn logical(
        &self,
        which: &str,
        v: Value<'_>,
        path: &str,
        prefix: &[String],
        shorthand: bool,
    ) -> Result<Node, SpecError> {
        match (which, v) {
            (_, Value::Null) => Ok(Node::True),
            ("NOT", Value::Object(c)) => Ok(match self.object_spec(c, path, prefix, shorthand)? {
                Node::True => Node::True,
                inner => Node::Not(Box::new(inner)),
            }),
            ("NOT", other) => Err(err(
                path,
                format!("NOT expects an object, got {} {}", other.type_name(), show(&other)),
                Some("write {\"NOT\": {\"field\": {\"op\": value}}}".into()),
            )),
            (_, Value::Array(items)) => {
                let mut parts = Vec::new();
                for (i, item) in items.elements().enumerate() {
                    crate::guard::interrupts();
                    let item = item.map_err(|e| corrupt(path, e))?;
                    let here = format!("{path}[{i}]");
                    match item {
                        Value::Object(c) => parts.push(self.object_spec(c, &here, prefix, shorthand)?),
                        Value::Null => {}
                        other => {
                            return Err(err(
                                &here,
                                format!("{which} items must be objects, got {} {}", other.type_name(), show(&other)),
                                Some(format!("write {{\"{which}\": [{{...}}, {{...}}]}}")),
                            ))
                        }
                    }
                }
                if which == "AND" {
                    return Ok(and(parts));
                }
                // An OR alternative with no condition left means its filter was not
                // given: it is dropped rather than turning the OR into "everything".
                parts.retain(|n| !matches!(n, Node::True));
                Ok(match parts.len() {
                    0 => Node::True,
                    1 => parts.pop().expect("one"),
                    _ => Node::Or(parts),
                })
            }
            (_, other) => Err(err(
                path,
                format!("{which} expects a list, got {} {}", other.type_name(), show(&other)),
                Some(format!("write {{\"{which}\": [{{...}}, {{...}}]}}")),
            )),
        }
    }

    /// The value under a field key: an operator object, a nested object spec, or (at the
    /// top level) a scalar meaning `eq`.
    fn field(&self, v: Value<'_>, path: &str, field_path: Vec<String>, shorthand_ok: bool) -> Result<Node, SpecError> {
        crate::guard::stack();
        match v {
            Value::Null => Ok(Node::True),
            Value::Object(c) => {
                let mut ops = Vec::new();
                let mut fields = Vec::new();
                for m in c.members() {
                    crate::guard::interrupts();
                    let (k, _) = m.map_err(|e| corrupt(path, e))?;
                    let key = key_str(path, k)?;
                    if ops::lookup(key).is_some() {
                        ops.push(key);
                    } else {
                        fields.push(key);
                    }
                }
                if !ops.is_empty() && !fields.is_empty() {
                    return Err(err(
                        &format!("{path}.{}", fields[0]),
                        format!(
                            "ambiguous object: it mixes operators ({}) with names that are not operators ({})",
                            ops.join(", "),
                            fields.join(", ")
                        ),
                        Some(format!(
                            "An object under a field holds either operators or nested fields, not both. {}",
                            ops::hint()
                        )),
                    ));
                }
                if ops.is_empty() && !c.is_empty() {
                    return self.object_spec(c, path, &field_path, false);
                }
                let mut parts = Vec::new();
                for m in c.members() {
                    crate::guard::interrupts();
                    let (k, operand) = m.map_err(|e| corrupt(path, e))?;
                    let key = key_str(path, k)?;
                    parts.push(self.operator(key, operand, &format!("{path}.{key}"), &field_path)?);
                }
                Ok(and(parts))
            }
            Value::Array(_) => Err(err(
                path,
                format!("expected an operator object, got array {}", show(&v)),
                Some("write {\"field\": {\"in\": [...]}} to match one of several values".into()),
            )),
            scalar if shorthand_ok => Ok(Node::Cond {
                path: field_path,
                op: Op::Compare(CompareTest::Eq(Json::from_value(&scalar).map_err(|e| corrupt(path, e))?)),
            }),
            scalar => {
                let name = path.rsplit('.').next().unwrap_or(path);
                Err(err(
                    path,
                    format!("unknown operator \"{name}\" (with operand {})", show(&scalar)),
                    Some(format!(
                        "A bare value is shorthand for eq only for top-level fields; inside a nested object write {{\"{name}\": {{\"eq\": {}}}}}. {}",
                        show(&scalar),
                        ops::hint()
                    )),
                ))
            }
        }
    }

    /// One operator of an operator object, read by its declaration in `ops`.
    fn operator(&self, key: &str, v: Value<'_>, path: &str, field: &[String]) -> Result<Node, SpecError> {
        if let Value::Null = v {
            return Ok(Node::True);
        }
        let Some(def) = ops::lookup(key) else {
            return Err(err(path, format!("unknown operator \"{key}\""), Some(ops::hint())));
        };
        let ctx = ops::Ctx { parser: self, def, key, v, path, field };
        match (def.hinted, self.hint(field)) {
            (Some(hinted), Some(ty)) => hinted(&ctx, ty),
            _ => (def.parse)(&ctx),
        }
    }

    /// The type hint of a field (hints name fields by their full data path, through
    /// quantifiers: `posts.created_at`).
    pub(super) fn hint(&self, field: &[String]) -> Option<TypeName> {
        let mut full = self.scope.clone();
        full.extend(field.iter().cloned());
        self.types.get(&full).copied()
    }
}

impl SpecReader for Parser<'_> {
    fn host(&self) -> &dyn Host {
        self.host
    }

    /// Operators apply to the element itself; anything else is a spec over each
    /// element's fields.
    fn element_spec(&self, v: Value<'_>, path: &str, field: &[String]) -> Result<Node, SpecError> {
        let mut scope = self.scope.clone();
        scope.extend(field.iter().cloned());
        let child = Parser { options: self.options, host: self.host, types: self.types, scope };
        child.field(v, path, Vec::new(), false)
    }
}

#[cfg(test)]
mod tests {
    use crate::camel::snake_case;

    #[test]
    fn snake() {
        assert_eq!(snake_case("isCurrent"), "is_current");
        assert_eq!(snake_case("ipV4Address"), "ip_v4_address");
        assert_eq!(snake_case("is_current"), "is_current");
        assert_eq!(snake_case("id"), "id");
        assert_eq!(snake_case("ID"), "ID");
    }
}
