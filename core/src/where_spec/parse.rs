//! Spec document → `Node` tree. Every rejection names the JSON path of the fault, the
//! offending token and what would have been valid there.

use super::typed::{self, TypeName, Typed};
use super::{
    like, ltree, Cmp, FtsKind, Host, Json, LenCmp, LtreeTest, NetClass, NetTest, Node, Op, Options, Quant, RangeRel,
    RangeTest, SpecError, TCmp, TypeHints,
};
use crate::camel::snake_case;
use crate::jsonb::{Container, Value};

/// Operator names as documented, one entry per operator (aliases after the `|`).
#[rustfmt::skip]
pub const OPERATORS: &[&str] = &[
    "eq", "neq|ne", "gt", "gte", "lt", "lte", "in", "nin|notin", "isnull",
    "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith",
    "like", "ilike", "nlike", "nilike",
    "matches|regex", "imatches|iregex", "not_matches|nregex", "niregex",
    "array_contains", "array_contained_by", "array_overlaps",
    "len_eq", "len_neq", "len_gt", "len_gte", "len_lt", "len_lte", "any_eq", "all_eq",
    "has_key", "has_any_keys", "has_all_keys", "contained_by",
    "any", "all", "none",
    "inSubnet", "inRange", "isPrivate", "isPublic", "isIPv4", "isIPv6", "isLoopback", "isLinkLocal",
    "isMulticast", "isDocumentation", "isCarrierGrade",
    "ancestor_of", "descendant_of", "matches_lquery", "matches_ltxtquery", "matches_any_lquery",
    "depth_eq", "depth_neq", "depth_gt", "depth_gte", "depth_lt", "depth_lte",
    "contains_date", "overlaps", "adjacent", "strictly_left", "strictly_right", "not_left", "not_right",
    "plain_query", "phrase_query", "websearch_query",
];

/// Operator spellings are matched case- and underscore-insensitively, so GraphQL's
/// `startsWith`/`arrayContains` and Python's `startswith`/`array_contains` are one name.
fn normalize(key: &str) -> String {
    key.chars().filter(|c| *c != '_').flat_map(|c| c.to_lowercase()).collect()
}

fn is_operator(key: &str) -> bool {
    let n = normalize(key);
    OPERATORS.iter().any(|names| names.split('|').any(|name| normalize(name) == n))
}

fn logical(key: &str) -> Option<&'static str> {
    match key {
        "AND" | "_and" => Some("AND"),
        "OR" | "_or" => Some("OR"),
        "NOT" | "_not" => Some("NOT"),
        _ => None,
    }
}

fn operator_hint() -> String {
    let names: Vec<&str> = OPERATORS.iter().map(|n| n.split('|').next().unwrap_or(n)).collect();
    format!("valid operators: {}", names.join(", "))
}

/// The accepted operand forms of an operator, for hints.
fn usage(name: &str) -> &'static str {
    match name {
        "eq" | "neq" | "ne" => r#"{"eq": value} with a string, number, boolean, array or object"#,
        "gt" | "gte" | "lt" | "lte" => r#"{"gt": value} with a string, number or boolean"#,
        "in" | "nin" | "notin" => r#"{"in": [value, ...]}, a list of non-null values"#,
        "isnull" => r#"{"isnull": true} or {"isnull": false}"#,
        "contains" => r#"{"contains": "text"} (substring), {"contains": {...}} or {"contains": [...]} (containment)"#,
        "arraycontains" => r#"{"array_contains": [values]} or {"array_contains": value}"#,
        "arraycontainedby" | "containedby" => r#"{"array_contained_by": [values]} or {"contained_by": {...}}"#,
        "arrayoverlaps" => r#"{"array_overlaps": [values]}"#,
        "leneq" | "lenneq" | "lengt" | "lengte" | "lenlt" | "lenlte" => r#"{"len_gt": 2}, a non-negative integer"#,
        "anyeq" | "alleq" => r#"{"any_eq": value} with a string, number or boolean"#,
        "haskey" => r#"{"has_key": "key"}"#,
        "hasanykeys" | "hasallkeys" => r#"{"has_any_keys": ["key", ...]}"#,
        "any" | "all" | "none" => {
            r#"{"any": {"field": {"op": value}}} or, for arrays of scalars, {"any": {"op": value}}"#
        }
        _ => r#"{"op": "text"} with a string operand"#,
    }
}

