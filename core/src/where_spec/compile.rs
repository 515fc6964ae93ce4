//! `Node` tree → SQL boolean expression. Mirrors `eval.rs` rule for rule.
//!
//! Only built-in operators and functions are emitted, so the SQL runs wherever the
//! column is visible, with or without the extension on the search path. Every key and
//! operand reaches the text through `quote_literal`; the column through `quote_ident`.
//!
//! Polarity: where only truth matters (not under `NOT`), false and unknown select the
//! same rows, so an AND of equalities can become one `@>` containment that a GIN
//! `jsonb_path_ops` index serves. Under `NOT` the exact three-valued forms are emitted.

use super::typed::TypeName;
use super::{Json, LenCmp, NetClass, NetTest, Node, Op, Quant, RangeRel, RangeTest, TCmp};
use crate::jsonb::{write_json_string, Value};
use crate::sql::quote_literal;

pub(super) fn compile(node: &Node, column: &str, helpers: &str) -> String {
    let mut c = Compiler { depth: 0, helpers: helpers.to_string() };
    c.node(node, column, true)
}

struct Compiler {
    depth: usize,
    /// Schema prefix (`"public".`) for the extension's helper functions.
    helpers: String,
}

/// The addresses of each class: the same network lists the evaluator tests.
fn net_class_sql(x: &str, c: NetClass) -> String {
    use super::typed::{CARRIER_GRADE, DOCUMENTATION, LINK_LOCAL, LOOPBACK, MULTICAST, PRIVATE};
    let any = |nets: &super::typed::Networks| -> String {
        let parts: Vec<String> = nets.texts.iter().map(|n| format!("{x} <<= '{n}'::inet")).collect();
        format!("({})", parts.join(" OR "))
    };
    match c {
        NetClass::Private => any(&PRIVATE),
        NetClass::Public => format!("(NOT {})", net_class_sql(x, NetClass::Private)),
        NetClass::Ipv4 => format!("(family({x}) = 4)"),
        NetClass::Ipv6 => format!("(family({x}) = 6)"),
        NetClass::Loopback => any(&LOOPBACK),
        NetClass::LinkLocal => any(&LINK_LOCAL),
        NetClass::Multicast => any(&MULTICAST),
        NetClass::Documentation => any(&DOCUMENTATION),
        NetClass::CarrierGrade => any(&CARRIER_GRADE),
    }
}

fn path_expr(scope: &str, path: &[String]) -> String {
    let mut s = scope.to_string();
    for k in path {
        s.push_str(" -> ");
        s.push_str(&quote_literal(k));
    }
    if path.is_empty() {
        s
    } else {
        format!("({s})")
    }
}

fn jsonb_lit(j: &Json) -> String {
    format!("{}::jsonb", quote_literal(j.text()))
}

fn guard(v: &str, ty: &str, expr: &str) -> String {
    format!("CASE WHEN jsonb_typeof({v}) = '{ty}' THEN {expr} END")
}

/// The JSON text of a scalar operand as SQL of its own type.
fn typed_scalar(v: &str, j: &Json) -> (&'static str, String, String) {
    match j.value() {
        Value::String(_) => {
            let s = j.value().as_str().expect("string").expect("utf-8");
            ("string", format!("({v} #>> '{{}}')"), quote_literal(s))
        }
        Value::Number(n) => ("number", format!("({v})::numeric"), format!("{}::numeric", quote_literal(&n.to_text()))),
        Value::Bool(b) => ("boolean", format!("({v})::boolean"), b.to_string()),
        _ => unreachable!("scalars only"),
    }
}

/// Tree of scalar equalities merged into one containment document.
enum Merge {
    Leaf(String),
    Obj(Vec<(String, Merge)>),
}

impl Merge {
    /// Adds `path = json`; false when it conflicts with what is there already.
    fn insert(&mut self, path: &[String], json: &str) -> bool {
        let Merge::Obj(members) = self else {
            return false;
        };
        let (head, rest) = path.split_first().expect("non-empty path");
        if let Some((_, child)) = members.iter_mut().find(|(k, _)| k == head) {
            return !rest.is_empty() && child.insert(rest, json);
        }
        if rest.is_empty() {
            members.push((head.clone(), Merge::Leaf(json.to_string())));
            return true;
        }
        let mut child = Merge::Obj(Vec::new());
        let ok = child.insert(rest, json);
        members.push((head.clone(), child));
        ok
    }

    fn render(&self, out: &mut String) {
        match self {
            Merge::Leaf(j) => out.push_str(j),
            Merge::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_json_string(out, k);
                    out.push_str(": ");
                    v.render(out);
                }
                out.push('}');
            }
        }
    }
}

fn mergeable(node: &Node) -> Option<(&[String], &Json)> {
    match node {
        Node::Cond { path, op: Op::Eq(j) } if !path.is_empty() => {
            matches!(j.value(), Value::String(_) | Value::Number(_) | Value::Bool(_)).then_some((path.as_slice(), j))
        }
        _ => None,
    }
}

