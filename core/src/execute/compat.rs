//! Errors as graphql-js (the reference implementation) reports them: lines and columns
//! counted as graphql-js counts them (columns in UTF-16 code units; `\r\n`, `\n` and `\r`
//! end lines), and the validation errors apollo-compiler places on another node than
//! graphql-js moved there (an unknown input field on its name, not its value; an unknown
//! fragment on its name, not the `...`; a sub-selection on a leaf on its braces; an
//! undefined variable also at its operation; a field conflict at both fields, once).

use crate::shape::FieldError;
use apollo_compiler::ast::{Type, Value};
use apollo_compiler::diagnostic::ToCliReport;
use apollo_compiler::validation::DiagnosticList;
use apollo_compiler::{ExecutableDocument, Node};

/// Line starts of a source text, to turn byte offsets into graphql-js line and column.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// For every non-ASCII character: its byte offset and, up to and including it, the
    /// sum of (UTF-8 bytes - UTF-16 units). A column is then a subtraction and two
    /// binary searches instead of a count from the line's start: a document on one line
    /// (as JSON request bodies send them) asked that count of every field, quadratic in
    /// its length (20,000 aliased fields: 1.4 s).
    wide: Vec<(usize, usize)>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        let mut tick = crate::guard::Tick::default();
        while i < b.len() {
            tick.tick();
            match b[i] {
                b'\r' if b.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' | b'\n' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        let mut wide = Vec::new();
        let mut sum = 0;
        for (at, c) in text.char_indices().filter(|(_, c)| !c.is_ascii()) {
            tick.tick();
            sum += c.len_utf8() - c.len_utf16();
            wide.push((at, sum));
        }
        Lines { text, starts, wide }
    }

    /// The sum of (UTF-8 bytes - UTF-16 units) of the characters before byte `offset`.
    fn excess_before(&self, offset: usize) -> usize {
        match self.wide.partition_point(|(at, _)| *at < offset) {
            0 => 0,
            n => self.wide[n - 1].1,
        }
    }

    /// 1-based line and column (UTF-16 code units) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let units = (offset - start) - (self.excess_before(offset) - self.excess_before(start));
        (line, units + 1)
    }
}

/// The byte offset of the last `name` before `before` that is a whole word followed by
/// `:` (an object field or an alias), or by anything (`any`).
fn find_name_before(text: &str, name: &str, before: usize, colon: bool) -> Option<usize> {
    let b = text.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut end = before.min(text.len());
    while let Some(i) = text.get(..end)?.rfind(name) {
        crate::guard::interrupts();
        let after = i + name.len();
        let whole = (i == 0 || !is_word(b[i - 1])) && b.get(after).is_none_or(|c| !is_word(*c));
        let rest = text[after..].trim_start();
        if whole && (!colon || rest.starts_with(':')) && (i == 0 || b[i - 1] != b'$') {
            return Some(i);
        }
        end = i;
    }
    None
}

/// The first quoted word of a message (`Field "eqq" is not defined…` → `eqq`).
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('"')? + 1;
    let len = message[start..].find('"')?;
    Some(&message[start..start + len])
}

