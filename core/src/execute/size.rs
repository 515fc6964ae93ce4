//! What a prepared document holds in memory, estimated from its parts: every node of the
//! document (its struct, the header of its shared pointer, the vectors holding it, the
//! names and string values it owns), the document's text (kept twice: for error
//! locations, and as apollo-compiler's source), and the root plans compiled from it.
//! Per-backend caches bound their memory by these estimates rather than by the text's
//! length: 225 kB of GraphQL held about 11 MB once prepared and planned, fifty times its
//! text (core/tests/execute_resources.rs checks each estimate against what the
//! allocator saw, within a factor of two).

use apollo_compiler::ast::{Argument, Directive, DirectiveList, Type, Value};
use apollo_compiler::executable::{Field, Fragment, FragmentSpread, InlineFragment, Operation, Selection};
use apollo_compiler::{ExecutableDocument, Name, Node};
use std::mem::size_of;

/// A shared node's allocation beyond its value: the reference count and the optional
/// source location (`triomphe::Arc<HeaderSlice<Header, T>>`), and the allocator's
/// rounding (16 bytes on glibc).
const NODE: usize = 48;
/// A map entry (operations and fragments by name): hash, key, value and index slots.
const ENTRY: usize = 64;
/// Per line of the text: apollo-compiler builds a line index of it for diagnostics.
const LINE: usize = 40;

/// An owned name: an `Arc<str>` allocation (two counts and the bytes, rounded).
fn name(n: &Name) -> usize {
    (16 + n.len()).next_multiple_of(16)
}

fn vec_of<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

/// What is still to be measured: the walk keeps a heap stack, so nesting costs no
/// recursion.
enum Part<'a> {
    Selections(&'a Vec<Selection>),
    Directives(&'a DirectiveList),
    Arguments(&'a Vec<Node<Argument>>),
    Value(&'a Node<Value>),
    Type(&'a Node<Type>),
}

/// The estimated bytes of `doc` and its text.
pub(crate) fn document_bytes(doc: &ExecutableDocument, text: &str) -> usize {
    let lines = text.bytes().filter(|b| *b == b'\n').count() + 1;
    let mut total = 2 * text.len() + lines * LINE + size_of::<ExecutableDocument>();
    let mut todo: Vec<Part<'_>> = Vec::new();
    for op in doc.operations.iter() {
        total += NODE + size_of::<Operation>() + ENTRY + op.name.as_ref().map_or(0, name);
        total += vec_of(&op.variables);
        for v in &op.variables {
            total += NODE + size_of_val(&**v) + name(&v.name);
            todo.push(Part::Type(&v.ty));
            if let Some(d) = &v.default_value {
                todo.push(Part::Value(d));
            }
            todo.push(Part::Directives(&v.directives));
        }
        todo.push(Part::Directives(&op.directives));
        todo.push(Part::Selections(&op.selection_set.selections));
    }
    for f in doc.fragments.values() {
        total += NODE + size_of::<Fragment>() + ENTRY + name(&f.name) + name(&f.selection_set.ty);
        todo.push(Part::Directives(&f.directives));
        todo.push(Part::Selections(&f.selection_set.selections));
    }
    let mut tick = crate::guard::Tick::default();
    while let Some(part) = todo.pop() {
        tick.tick();
        match part {
            Part::Selections(sels) => {
                total += vec_of(sels);
                for sel in sels {
                    match sel {
                        Selection::Field(f) => {
                            total += NODE + size_of::<Field>() + name(&f.name) + f.alias.as_ref().map_or(0, name);
                            total += name(&f.selection_set.ty);
                            todo.push(Part::Arguments(&f.arguments));
                            todo.push(Part::Directives(&f.directives));
                            todo.push(Part::Selections(&f.selection_set.selections));
                        }
                        Selection::FragmentSpread(s) => {
                            total += NODE + size_of::<FragmentSpread>() + name(&s.fragment_name);
                            todo.push(Part::Directives(&s.directives));
                        }
                        Selection::InlineFragment(i) => {
                            total += NODE + size_of::<InlineFragment>() + name(&i.selection_set.ty);
                            total += i.type_condition.as_ref().map_or(0, name);
                            todo.push(Part::Directives(&i.directives));
                            todo.push(Part::Selections(&i.selection_set.selections));
                        }
                    }
                }
            }
            Part::Directives(ds) => {
                total += vec_of(&ds.0);
                for d in ds.iter() {
                    total += NODE + size_of::<Directive>() + name(&d.name);
                    todo.push(Part::Arguments(&d.arguments));
                }
            }
            Part::Arguments(args) => {
                total += vec_of(args);
                for a in args {
                    total += NODE + size_of::<Argument>() + name(&a.name);
                    todo.push(Part::Value(&a.value));
                }
            }
            Part::Value(v) => {
                total += NODE + size_of::<Value>();
                match &**v {
                    Value::Enum(n) | Value::Variable(n) => total += name(n),
                    Value::String(s) => total += s.capacity(),
                    Value::Float(f) => total += f.as_str().len().next_multiple_of(16),
                    Value::Int(i) => total += i.as_str().len().next_multiple_of(16),
                    Value::List(items) => {
                        total += vec_of(items);
                        todo.extend(items.iter().map(Part::Value));
                    }
                    Value::Object(fields) => {
                        total += vec_of(fields);
                        for (n, v) in fields {
                            total += name(n);
                            todo.push(Part::Value(v));
                        }
                    }
                    Value::Null | Value::Boolean(_) => {}
                }
            }
            Part::Type(t) => {
                total += NODE + size_of::<Type>();
                let mut t: &Type = t;
                loop {
                    match t {
                        Type::Named(n) | Type::NonNullNamed(n) => {
                            total += name(n);
                            break;
                        }
                        Type::List(inner) | Type::NonNullList(inner) => {
                            total += size_of::<Type>() + 16;
                            t = inner;
                        }
                    }
                }
            }
        }
    }
    total
}