impl Compiler {
    /// Recursion follows the spec tree, at most `parse::MAX_DEPTH` levels.
    fn node(&mut self, node: &Node, scope: &str, positive: bool) -> String {
        crate::guard::stack();
        match node {
            Node::True => "true".to_string(),
            Node::And(parts) => {
                let mut out = Vec::new();
                let mut rest: Vec<&Node> = Vec::new();
                if positive {
                    let mut merged = Merge::Obj(Vec::new());
                    let mut any = false;
                    for p in parts {
                        match mergeable(p) {
                            Some((path, j)) if merged.insert(path, j.text()) => any = true,
                            _ => rest.push(p),
                        }
                    }
                    if any {
                        let mut doc = String::new();
                        merged.render(&mut doc);
                        out.push(format!("{scope} @> {}::jsonb", quote_literal(&doc)));
                    }
                } else {
                    rest.extend(parts.iter());
                }
                for p in rest {
                    out.push(self.node(p, scope, positive));
                }
                format!("({})", out.join(" AND "))
            }
            Node::Or(parts) => {
                let out: Vec<String> = parts.iter().map(|p| self.node(p, scope, positive)).collect();
                format!("({})", out.join(" OR "))
            }
            Node::Not(inner) => format!("(NOT {})", self.node(inner, scope, !positive)),
            Node::Cond { path, op } => {
                if positive {
                    if let Some((path, j)) = mergeable(node) {
                        let mut m = Merge::Obj(Vec::new());
                        m.insert(path, j.text());
                        let mut doc = String::new();
                        m.render(&mut doc);
                        return format!("{scope} @> {}::jsonb", quote_literal(&doc));
                    }
                }
                self.cond(&path_expr(scope, path), op, positive)
            }
            Node::Quant { path, kind, inner } => {
                let v = path_expr(scope, path);
                self.depth += 1;
                let alias = format!("fq{}", self.depth);
                let elem = format!("{alias}.e");
                // Only truth matters inside EXISTS and under COALESCE(…, false).
                let body = self.node(inner, &elem, true);
                self.depth -= 1;
                let from = format!("SELECT 1 FROM jsonb_array_elements({v}) AS {alias}(e)");
                let test = match kind {
                    Quant::Any => format!("EXISTS ({from} WHERE {body})"),
                    Quant::None => format!("NOT EXISTS ({from} WHERE {body})"),
                    Quant::All => format!("NOT EXISTS ({from} WHERE NOT COALESCE({body}, false))"),
                };
                guard(&v, "array", &test)
            }
        }
    }

    fn eq_exact(v: &str, j: &Json) -> String {
        guard(v, j.value().type_name(), &format!("{v} = {}", jsonb_lit(j)))
    }