/// Where graphql-js reports an error apollo-compiler reports at `offset`, and the
/// locations it adds.
fn relocate(name: Option<&str>, message: &str, offset: usize, text: &str, doc: &ExecutableDocument) -> Vec<usize> {
    match name {
        Some("UndefinedInputValue") => {
            let field = quoted(message).unwrap_or_default();
            vec![find_name_before(text, field, offset, true).unwrap_or(offset)]
        }
        Some("UndefinedFragment") => {
            let after_dots = text[offset..].strip_prefix("...").map(|r| offset + 3 + (r.len() - r.trim_start().len()));
            vec![after_dots.unwrap_or(offset)]
        }
        Some("SubselectionOnScalarType" | "SubselectionOnEnumType") => {
            vec![text[offset..].find('{').map_or(offset, |i| offset + i)]
        }
        Some("UndefinedVariable") => {
            let op = doc
                .operations
                .iter()
                .filter_map(|o| o.location())
                .find(|s| s.offset() <= offset && offset < s.end_offset());
            std::iter::once(offset).chain(op.map(|s| s.offset())).collect()
        }
        // graphql-js: the variable's definition, then its use.
        Some("DisallowedVariableUsage") => {
            let var = quoted(message).unwrap_or_default();
            let name = var.strip_prefix('$').unwrap_or(var);
            let used = find_variable(text, name, offset, text.len(), false).unwrap_or(offset);
            let op = enclosing_operation(doc, offset);
            let defined = op.and_then(|(start, end)| find_variable(text, name, start, end, true));
            defined.into_iter().chain(std::iter::once(used)).collect()
        }
        // graphql-js: the first operation's name, then this one's.
        Some("OperationNameCollision") => {
            let name = quoted(message).unwrap_or_default();
            let names = operation_names(text, name);
            let this = names.iter().copied().find(|n| *n >= offset).or(names.last().copied()).unwrap_or(offset);
            names.first().copied().filter(|f| *f != this).into_iter().chain(std::iter::once(this)).collect()
        }
        // graphql-js: both occurrences, the first found before this one.
        Some("UniqueArgument") => {
            let name = quoted(message).unwrap_or_default();
            find_name_before(text, name, offset, true).into_iter().chain(std::iter::once(offset)).collect()
        }
        Some("UniqueDirective") => {
            let name = quoted(message).unwrap_or_default().trim_start_matches('@');
            let at = format!("@{name}");
            text.get(..offset).and_then(|t| t.rfind(&at)).into_iter().chain(std::iter::once(offset)).collect()
        }
        Some("FragmentNameCollision") => {
            let name = quoted(message).unwrap_or_default();
            let names = definition_names(text, name, &["fragment"]);
            let this = names.iter().copied().find(|n| *n >= offset).or(names.last().copied()).unwrap_or(offset);
            names.first().copied().filter(|f| *f != this).into_iter().chain(std::iter::once(this)).collect()
        }
        // graphql-js: the variables' names (after the `$`), both definitions.
        Some("UniqueVariable") => {
            let var = quoted(message).unwrap_or_default();
            let name = var.strip_prefix('$').unwrap_or(var);
            let (start, _) = enclosing_operation(doc, offset).unwrap_or((0, offset));
            let first = find_variable(text, name, start, offset, true).filter(|f| *f < offset);
            first.into_iter().chain(std::iter::once(offset)).map(|o| o + 1).collect()
        }
        // graphql-js: the variable's type.
        Some("VariableInputType") => {
            let after = text.get(offset..).and_then(|t| t.find(':')).map(|i| offset + i + 1);
            let ty = after.map(|a| a + (text[a..].len() - text[a..].trim_start().len()));
            vec![ty.unwrap_or(offset)]
        }
        // graphql-js: every spread on the cycle, from the fragment the message names.
        Some("RecursiveFragmentDefinition") => {
            cycle_spreads(message, doc).filter(|v| !v.is_empty()).unwrap_or(vec![offset])
        }
        Some("ConflictingFieldName" | "ConflictingFieldType" | "ConflictingFieldArgument") => {
            let key = quoted(message).unwrap_or_default();
            let earlier = find_name_before(text, key, offset, false);
            earlier.into_iter().chain(std::iter::once(offset)).collect()
        }
        _ => vec![offset],
    }
}

/// The byte offset of `$name` in `text[from..to]` as a whole name: a variable's use, or
/// with `definition` its definition (followed by `:`).
fn find_variable(text: &str, name: &str, from: usize, to: usize, definition: bool) -> Option<usize> {
    let pattern = format!("${name}");
    let b = text.as_bytes();
    let mut at = from.min(text.len());
    let to = to.min(text.len());
    while let Some(i) = text.get(at..to)?.find(&pattern) {
        crate::guard::interrupts();
        let start = at + i;
        let after = start + pattern.len();
        let whole = b.get(after).is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'));
        if whole && (!definition || text[after..].trim_start().starts_with(':')) {
            return Some(start);
        }
        at = after;
    }
    None
}

/// The byte range of the operation whose source contains `offset`.
fn enclosing_operation(doc: &ExecutableDocument, offset: usize) -> Option<(usize, usize)> {
    doc.operations
        .iter()
        .filter_map(|o| o.location())
        .find(|s| s.offset() <= offset && offset < s.end_offset())
        .map(|s| (s.offset(), s.end_offset()))
}

/// The byte offsets of `name` where it names an operation (after `query`, `mutation` or
/// `subscription`), in the document's order. Strings and comments are not told apart:
/// only a name the parser already found twice is looked for.
fn operation_names(text: &str, name: &str) -> Vec<usize> {
    definition_names(text, name, &["query", "mutation", "subscription"])
}