struct Parser<'h> {
    options: Options,
    host: &'h dyn Host,
    types: &'h TypeHints,
    /// Data path of the current scope from the row (non-empty inside quantifiers), so
    /// type hints name fields by their full path (`posts.created_at`).
    scope: Vec<String>,
}

fn err(path: &str, message: impl Into<String>, hint: Option<String>) -> SpecError {
    SpecError { path: path.to_string(), message: message.into(), hint }
}

fn corrupt(path: &str, e: crate::jsonb::Corrupt) -> SpecError {
    err(path, e.to_string(), None)
}

fn key_str<'a>(path: &str, k: &'a [u8]) -> Result<&'a str, SpecError> {
    std::str::from_utf8(k).map_err(|_| err(path, "key is not valid UTF-8", None))
}

fn show(v: &Value<'_>) -> String {
    super::clip(&v.to_text().unwrap_or_else(|_| "?".into()))
}

/// How deeply a spec document may nest. Parsing and evaluation recurse along the spec,
/// and a backend's stack is shared with the server: a hostile spec nested thousands of
/// levels deep must be an error, never a stack overflow.
pub const MAX_DEPTH: usize = 64;

/// The longest full-text operand (`matches`, `plain_query`, `phrase_query`,
/// `websearch_query`), in bytes. PostgreSQL builds a tsquery without checking for
/// interrupts, and a phrase query's cost grows faster than its length (a 1 MB
/// `phrase_query` ran 100 s); 4 KB is a few hundred words and builds in milliseconds.
pub const MAX_FTS_QUERY_BYTES: usize = 4096;

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
        other => Err(err("value", format!("expected an operator object, got {}", show(&other)), Some(operator_hint()))),
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
                    if is_operator(key) {
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
                            "an object under a field holds either operators or nested fields, not both; {}",
                            operator_hint()
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
                op: Op::Eq(Json::from_value(&scalar).map_err(|e| corrupt(path, e))?),
            }),
            scalar => {
                let name = path.rsplit('.').next().unwrap_or(path);
                Err(err(
                    path,
                    format!("unknown operator \"{name}\" (with operand {})", show(&scalar)),
                    Some(format!(
                        "{}; a bare value is shorthand for eq only for top-level fields, inside a nested object write {{\"{name}\": {{\"eq\": {}}}}}",
                        operator_hint(),
                        show(&scalar)
                    )),
                ))
            }
        }
    }

    fn operator(&self, key: &str, v: Value<'_>, path: &str, field: &[String]) -> Result<Node, SpecError> {
        if let Value::Null = v {
            return Ok(Node::True);
        }
        let name = normalize(key);
        let cond = |op: Op| Ok(Node::Cond { path: field.to_vec(), op });
        let json = |v: &Value<'_>| Json::from_value(v).map_err(|e| corrupt(path, e));
        let want = |what: &str, v: &Value<'_>| {
            err(
                path,
                format!("{key} expects {what}, got {} {}", v.type_name(), show(v)),
                Some(format!("valid: {}", usage(&name))),
            )
        };
        let string = |v: &Value<'_>| -> Result<String, SpecError> {
            match v.as_str() {
                Some(s) => Ok(s.map_err(|e| corrupt(path, e))?.to_string()),
                None => Err(want("a string", v)),
            }
        };
        let scalar = |v: &Value<'_>| match v {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => json(v),
            _ => Err(want("a string, number or boolean", v)),
        };
        let list = |v: &Value<'_>| -> Result<Vec<Json>, SpecError> {
            let Value::Array(items) = v else {
                return Err(want("a list", v));
            };
            let mut out = Vec::new();
            for (i, item) in items.elements().enumerate() {
                crate::guard::interrupts();
                let item = item.map_err(|e| corrupt(path, e))?;
                if let Value::Null = item {
                    return Err(err(
                        &format!("{path}[{i}]"),
                        format!("{key} lists cannot hold null"),
                        Some("null never equals anything; use {\"isnull\": true} to match missing values".into()),
                    ));
                }
                out.push(json(&item)?);
            }
            Ok(out)
        };
        let strings = |v: &Value<'_>| -> Result<Vec<String>, SpecError> {
            let Value::Array(items) = v else {
                return Err(want("a list of strings", v));
            };
            let mut out = Vec::new();
            for item in items.elements() {
                crate::guard::interrupts();
                let item = item.map_err(|e| corrupt(path, e))?;
                match item.as_str() {
                    Some(s) => out.push(s.map_err(|e| corrupt(path, e))?.to_string()),
                    None => return Err(want("a list of strings", v)),
                }
            }
            Ok(out)
        };
        let like_op = |pattern: String, ci: bool, negate: bool| -> Result<Node, SpecError> {
            let pattern = if ci { self.host.lower(&pattern) } else { pattern };
            cond(Op::Like { prepared: like::Pattern::new(&pattern), pattern, ci, negate })
        };
        let user_like = |ci: bool, negate: bool| -> Result<Node, SpecError> {
            let pattern = string(&v)?;
            if !like::valid(&pattern) {
                return Err(err(
                    path,
                    format!("LIKE pattern {} ends with an escape character", show(&v)),
                    Some("escape a trailing backslash as \\\\".into()),
                ));
            }
            like_op(pattern, ci, negate)
        };
        let regex = |ci: bool, negate: bool| -> Result<Node, SpecError> {
            let pattern = string(&v)?;
            self.host.regex_check(&pattern, ci).map_err(|m| {
                err(
                    path,
                    format!("invalid regular expression {}: {m}", show(&v)),
                    Some("patterns use PostgreSQL's POSIX regular expression syntax".into()),
                )
            })?;
            cond(Op::Regex { pattern, ci, negate })
        };
        let length = |c: LenCmp| -> Result<Node, SpecError> {
            let n = match v {
                Value::Number(n) => n.to_i64().filter(|n| *n >= 0),
                _ => None,
            };
            match n {
                Some(n) => cond(Op::Len(c, n)),
                None => Err(want("a non-negative integer", &v)),
            }
        };
        let boolean = |v: &Value<'_>| match v {
            Value::Bool(b) => Ok(*b),
            _ => Err(want("true or false", v)),
        };
        let hint = {
            let mut full = self.scope.clone();
            full.extend(field.iter().cloned());
            self.types.get(&full).copied()
        };
        let typed_operand = |ty: TypeName, v: &Value<'_>| -> Result<Typed, SpecError> {
            Typed::from_json(ty, v).ok_or_else(|| {
                err(
                    path,
                    format!("{key} expects a {} value, got {}", ty.name(), show(v)),
                    Some(format!("valid {}: {}", ty.name(), ty.form())),
                )
            })
        };
        let typed_cmp = |ty: TypeName, c: TCmp| -> Result<Node, SpecError> {
            if matches!(c, TCmp::Order(_)) && !ty.ordered() {
                return Err(err(
                    path,
                    format!("{key} is not defined for {} values", ty.name()),
                    Some(format!("{} values support eq, neq, in, nin and their own operators", ty.name())),
                ));
            }
            cond(Op::TypedCmp { ty, cmp: c, operand: typed_operand(ty, &v)? })
        };
        let typed_in = |ty: TypeName, negate: bool| -> Result<Node, SpecError> {
            let Value::Array(items) = v else { return Err(want("a list", &v)) };
            let mut list = Vec::new();
            for (i, item) in items.elements().enumerate() {
                crate::guard::interrupts();
                let t = typed_operand(ty, &item.map_err(|e| corrupt(path, e))?)
                    .map_err(|e| SpecError { path: format!("{path}[{i}]"), ..e })?;
                list.push(t);
            }
            cond(Op::TypedIn { ty, list, negate })
        };
        if let Some(ty) = hint {
            match name.as_str() {
                "eq" => return typed_cmp(ty, TCmp::Eq),
                "neq" | "ne" => return typed_cmp(ty, TCmp::Neq),
                "gt" => return typed_cmp(ty, TCmp::Order(Cmp::Gt)),
                "gte" => return typed_cmp(ty, TCmp::Order(Cmp::Gte)),
                "lt" => return typed_cmp(ty, TCmp::Order(Cmp::Lt)),
                "lte" => return typed_cmp(ty, TCmp::Order(Cmp::Lte)),
                "in" => return typed_in(ty, false),
                "nin" | "notin" => return typed_in(ty, true),
                _ => {}
            }
        }
        let text_of = |ty: TypeName| -> Result<String, SpecError> {
            match v.as_str() {
                Some(s) => Ok(s.map_err(|e| corrupt(path, e))?.to_string()),
                None => Err(err(
                    path,
                    format!("{key} expects a {} string, got {}", ty.name(), show(&v)),
                    Some(format!("valid {}: {}", ty.name(), ty.form())),
                )),
            }
        };
        let inet = |s: &Value<'_>, here: &str| -> Result<typed::Inet, SpecError> {
            s.as_str().and_then(|t| t.ok()).and_then(|t| typed::parse_inet(t, false)).ok_or_else(|| {
                err(
                    here,
                    format!("{key} expects an IP address or network, got {}", show(s)),
                    Some(format!("valid inet: {}", TypeName::Inet.form())),
                )
            })
        };
        let class = |c: NetClass| -> Result<Node, SpecError> { cond(Op::Net(NetTest::Class(c, boolean(&v)?))) };
        let ltree_path = || -> Result<Vec<String>, SpecError> {
            let t = text_of(TypeName::Ltree)?;
            typed::parse_ltree(&t).ok_or_else(|| {
                err(
                    path,
                    format!("{key} expects an ltree path, got {}", show(&v)),
                    Some(format!("valid ltree: {}", TypeName::Ltree.form())),
                )
            })
        };
        let ltree_op = |t: LtreeTest| -> Result<Node, SpecError> {
            let mut src = String::from("{");
            crate::jsonb::write_json_string(&mut src, key);
            src.push_str(": ");
            src.push_str(&v.to_text().map_err(|e| corrupt(path, e))?);
            src.push('}');
            cond(Op::Ltree(t, src))
        };
        let lquery = |t: &str, here: &str| -> Result<ltree::Lquery, SpecError> {
            ltree::Lquery::parse(t).map_err(|m| {
                err(here, format!("invalid lquery {:?}: {m}", super::clip(t)), Some("lquery: labels, *, *{n,m}, a|b alternatives, !negation, @ (any case) and * (prefix) modifiers, joined by dots".into()))
            })
        };
        let depth = |c: LenCmp| -> Result<Node, SpecError> {
            match &v {
                Value::Number(n) => match n.to_i64().filter(|n| *n >= 0) {
                    Some(n) => ltree_op(LtreeTest::Depth(c, n)),
                    None => Err(want("a non-negative integer", &v)),
                },
                _ => Err(want("a non-negative integer", &v)),
            }
        };
        let range = |rel: RangeRel| -> Result<Node, SpecError> {
            match typed_operand(TypeName::Daterange, &v)? {
                Typed::Range(r) => cond(Op::Range(RangeTest::Rel(rel, r))),
                _ => unreachable!("daterange"),
            }
        };
        let fts = |kind: FtsKind| -> Result<Node, SpecError> {
            let (query, config) = match &v {
                Value::String(_) => (string(&v)?, "simple".to_string()),
                Value::Object(c) => {
                    let get = |k: &str| -> Result<Option<String>, SpecError> {
                        match c.get(k.as_bytes()).map_err(|e| corrupt(path, e))? {
                            None | Some(Value::Null) => Ok(None),
                            Some(x) => string(&x).map(Some),
                        }
                    };
                    let q = get("query")?.ok_or_else(|| {
                        err(
                            path,
                            format!("{key} needs a \"query\""),
                            Some(format!("valid: {{\"{key}\": {{\"query\": \"text\", \"config\": \"english\"}}}}")),
                        )
                    })?;
                    (q, get("config")?.unwrap_or_else(|| "simple".to_string()))
                }
                _ => return Err(want("a query string or {\"query\": …, \"config\": …}", &v)),
            };
            if query.len() > MAX_FTS_QUERY_BYTES {
                return Err(err(
                    path,
                    format!("full-text query of {} bytes is longer than {MAX_FTS_QUERY_BYTES} bytes", query.len()),
                    Some("Search with fewer words.".into()),
                ));
            }
            self.host.fts_check(&config, kind, &query).map_err(|m| {
                err(
                    path,
                    format!("invalid full-text query: {m}"),
                    Some("config names a text search configuration such as \"english\" (default \"simple\")".into()),
                )
            })?;
            cond(Op::Fts { kind, config, query })
        };
        match name.as_str() {
            "eq" => cond(Op::Eq(json(&v)?)),
            "insubnet" => cond(Op::Net(NetTest::Subnet(inet(&v, path)?))),
            "inrange" => {
                let Value::Object(c) = v else {
                    return Err(want("an object {\"from\": address, \"to\": address}", &v));
                };
                let bound = |k: &str| -> Result<typed::Inet, SpecError> {
                    match c.get(k.as_bytes()).map_err(|e| corrupt(path, e))? {
                        Some(x) => inet(&x, &format!("{path}.{k}")),
                        None => Err(err(
                            path,
                            format!("inRange needs \"from\" and \"to\", \"{k}\" is missing"),
                            Some("valid: {\"inRange\": {\"from\": \"10.0.0.1\", \"to\": \"10.0.0.99\"}}".into()),
                        )),
                    }
                };
                let (from, to) = (bound("from")?, bound("to")?);
                cond(Op::Net(NetTest::InRange(from, to)))
            }
            "isprivate" => class(NetClass::Private),
            "ispublic" => class(NetClass::Public),
            "isipv4" => class(NetClass::Ipv4),
            "isipv6" => class(NetClass::Ipv6),
            "isloopback" => class(NetClass::Loopback),
            "islinklocal" => class(NetClass::LinkLocal),
            "ismulticast" => class(NetClass::Multicast),
            "isdocumentation" => class(NetClass::Documentation),
            "iscarriergrade" => class(NetClass::CarrierGrade),
            "ancestorof" => ltree_op(LtreeTest::AncestorOf(ltree_path()?)),
            "descendantof" => ltree_op(LtreeTest::DescendantOf(ltree_path()?)),
            "matcheslquery" => ltree_op(LtreeTest::Lquery(lquery(&string(&v)?, path)?)),
            "matchesanylquery" => {
                let Value::Array(items) = v else { return Err(want("a list of lquery strings", &v)) };
                let mut qs = Vec::new();
                for (i, item) in items.elements().enumerate() {
                    crate::guard::interrupts();
                    let item = item.map_err(|e| corrupt(path, e))?;
                    let here = format!("{path}[{i}]");
                    let t = item.as_str().and_then(|t| t.ok()).ok_or_else(|| {
                        err(&here, "lquery must be a string", Some(usage("matchesanylquery").to_string()))
                    })?;
                    qs.push(lquery(t, &here)?);
                }
                ltree_op(LtreeTest::AnyLquery(qs))
            }
            "matchesltxtquery" => {
                let t = string(&v)?;
                let q = ltree::Ltxtquery::parse(&t).map_err(|m| {
                    err(
                        path,
                        format!("invalid ltxtquery {:?}: {m}", super::clip(&t)),
                        Some("ltxtquery: words (with @ and * modifiers) combined with &, |, ! and parentheses".into()),
                    )
                })?;
                ltree_op(LtreeTest::Ltxtquery(q))
            }
            "deptheq" => depth(LenCmp::Eq),
            "depthneq" => depth(LenCmp::Neq),
            "depthgt" => depth(LenCmp::Ord(Cmp::Gt)),
            "depthgte" => depth(LenCmp::Ord(Cmp::Gte)),
            "depthlt" => depth(LenCmp::Ord(Cmp::Lt)),
            "depthlte" => depth(LenCmp::Ord(Cmp::Lte)),
            "containsdate" => match typed_operand(TypeName::Date, &v)? {
                Typed::Date(d) => cond(Op::Range(RangeTest::ContainsDate(d))),
                _ => unreachable!("date"),
            },
            "overlaps" => range(RangeRel::Overlaps),
            "adjacent" => range(RangeRel::Adjacent),
            "strictlyleft" => range(RangeRel::StrictlyLeft),
            "strictlyright" => range(RangeRel::StrictlyRight),
            "notleft" => range(RangeRel::NotLeft),
            "notright" => range(RangeRel::NotRight),
            "plainquery" => fts(FtsKind::Plain),
            "phrasequery" => fts(FtsKind::Phrase),
            "websearchquery" => fts(FtsKind::Websearch),
            "neq" | "ne" => cond(Op::Neq(json(&v)?)),
            "gt" => cond(Op::Order(Cmp::Gt, scalar(&v)?)),
            "gte" => cond(Op::Order(Cmp::Gte, scalar(&v)?)),
            "lt" => cond(Op::Order(Cmp::Lt, scalar(&v)?)),
            "lte" => cond(Op::Order(Cmp::Lte, scalar(&v)?)),
            "in" => cond(Op::In(list(&v)?)),
            "nin" | "notin" => cond(Op::Nin(list(&v)?)),
            "isnull" => cond(Op::IsNull(boolean(&v)?)),
            "contains" => match v {
                Value::String(_) => like_op(format!("%{}%", like::escape(&string(&v)?)), false, false),
                Value::Object(_) => cond(Op::ObjContains(json(&v)?)),
                Value::Array(_) => cond(Op::ArrayContains(json(&v)?)),
                _ => Err(want("a string (substring), an object or an array (containment)", &v)),
            },
            "icontains" => like_op(format!("%{}%", like::escape(&string(&v)?)), true, false),
            "startswith" => like_op(format!("{}%", like::escape(&string(&v)?)), false, false),
            "istartswith" => like_op(format!("{}%", like::escape(&string(&v)?)), true, false),
            "endswith" => like_op(format!("%{}", like::escape(&string(&v)?)), false, false),
            "iendswith" => like_op(format!("%{}", like::escape(&string(&v)?)), true, false),
            "like" => user_like(false, false),
            "ilike" => user_like(true, false),
            "nlike" => user_like(false, true),
            "nilike" => user_like(true, true),
            "matches" | "regex" => regex(false, false),
            "imatches" | "iregex" => regex(true, false),
            "notmatches" | "nregex" => regex(false, true),
            "niregex" => regex(true, true),
            "arraycontains" => match v {
                Value::Array(_) => cond(Op::ArrayContains(json(&v)?)),
                Value::Object(_) => Err(want("an array or a scalar", &v)),
                _ => cond(Op::ArrayContains(json(&v)?.wrapped())),
            },
            "arraycontainedby" => match v {
                Value::Array(_) => cond(Op::ArrayContainedBy(json(&v)?)),
                _ => Err(want("an array", &v)),
            },
            "arrayoverlaps" => cond(Op::ArrayOverlaps(list(&v)?.iter().map(Json::wrapped).collect())),
            "leneq" => length(LenCmp::Eq),
            "lenneq" => length(LenCmp::Neq),
            "lengt" => length(LenCmp::Ord(Cmp::Gt)),
            "lengte" => length(LenCmp::Ord(Cmp::Gte)),
            "lenlt" => length(LenCmp::Ord(Cmp::Lt)),
            "lenlte" => length(LenCmp::Ord(Cmp::Lte)),
            "anyeq" => cond(Op::AnyEq(scalar(&v)?.wrapped())),
            "alleq" => cond(Op::AllEq(scalar(&v)?)),
            "haskey" => cond(Op::HasKey(string(&v)?)),
            "hasanykeys" => cond(Op::HasAnyKeys(strings(&v)?)),
            "hasallkeys" => cond(Op::HasAllKeys(strings(&v)?)),
            "containedby" => match v {
                Value::Object(_) => cond(Op::ObjContainedBy(json(&v)?)),
                Value::Array(_) => cond(Op::ArrayContainedBy(json(&v)?)),
                _ => Err(want("an object or an array", &v)),
            },
            "any" | "all" | "none" => {
                let kind = match name.as_str() {
                    "any" => Quant::Any,
                    "all" => Quant::All,
                    _ => Quant::None,
                };
                let Value::Object(c) = v else {
                    return Err(want("an object: a where-spec for each element, or operators for scalar elements", &v));
                };
                // Operators apply to the element itself; anything else is a spec over
                // each element's fields.
                let mut scope = self.scope.clone();
                scope.extend(field.iter().cloned());
                let child = Parser { options: self.options, host: self.host, types: self.types, scope };
                let inner = child.field(Value::Object(c), path, Vec::new(), false)?;
                Ok(Node::Quant { path: field.to_vec(), kind, inner: Box::new(inner) })
            }
            _ => Err(err(path, format!("unknown operator \"{key}\""), Some(operator_hint()))),
        }
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
