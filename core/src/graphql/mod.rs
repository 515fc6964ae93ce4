//! GraphQL executable documents: parsed with `apollo-parser` (Apollo's spec-compliant,
//! maintained parser; see docs/apq.md for why) into a small owned AST that the shaper
//! compiles selections from and that persisted queries store as graphql-js JSON.

use apollo_parser::cst::{self, CstNode};
use std::fmt;

/// A syntax error with its 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GraphQL syntax error at line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for SyntaxError {}

#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub definitions: Vec<Definition>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Definition {
    Operation(Operation),
    Fragment(Fragment),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

impl OperationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Query => "query",
            OperationKind::Mutation => "mutation",
            OperationKind::Subscription => "subscription",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    pub kind: OperationKind,
    pub name: Option<String>,
    pub variables: Vec<VariableDefinition>,
    pub directives: Vec<Directive>,
    pub selection_set: Vec<Selection>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariableDefinition {
    pub name: String,
    pub ty: Type,
    pub default: Option<Value>,
    pub directives: Vec<Directive>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Named(String),
    List(Box<Type>),
    NonNull(Box<Type>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fragment {
    pub name: String,
    pub type_condition: String,
    pub directives: Vec<Directive>,
    pub selection_set: Vec<Selection>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    Field(Field),
    FragmentSpread { name: String, directives: Vec<Directive> },
    InlineFragment { type_condition: Option<String>, directives: Vec<Directive>, selection_set: Vec<Selection> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub alias: Option<String>,
    pub name: String,
    pub arguments: Vec<(String, Value)>,
    pub directives: Vec<Directive>,
    pub selection_set: Vec<Selection>,
    /// Line and column of the field in its document, when the producer of the tree
    /// tracks them (the execution engine does, for error locations; [`parse`] does not).
    pub location: Option<(usize, usize)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    pub name: String,
    pub arguments: Vec<(String, Value)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Variable(String),
    /// Integer and float literals keep their source text.
    Int(String),
    Float(String),
    String {
        value: String,
        block: bool,
    },
    Boolean(bool),
    Null,
    Enum(String),
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Nesting and size limits: a GraphQL document is untrusted input parsed inside a
/// server backend, so its depth and token count are bounded. apollo-parser applies the
/// recursion limit to selection sets, list and object values and list types alike (a
/// test below feeds it 20,000 levels of each).
pub const RECURSION_LIMIT: usize = 128;
const TOKEN_LIMIT: usize = 200_000;

fn line_col(src: &str, index: usize) -> (usize, usize) {
    let index = index.min(src.len());
    let before = &src[..src.floor_char_boundary(index)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parses an executable document (operations and fragments).
pub fn parse(src: &str) -> Result<Document, SyntaxError> {
    let tree = apollo_parser::Parser::new(src).recursion_limit(RECURSION_LIMIT).token_limit(TOKEN_LIMIT).parse();
    if let Some(e) = tree.errors().next() {
        let (line, column) = line_col(src, e.index());
        let message = if e.data().is_empty() || e.is_eof() {
            e.message().to_string()
        } else {
            format!("{} (at {:?})", e.message(), e.data())
        };
        return Err(SyntaxError { message, line, column });
    }
    let doc = tree.document();
    let mut definitions = Vec::new();
    for def in doc.definitions() {
        let at = |node: &dyn Fn() -> usize| line_col(src, node());
        match def {
            cst::Definition::OperationDefinition(op) => definitions.push(Definition::Operation(operation(&op))),
            cst::Definition::FragmentDefinition(f) => definitions.push(Definition::Fragment(fragment(&f))),
            other => {
                let (line, column) = at(&|| usize::from(other.syntax().text_range().start()));
                return Err(SyntaxError {
                    message: format!("{} is not allowed here: only operations and fragments are", other.kind()),
                    line,
                    column,
                });
            }
        }
    }
    if definitions.is_empty() {
        return Err(SyntaxError { message: "the document holds no operation".into(), line: 1, column: 1 });
    }
    Ok(Document { definitions })
}

fn name(n: Option<cst::Name>) -> String {
    n.map(|n| n.text().to_string()).unwrap_or_default()
}

fn operation(op: &cst::OperationDefinition) -> Operation {
    let kind = match op.operation_type() {
        Some(t) if t.mutation_token().is_some() => OperationKind::Mutation,
        Some(t) if t.subscription_token().is_some() => OperationKind::Subscription,
        _ => OperationKind::Query,
    };
    Operation {
        kind,
        name: op.name().map(|n| n.text().to_string()),
        variables: op
            .variable_definitions()
            .map(|vs| {
                vs.variable_definitions()
                    .map(|v| VariableDefinition {
                        name: v.variable().map(|v| v.text().to_string()).unwrap_or_default(),
                        ty: v.ty().map(|t| ty(&t)).unwrap_or(Type::Named(String::new())),
                        default: v.default_value().and_then(|d| d.value()).map(|v| value(&v)),
                        directives: directives(v.directives()),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        directives: directives(op.directives()),
        selection_set: selection_set(op.selection_set()),
    }
}

fn fragment(f: &cst::FragmentDefinition) -> Fragment {
    Fragment {
        name: name(f.fragment_name().and_then(|n| n.name())),
        type_condition: name(f.type_condition().and_then(|t| t.named_type()).and_then(|n| n.name())),
        directives: directives(f.directives()),
        selection_set: selection_set(f.selection_set()),
    }
}

fn ty(t: &cst::Type) -> Type {
    match t {
        cst::Type::NamedType(n) => Type::Named(name(n.name())),
        cst::Type::ListType(l) => Type::List(Box::new(l.ty().map(|t| ty(&t)).unwrap_or(Type::Named(String::new())))),
        cst::Type::NonNullType(n) => Type::NonNull(Box::new(match (n.named_type(), n.list_type()) {
            (Some(named), _) => Type::Named(name(named.name())),
            (None, Some(l)) => Type::List(Box::new(l.ty().map(|t| ty(&t)).unwrap_or(Type::Named(String::new())))),
            _ => Type::Named(String::new()),
        })),
    }
}

fn directives(ds: Option<cst::Directives>) -> Vec<Directive> {
    ds.map(|ds| {
        ds.directives().map(|d| Directive { name: name(d.name()), arguments: arguments(d.arguments()) }).collect()
    })
    .unwrap_or_default()
}

fn arguments(args: Option<cst::Arguments>) -> Vec<(String, Value)> {
    args.map(|a| {
        a.arguments().map(|arg| (name(arg.name()), arg.value().map(|v| value(&v)).unwrap_or(Value::Null))).collect()
    })
    .unwrap_or_default()
}

/// Recursion here and in [`value`] and [`ty`] follows the document's nesting, which the
/// parser has already bounded by [`RECURSION_LIMIT`] (lists, objects and types included).
fn selection_set(s: Option<cst::SelectionSet>) -> Vec<Selection> {
    crate::guard::stack();
    let Some(s) = s else { return Vec::new() };
    s.selections()
        .map(|sel| match sel {
            cst::Selection::Field(f) => Selection::Field(Field {
                alias: f.alias().and_then(|a| a.name()).map(|n| n.text().to_string()),
                name: name(f.name()),
                arguments: arguments(f.arguments()),
                directives: directives(f.directives()),
                selection_set: selection_set(f.selection_set()),
                location: None,
            }),
            cst::Selection::FragmentSpread(fs) => Selection::FragmentSpread {
                name: name(fs.fragment_name().and_then(|n| n.name())),
                directives: directives(fs.directives()),
            },
            cst::Selection::InlineFragment(inl) => Selection::InlineFragment {
                type_condition: inl.type_condition().and_then(|t| t.named_type()).map(|n| name(n.name())),
                directives: directives(inl.directives()),
                selection_set: selection_set(inl.selection_set()),
            },
        })
        .collect()
}

fn value(v: &cst::Value) -> Value {
    crate::guard::stack();
    match v {
        cst::Value::Variable(var) => Value::Variable(name(var.name())),
        cst::Value::StringValue(s) => {
            let block = s.syntax().text().to_string().starts_with("\"\"\"");
            Value::String { value: String::from(s), block }
        }
        cst::Value::FloatValue(f) => Value::Float(f.syntax().text().to_string()),
        cst::Value::IntValue(i) => Value::Int(i.syntax().text().to_string()),
        cst::Value::BooleanValue(b) => Value::Boolean(b.true_token().is_some()),
        cst::Value::NullValue(_) => Value::Null,
        cst::Value::EnumValue(e) => Value::Enum(e.text().to_string()),
        cst::Value::ListValue(l) => Value::List(l.values().map(|v| value(&v)).collect()),
        cst::Value::ObjectValue(o) => Value::Object(
            o.object_fields().map(|f| (name(f.name()), f.value().map(|v| value(&v)).unwrap_or(Value::Null))).collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_selection_with_alias_fragments_and_directives() {
        let d = parse("{ id box: machine @include(if: true) { ...M } } fragment M on Machine { name }").unwrap();
        assert_eq!(d.definitions.len(), 2);
        let Definition::Operation(op) = &d.definitions[0] else { panic!() };
        assert_eq!(op.kind, OperationKind::Query);
        let Selection::Field(f) = &op.selection_set[1] else { panic!() };
        assert_eq!((f.alias.as_deref(), f.name.as_str()), (Some("box"), "machine"));
        assert_eq!(f.directives[0].arguments[0], ("if".to_string(), Value::Boolean(true)));
    }

    #[test]
    fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
        let n = 20_000;
        for q in [
            format!("{{ a(x: {}1{}) }}", "[".repeat(n), "]".repeat(n)),
            format!("query($v: {}Int{}) {{ a }}", "[".repeat(n), "]".repeat(n)),
            format!("{{ a(x: {}1{}) }}", "{b:".repeat(n), "}".repeat(n)),
            format!("{}{}", "{a".repeat(n), "}".repeat(n)),
        ] {
            let e = parse(&q).unwrap_err();
            assert!(e.message.contains("limit"), "{e}");
        }
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let e = parse("{\n  id\n  machine {\n}").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        let e = parse("{ id(: 1) }").unwrap_err();
        assert_eq!((e.line, e.column), (1, 6), "{e}");
        let e = parse("type Foo { id: ID }").unwrap_err();
        assert!(e.message.contains("not allowed"), "{e}");
        assert!(parse("").is_err());
    }
}