/// The byte offsets of `name` where a keyword in `keywords` precedes it.
fn definition_names(text: &str, name: &str, keywords: &[&str]) -> Vec<usize> {
    let b = text.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = text.get(at..).and_then(|t| t.find(name)) {
        crate::guard::interrupts();
        let start = at + i;
        let after = start + name.len();
        at = after;
        if (start > 0 && is_word(b[start - 1])) || b.get(after).is_some_and(|c| is_word(*c)) {
            continue;
        }
        let before = text[..start].trim_end();
        if keywords
            .iter()
            .any(|k| before.ends_with(k) && before.len().checked_sub(k.len() + 1).is_none_or(|p| !is_word(b[p])))
        {
            out.push(start);
        }
    }
    out
}

/// The locations of the spreads of the cycle through the fragment the message names
/// (`Cannot spread fragment "A" within itself…`), found as graphql-js finds it: depth
/// first from `A`, each fragment's spreads in document order, every fragment entered
/// once. Iterative, with the path on a heap stack.
fn cycle_spreads(message: &str, doc: &ExecutableDocument) -> Option<Vec<usize>> {
    let start = message.split('"').nth(1)?;
    let spreads_of = |name: &str| -> Vec<(String, usize)> {
        let mut out = Vec::new();
        if let Some(f) = doc.fragments.get(name) {
            collect_spreads(&f.selection_set, &mut out);
        }
        out
    };
    let mut visited = std::collections::HashSet::new();
    visited.insert(start.to_string());
    /// A fragment on the path: its spreads, the next one to follow, the location of the
    /// spread that entered it.
    type Step = (Vec<(String, usize)>, usize, Option<usize>);
    let mut stack: Vec<Step> = vec![(spreads_of(start), 0, None)];
    while let Some((spreads, next, _)) = stack.last_mut() {
        crate::guard::interrupts();
        let Some((name, at)) = spreads.get(*next).cloned() else {
            stack.pop();
            continue;
        };
        *next += 1;
        if name == start {
            let mut path: Vec<usize> = stack.iter().filter_map(|(_, _, entered)| *entered).collect();
            path.push(at);
            return Some(path);
        }
        if visited.insert(name.clone()) {
            stack.push((spreads_of(&name), 0, Some(at)));
        }
    }
    None
}

/// The fragment spreads of a selection set, depth-first in document order, with their
/// offsets. Iterative: selection sets nest as deep as the document (parser-bounded).
fn collect_spreads(set: &apollo_compiler::executable::SelectionSet, out: &mut Vec<(String, usize)>) {
    use apollo_compiler::executable::Selection;
    let mut todo: Vec<&Selection> = set.selections.iter().rev().collect();
    while let Some(s) = todo.pop() {
        crate::guard::interrupts();
        match s {
            Selection::FragmentSpread(f) => {
                if let Some(l) = f.location() {
                    out.push((f.fragment_name.to_string(), l.offset()));
                }
            }
            Selection::Field(f) => todo.extend(f.selection_set.selections.iter().rev()),
            Selection::InlineFragment(f) => todo.extend(f.selection_set.selections.iter().rev()),
        }
    }
}