    fn cond(&mut self, v: &str, op: &Op, positive: bool) -> String {
        match op {
            Op::Eq(j) if positive => format!("{v} = {}", jsonb_lit(j)),
            Op::Eq(j) => Self::eq_exact(v, j),
            Op::Neq(j) => format!("(NOT {})", Self::eq_exact(v, j)),
            Op::Order(cmp, j) => {
                let (ty, lhs, rhs) = typed_scalar(v, j);
                let collate = if ty == "string" { " COLLATE \"C\"" } else { "" };
                guard(v, ty, &format!("{lhs}{collate} {} {rhs}", cmp.sql()))
            }
            Op::In(list) => Self::in_list(v, list),
            Op::Nin(list) => format!("(NOT {})", Self::in_list(v, list)),
            Op::IsNull(true) => format!("(coalesce(jsonb_typeof({v}), 'null') = 'null')"),
            Op::IsNull(false) => format!("(coalesce(jsonb_typeof({v}), 'null') <> 'null')"),
            Op::Like { pattern, ci, negate, .. } => {
                let op = match (ci, negate) {
                    (false, false) => "LIKE",
                    (true, false) => "ILIKE",
                    (false, true) => "NOT LIKE",
                    (true, true) => "NOT ILIKE",
                };
                guard(v, "string", &format!("({v} #>> '{{}}') {op} {}", quote_literal(pattern)))
            }
            Op::Regex { pattern, ci, negate } => {
                let op = match (ci, negate) {
                    (false, false) => "~",
                    (true, false) => "~*",
                    (false, true) => "!~",
                    (true, true) => "!~*",
                };
                guard(v, "string", &format!("({v} #>> '{{}}') {op} {}", quote_literal(pattern)))
            }
            Op::ArrayContains(j) | Op::AnyEq(j) => guard(v, "array", &format!("{v} @> {}", jsonb_lit(j))),
            Op::ArrayContainedBy(j) => guard(v, "array", &format!("{v} <@ {}", jsonb_lit(j))),
            Op::ArrayOverlaps(list) => {
                let body = if list.is_empty() {
                    "false".to_string()
                } else {
                    let parts: Vec<String> = list.iter().map(|j| format!("{v} @> {}", jsonb_lit(j))).collect();
                    format!("({})", parts.join(" OR "))
                };
                guard(v, "array", &body)
            }
            Op::Len(c, n) => {
                let op = match c {
                    LenCmp::Eq => "=",
                    LenCmp::Neq => "<>",
                    LenCmp::Ord(c) => c.sql(),
                };
                guard(v, "array", &format!("jsonb_array_length({v}) {op} {n}"))
            }
            Op::AllEq(j) => guard(
                v,
                "array",
                &format!(
                    "NOT EXISTS (SELECT 1 FROM jsonb_array_elements({v}) AS fqa(e) WHERE fqa.e <> {})",
                    jsonb_lit(j)
                ),
            ),
            Op::TypedCmp { ty, cmp, operand } => {
                let op = match cmp {
                    TCmp::Eq => "=",
                    TCmp::Neq => "<>",
                    TCmp::Order(c) => c.sql(),
                };
                format!("({} {op} {})", self.as_type(*ty, v), operand.sql_literal(*ty))
            }
            Op::TypedIn { ty, list, negate } => {
                let x = self.as_type(*ty, v);
                let test = if list.is_empty() {
                    format!("CASE WHEN {x} IS NOT NULL THEN false END")
                } else {
                    let lits: Vec<String> = list.iter().map(|t| t.sql_literal(*ty)).collect();
                    format!("{x} = ANY (ARRAY[{}])", lits.join(", "))
                };
                if *negate {
                    format!("(NOT {test})")
                } else {
                    format!("({test})")
                }
            }
            Op::Net(test) => {
                let x = self.as_type(TypeName::Inet, v);
                match test {
                    NetTest::Subnet(n) => format!("({x} <<= '{}'::inet)", n.text()),
                    NetTest::InRange(a, b) => format!("({x} >= '{}'::inet AND {x} <= '{}'::inet)", a.text(), b.text()),
                    NetTest::Class(c, true) => net_class_sql(&x, *c),
                    NetTest::Class(c, false) => format!("(NOT {})", net_class_sql(&x, *c)),
                }
            }
            Op::Range(test) => {
                let r = self.as_type(TypeName::Daterange, v);
                match test {
                    RangeTest::ContainsDate(d) => format!("({r} @> '{}'::date)", super::typed::date_text(*d)),
                    RangeTest::Rel(rel, o) => {
                        let op = match rel {
                            RangeRel::Overlaps => "&&",
                            RangeRel::Adjacent => "-|-",
                            RangeRel::StrictlyLeft => "<<",
                            RangeRel::StrictlyRight => ">>",
                            RangeRel::NotLeft => "&>",
                            RangeRel::NotRight => "&<",
                        };
                        format!("({r} {op} '{}'::daterange)", o.text())
                    }
                }
            }
            Op::Ltree(_, source) => format!("{}fraiseql_test({v}, {}::jsonb)", self.helpers, quote_literal(source)),
            Op::Fts { kind, config, query } => guard(
                v,
                "string",
                &format!(
                    "to_tsvector({cfg}::regconfig, ({v} #>> '{{}}')) @@ {}({cfg}::regconfig, {})",
                    kind.sql(),
                    quote_literal(query),
                    cfg = quote_literal(config)
                ),
            ),
            Op::HasKey(k) => guard(v, "object", &format!("{v} ? {}", quote_literal(k))),
            Op::HasAnyKeys(keys) => guard(v, "object", &format!("{v} ?| {}", text_array(keys))),
            Op::HasAllKeys(keys) => guard(v, "object", &format!("{v} ?& {}", text_array(keys))),
            Op::ObjContains(j) => guard(v, "object", &format!("{v} @> {}", jsonb_lit(j))),
            Op::ObjContainedBy(j) => guard(v, "object", &format!("{v} <@ {}", jsonb_lit(j))),
        }
    }

    fn as_type(&self, ty: TypeName, v: &str) -> String {
        format!("{}fraiseql_as_{}({v})", self.helpers, ty.name())
    }

    fn in_list(v: &str, list: &[Json]) -> String {
        if list.is_empty() {
            return format!("CASE WHEN jsonb_typeof({v}) <> 'null' THEN false END");
        }
        // One branch per JSON type present in the list; other types stay unknown.
        let mut branches: Vec<(&'static str, Vec<String>)> = Vec::new();
        for j in list {
            crate::guard::interrupts();
            let ty = j.value().type_name();
            let lit = jsonb_lit(j);
            match branches.iter_mut().find(|(t, _)| *t == ty) {
                Some((_, lits)) => lits.push(lit),
                None => branches.push((ty, vec![lit])),
            }
        }
        let mut s = format!("CASE jsonb_typeof({v})");
        for (ty, lits) in branches {
            s.push_str(&format!(" WHEN '{ty}' THEN {v} = ANY (ARRAY[{}])", lits.join(", ")));
        }
        s.push_str(" END");
        s
    }
}

fn text_array(items: &[String]) -> String {
    let lits: Vec<String> = items.iter().map(|s| quote_literal(s)).collect();
    format!("ARRAY[{}]::text[]", lits.join(", "))
}