/// The checks of the specification's validation section that apollo-compiler does not
/// make, or makes as another rule, with graphql-js's messages and locations:
/// *Input Object Field Uniqueness* (`{eq: 1, eq: 2}`: apollo-compiler keeps the last)
/// and *Fragments On Composite Types* (a fragment on a scalar: apollo-compiler reports
/// its fields instead). Returns the errors and the byte ranges of the fragments whose
/// type condition is not composite, inside which graphql-js reports nothing else.
pub(crate) fn own_errors(
    schema: &apollo_compiler::Schema,
    text: &str,
    doc: &ExecutableDocument,
) -> (Vec<FieldError>, Vec<(usize, usize)>) {
    use apollo_compiler::executable::Selection;
    let lines = Lines::new(text);
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    let composite = |t: &str| {
        matches!(
            schema.types.get(t),
            Some(
                apollo_compiler::schema::ExtendedType::Object(_)
                    | apollo_compiler::schema::ExtendedType::Interface(_)
                    | apollo_compiler::schema::ExtendedType::Union(_)
            )
        )
    };
    for f in doc.fragments.values() {
        crate::guard::interrupts();
        let ty = f.type_condition();
        if schema.types.contains_key(ty.as_str()) && !composite(ty.as_str()) {
            errors.push(FieldError {
                message: format!("Fragment \"{}\" cannot condition on non composite type \"{ty}\".", f.name),
                locations: ty.location().map(|l| lines.line_col(l.offset())).into_iter().collect(),
                path: Vec::new(),
                code: None,
            });
            if let Some(l) = f.location() {
                skipped.push((l.offset(), l.end_offset()));
            }
        }
    }
    // Every value written in the document: arguments of fields and directives,
    // variables' defaults; iteratively, values and selections on heap stacks.
    let mut values: Vec<&apollo_compiler::ast::Value> = Vec::new();
    let mut sets: Vec<&apollo_compiler::executable::SelectionSet> = Vec::new();
    fn directive_values<'d>(
        d: &'d apollo_compiler::executable::DirectiveList,
        values: &mut Vec<&'d apollo_compiler::ast::Value>,
    ) {
        for dir in d.iter() {
            values.extend(dir.arguments.iter().map(|a| a.value.as_ref()));
        }
    }
    for op in doc.operations.iter() {
        sets.push(&op.selection_set);
        directive_values(&op.directives, &mut values);
        for v in &op.variables {
            values.extend(v.default_value.as_deref());
        }
    }
    sets.extend(doc.fragments.values().map(|f| &f.selection_set));
    while let Some(set) = sets.pop() {
        for sel in &set.selections {
            crate::guard::interrupts();
            match sel {
                Selection::Field(f) => {
                    values.extend(f.arguments.iter().map(|a| a.value.as_ref()));
                    directive_values(&f.directives, &mut values);
                    sets.push(&f.selection_set);
                }
                Selection::FragmentSpread(f) => directive_values(&f.directives, &mut values),
                Selection::InlineFragment(f) => {
                    directive_values(&f.directives, &mut values);
                    match &f.type_condition {
                        Some(tc) if schema.types.contains_key(tc.as_str()) && !composite(tc.as_str()) => {
                            errors.push(FieldError {
                                message: format!("Fragment cannot condition on non composite type \"{tc}\"."),
                                locations: tc.location().map(|l| lines.line_col(l.offset())).into_iter().collect(),
                                path: Vec::new(),
                                code: None,
                            });
                            if let Some(l) = f.location() {
                                skipped.push((l.offset(), l.end_offset()));
                            }
                        }
                        _ => sets.push(&f.selection_set),
                    }
                }
            }
        }
    }
    while let Some(v) = values.pop() {
        crate::guard::interrupts();
        match v {
            apollo_compiler::ast::Value::List(items) => values.extend(items.iter().map(|i| i.as_ref())),
            apollo_compiler::ast::Value::Object(fields) => {
                // The first field of each name, to find a repeat in linear time (an
                // object literal may hold tens of thousands of fields).
                let mut first_of: std::collections::HashMap<&str, &apollo_compiler::Name> =
                    std::collections::HashMap::with_capacity(fields.len());
                for (name, value) in fields.iter() {
                    crate::guard::interrupts();
                    values.push(value.as_ref());
                    let first = *first_of.entry(name.as_str()).or_insert(name);
                    if !std::ptr::eq(first, name) && errors.len() <= MAX_ERRORS {
                        errors.push(FieldError {
                            message: format!("There can be only one input field named \"{name}\"."),
                            locations: [first, name]
                                .iter()
                                .filter_map(|n| n.location())
                                .map(|l| lines.line_col(l.offset()))
                                .collect(),
                            path: Vec::new(),
                            code: None,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    nested_variable_usages(schema, doc, &lines, &mut errors);
    limit_errors(&mut errors);
    (errors, skipped)
}

/// *All Variable Usages Are Allowed* for variables inside list and input-object values
/// (apollo-compiler checks those given to an argument directly): `{AND: [$w]}` with a
/// nullable `$w` where `[TWhereInput!]` expects a non-null item. Each operation is
/// checked with the fragments it reaches, as graphql-js does.
fn nested_variable_usages(
    schema: &apollo_compiler::Schema,
    doc: &ExecutableDocument,
    lines: &Lines<'_>,
    errors: &mut Vec<FieldError>,
) {
    use apollo_compiler::executable::Selection;
    for op in doc.operations.iter() {
        let vars: std::collections::HashMap<&str, (&Type, bool, Option<usize>)> = op
            .variables
            .iter()
            .map(|v| {
                let non_null_default = v.default_value.as_ref().is_some_and(|d| !matches!(**d, Value::Null));
                (v.name.as_str(), (&*v.ty, non_null_default, v.location().map(|l| l.offset())))
            })
            .collect();
        let mut sets = vec![&op.selection_set];
        let mut seen_fragments = std::collections::HashSet::new();
        while let Some(set) = sets.pop() {
            for sel in &set.selections {
                crate::guard::interrupts();
                match sel {
                    Selection::Field(f) => {
                        for a in &f.arguments {
                            let Some(def) = f.definition.arguments.iter().find(|d| d.name == a.name) else { continue };
                            let mut todo: Vec<(&Node<Value>, Type, bool, bool)> =
                                vec![(&a.value, (*def.ty).clone(), def.default_value.is_some(), false)];
                            while let Some((value, ty, has_default, nested)) = todo.pop() {
                                crate::guard::interrupts();
                                match value.as_ref() {
                                    Value::Variable(name) if nested => {
                                        let Some(&(var_ty, var_default, defined)) = vars.get(name.as_str()) else {
                                            continue;
                                        };
                                        if !usage_allowed(var_ty, var_default, &ty, has_default)
                                            && errors.len() <= MAX_ERRORS
                                        {
                                            errors.push(FieldError {
                                                message: format!(
                                                    "Variable \"${name}\" of type \"{var_ty}\" used in position expecting type \"{ty}\"."
                                                ),
                                                locations: defined
                                                    .into_iter()
                                                    .chain(value.location().map(|l| l.offset()))
                                                    .map(|o| lines.line_col(o))
                                                    .collect(),
                                                path: Vec::new(),
                                                code: None,
                                            });
                                        }
                                    }
                                    Value::List(items) => {
                                        let item = if ty.is_list() { ty.item_type().clone() } else { ty.clone() };
                                        todo.extend(items.iter().map(|i| (i, item.clone(), false, true)));
                                    }
                                    Value::Object(fields) => {
                                        let Some(apollo_compiler::schema::ExtendedType::InputObject(def)) =
                                            schema.types.get(ty.inner_named_type())
                                        else {
                                            continue;
                                        };
                                        for (k, v) in fields {
                                            if let Some(fd) = def.fields.get(k) {
                                                todo.push((v, (*fd.ty).clone(), fd.default_value.is_some(), true));
                                            }
                                        }
                                    }
                                    _ => {}
                                }
                            }
                        }
                        sets.push(&f.selection_set);
                    }
                    Selection::InlineFragment(f) => sets.push(&f.selection_set),
                    Selection::FragmentSpread(f) => {
                        if seen_fragments.insert(f.fragment_name.as_str()) {
                            if let Some(fragment) = doc.fragments.get(&f.fragment_name) {
                                sets.push(&fragment.selection_set);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// graphql-js's `isVariableUsageAllowed`: a nullable variable fits a non-null position
/// only with a non-null default of its own or the position's, then by `sub_type`.
fn usage_allowed(var: &Type, var_default: bool, location: &Type, location_default: bool) -> bool {
    if location.is_non_null() && !var.is_non_null() {
        return (var_default || location_default) && sub_type(var, &location.clone().nullable());
    }
    sub_type(var, location)
}

/// graphql-js's `isTypeSubTypeOf` for input types (named types only equal themselves).
/// Recursion follows the types' list nesting, which the parser bounds.
fn sub_type(sub: &Type, sup: &Type) -> bool {
    crate::guard::stack();
    if sub == sup {
        return true;
    }
    if sup.is_non_null() {
        return sub.is_non_null() && sub_type(&sub.clone().nullable(), &sup.clone().nullable());
    }
    if sub.is_non_null() {
        return sub_type(&sub.clone().nullable(), sup);
    }
    match (sub, sup) {
        (Type::List(a), Type::List(b)) => sub_type(a, b),
        (Type::Named(a), Type::Named(b)) => a == b,
        _ => false,
    }
}

/// At most [`MAX_ERRORS`], then graphql-js's "error limit reached".
fn limit_errors(errors: &mut Vec<FieldError>) {
    if errors.len() > MAX_ERRORS {
        errors.truncate(MAX_ERRORS);
        errors.push(FieldError {
            message: "Too many validation errors, error limit reached. Validation aborted.".into(),
            locations: Vec::new(),
            path: Vec::new(),
            code: None,
        });
    }
}

/// How graphql-js ranks the reasons two fields conflict (it reports the first).
fn conflict_rank(name: Option<&str>) -> Option<u8> {
    match name {
        Some("ConflictingFieldName") => Some(0),
        Some("ConflictingFieldArgument") => Some(1),
        Some("ConflictingFieldType") => Some(2),
        _ => None,
    }
}

/// graphql-js stops validating after this many errors (`validate`'s `maxErrors`).
const MAX_ERRORS: usize = 100;

/// Validation errors as GraphQL errors: graphql-js's message where apollo-compiler
/// knows it, graphql-js's locations, one error per conflicting pair of fields, only the
/// first syntax error of a document that does not parse (graphql-js's parser stops
/// there), and at most 100, then graphql-js's "error limit reached" (which also bounds
/// the work of relocating them).
pub(crate) fn validation_errors(
    errors: &DiagnosticList,
    text: &str,
    doc: &ExecutableDocument,
    schema: Option<&apollo_compiler::Schema>,
) -> Vec<FieldError> {
    let lines = Lines::new(text);
    let is_syntax = |d: &apollo_compiler::diagnostic::Diagnostic<'_, apollo_compiler::validation::DiagnosticData>| {
        d.error.to_string().starts_with("syntax error")
    };
    let is_syntax_owned =
        |d: apollo_compiler::diagnostic::Diagnostic<'_, apollo_compiler::validation::DiagnosticData>| is_syntax(&d);
    // A document that does not parse gets its first syntax error only, as from
    // graphql-js's parser, whatever else building the partial document reported.
    let syntax = errors.iter().any(is_syntax_owned);
    let (own, skipped) = match schema {
        Some(schema) if !syntax => own_errors(schema, text, doc),
        _ => (Vec::new(), Vec::new()),
    };
    let mut out: Vec<(Option<u8>, usize, FieldError)> = Vec::new();
    for d in errors.iter().filter(|d| !syntax || is_syntax(d)).take(if syntax { 1 } else { MAX_ERRORS + 1 }) {
        crate::guard::interrupts();
        let mut message = d.unstable_to_json_compat().message;
        let mut name = d.error.unstable_error_name();
        if let Some(s) = d.error.location() {
            if skipped.iter().any(|(from, to)| *from <= s.offset() && s.offset() < *to) {
                continue;
            }
        }
        // A variable whose type does not fit a position inside an input object:
        // apollo-compiler reports the value, graphql-js the variable's usage, which
        // `nested_variable_usages` reports when the schema is known.
        if schema.is_some() && !syntax && message.contains(" cannot represent value: $") {
            continue;
        }
        if let Some((expected, var)) = message.split_once(" cannot represent value: $") {
            let var = var.to_string();
            let defined = d.error.location().and_then(|s| {
                let op = doc
                    .operations
                    .iter()
                    .find(|o| o.location().is_some_and(|l| l.offset() <= s.offset() && s.offset() < l.end_offset()))?;
                op.variables.iter().find(|v| v.name == var.as_str()).map(|v| v.ty.to_string())
            });
            if let Some(ty) = defined {
                message =
                    format!("Variable \"${var}\" of type \"{ty}\" used in position expecting type \"{expected}\".");
                name = Some("DisallowedVariableUsage");
            }
        }
        let offsets = match d.error.location() {
            Some(s) => relocate(name, &message, s.offset(), text, doc),
            None => Vec::new(),
        };
        let last = offsets.last().copied().unwrap_or(usize::MAX);
        let e = FieldError {
            message,
            locations: offsets.iter().map(|o| lines.line_col(*o)).collect(),
            path: Vec::new(),
            code: None,
        };
        let rank = conflict_rank(name);
        // A conflict apollo-compiler reports once per reason, graphql-js once per pair.
        if let Some(r) = rank {
            if let Some(prev) = out.iter_mut().find(|(pr, at, _)| pr.is_some() && *at == last) {
                if prev.0 > Some(r) {
                    *prev = (rank, last, e);
                }
                continue;
            }
        }
        out.push((rank, last, e));
    }
    let mut errors: Vec<FieldError> = out.into_iter().map(|(_, _, e)| e).collect();
    errors.extend(own);
    limit_errors(&mut errors);
    errors
}

#[cfg(test)]
mod tests {
    use super::Lines;

    /// The column counted from the line's start, as graphql-js counts it.
    fn naive(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, text[start..offset].encode_utf16().count() + 1)
    }

    #[test]
    fn columns_count_utf16_units_from_the_line_start() {
        let text = "{ a: é { b } }\n  x𝒳y: z ñ\n\n𝒳𝒳 q\nlast";
        let lines = Lines::new(text);
        for (offset, _) in text.char_indices() {
            assert_eq!(lines.line_col(offset), naive(text, offset), "at byte {offset}");
        }
        assert_eq!(lines.line_col(text.len()), naive(text, text.len()));
    }
}
