//! The choice of rewrite for a call (`index::rewrite`), branch by branch, with a host
//! whose nodes are the derived conditions themselves.

use super::super::{rewrite, ColumnNulls, Derived, GinOps, Indexes, KeyForm, Rewrite, RewriteHost};
use super::{btree, path, spec, text};
use crate::where_spec::index::Strategy;

/// Nodes are the conditions; `fails` says which cannot be built.
struct Fake {
    children_not_null: bool,
    children_asked: usize,
    fails: fn(&Derived) -> bool,
    text_form_fails: bool,
}

#[derive(Debug, PartialEq)]
enum N {
    Cond(Derived),
    TextForm(Vec<String>, Vec<Derived>),
}

impl RewriteHost for Fake {
    type Node = N;
    fn children_not_null(&mut self) -> bool {
        self.children_asked += 1;
        self.children_not_null
    }
    fn build(&mut self, d: &Derived) -> Option<N> {
        (!(self.fails)(d)).then(|| N::Cond(d.clone()))
    }
    fn text_form(&mut self, keys: &[String], conditions: &[Derived]) -> Option<N> {
        (!self.text_form_fails).then(|| N::TextForm(keys.to_vec(), conditions.to_vec()))
    }
}

fn host() -> Fake {
    Fake { children_not_null: true, children_asked: 0, fails: |_| false, text_form_fails: false }
}

const NOT_NULL: ColumnNulls = ColumnNulls { declared_not_null: true, ..NULLABLE };
const NULLABLE: ColumnNulls =
    ColumnNulls { declared_not_null: false, has_children: false, grouping_sets: false, outer_joins: false };

fn conds(d: Vec<Derived>) -> Vec<N> {
    d.into_iter().map(N::Cond).collect()
}

fn open_form() -> N {
    let status = Derived::Cmp { key: 0, strategy: Strategy::Eq, value: text("open") };
    N::TextForm(vec!["status".into()], vec![status])
}

#[test]
fn no_index_text_form_where_the_column_is_never_null() {
    let s = spec(r#"{"status": {"eq": "open"}}"#);
    let none = Indexes::default();
    assert_eq!(rewrite(&s, &none, NOT_NULL, &mut host()), Rewrite::TextForm(open_form()));
    for nulls in
        [NULLABLE, ColumnNulls { grouping_sets: true, ..NOT_NULL }, ColumnNulls { outer_joins: true, ..NOT_NULL }]
    {
        assert_eq!(rewrite(&s, &none, nulls, &mut host()), Rewrite::Keep, "{nulls:?}");
    }
    // A spec without a text form, or a form that cannot be built: nothing.
    assert_eq!(rewrite(&spec(r#"{"status": {"gt": "a"}}"#), &none, NOT_NULL, &mut host()), Rewrite::Keep);
    let mut h = Fake { text_form_fails: true, ..host() };
    assert_eq!(rewrite(&s, &none, NOT_NULL, &mut h), Rewrite::Keep);
}

#[test]
fn children_are_asked_only_of_a_declared_column_with_children() {
    let s = spec(r#"{"status": {"eq": "open"}}"#);
    let none = Indexes::default();
    let with_children = ColumnNulls { has_children: true, ..NOT_NULL };
    let mut h = Fake { children_not_null: false, ..host() };
    assert_eq!(rewrite(&s, &none, with_children, &mut h), Rewrite::Keep);
    assert_eq!(h.children_asked, 1);
    let mut h = host();
    assert_eq!(rewrite(&s, &none, with_children, &mut h), Rewrite::TextForm(open_form()));
    assert_eq!(h.children_asked, 1);
    for nulls in [NOT_NULL, ColumnNulls { has_children: true, ..NULLABLE }] {
        let mut h = host();
        rewrite(&s, &none, nulls, &mut h);
        assert_eq!(h.children_asked, 0, "{nulls:?}");
    }
}

#[test]
fn equivalent_btree_form_needs_a_never_null_column() {
    let idx = btree();
    let s = spec(r#"{"configName": {"eq": "c1"}}"#);
    let native = s.equivalent(&idx).unwrap();
    assert!(native.contains(&Derived::NotNull { key: 0 }));
    assert_eq!(rewrite(&s, &idx, NOT_NULL, &mut host()), Rewrite::Equivalent(conds(native)));
    // On a nullable column the btree condition goes next to the recheck instead.
    let clauses = s.planner_clauses(&idx);
    assert!(!clauses.is_empty());
    assert_eq!(rewrite(&s, &idx, NULLABLE, &mut host()), Rewrite::Recheck(conds(clauses.clone())));
    let with_nullable_child = ColumnNulls { has_children: true, ..NOT_NULL };
    let mut h = Fake { children_not_null: false, ..host() };
    assert_eq!(rewrite(&s, &idx, with_nullable_child, &mut h), Rewrite::Recheck(conds(clauses)));
}

#[test]
fn equivalent_containment_on_any_column_but_alone() {
    let idx = Indexes { gin: Some(GinOps::Paths), keys: vec![] };
    // An OR of containments is NULL only on a NULL column, as the call is.
    let s = spec(r#"{"OR": [{"machine": {"name": {"eq": "m8"}}}, {"status": {"in": ["a", 2]}}]}"#);
    let native = s.equivalent(&idx).unwrap();
    assert!(super::super::null_faithful(&native));
    assert_eq!(rewrite(&s, &idx, NULLABLE, &mut host()), Rewrite::Equivalent(conds(native)));
    // A lone containment is left to the GIN index condition: nothing, even where the
    // column is never NULL and a text form exists.
    let s = spec(r#"{"status": {"eq": "open"}}"#);
    assert!(matches!(s.equivalent(&idx).as_deref(), Some([Derived::Contains(_)])));
    assert_eq!(rewrite(&s, &idx, NOT_NULL, &mut host()), Rewrite::Keep);
    assert_eq!(rewrite(&s, &idx, NULLABLE, &mut host()), Rewrite::Keep);
}

#[test]
fn an_equivalent_form_that_cannot_be_built_falls_back_to_the_recheck() {
    let idx = btree();
    let s = spec(r#"{"configName": {"eq": "c1"}}"#);
    let mut h = Fake { fails: |d| matches!(d, Derived::NotNull { .. }), ..host() };
    let clauses = s.planner_clauses(&idx);
    assert!(!clauses.iter().any(|d| matches!(d, Derived::NotNull { .. })));
    assert_eq!(rewrite(&s, &idx, NOT_NULL, &mut h), Rewrite::Recheck(conds(clauses)));
}

#[test]
fn recheck_keeps_the_conditions_that_build() {
    let idx = btree();
    let s = spec(r#"{"configName": {"eq": "c1"}, "machine": {"id": {"gt": "m1"}}, "other": {"like": "x%"}}"#);
    let clauses = s.planner_clauses(&idx);
    assert_eq!(clauses.len(), 2, "{clauses:?}");
    let fails = |d: &Derived| matches!(d, Derived::Cmp { key: 1, .. });
    let built = clauses.iter().filter(|d| !fails(d)).cloned().collect::<Vec<_>>();
    assert_eq!(built.len(), 1);
    let mut h = Fake { fails, ..host() };
    assert_eq!(rewrite(&s, &idx, NULLABLE, &mut h), Rewrite::Recheck(conds(built)));
}

#[test]
fn without_clauses_the_text_form_unless_a_gin_index_serves() {
    // Btree keys that serve none of the spec: the text form, where never NULL.
    let idx = btree();
    let s = spec(r#"{"status": {"eq": "open"}}"#);
    assert_eq!(s.planner_clauses(&idx), vec![]);
    assert_eq!(rewrite(&s, &idx, NOT_NULL, &mut host()), Rewrite::TextForm(open_form()));
    assert_eq!(rewrite(&s, &idx, NULLABLE, &mut host()), Rewrite::Keep);
    // Clauses that all fail to build count as none.
    let s = spec(r#"{"configName": {"eq": "c1"}}"#);
    let mut h = Fake { fails: |_| true, ..host() };
    let form = N::TextForm(
        vec!["config_name".into()],
        vec![Derived::Cmp { key: 0, strategy: Strategy::Eq, value: text("c1") }],
    );
    assert_eq!(rewrite(&s, &idx, NOT_NULL, &mut h), Rewrite::TextForm(form));
    // With a GIN index the call keeps its index condition.
    let idx =
        Indexes { gin: Some(GinOps::Keys), keys: vec![KeyForm::Text { path: path("machine.id"), byte_order: true }] };
    assert_eq!(rewrite(&spec(r#"{"status": {"eq": "open"}}"#), &idx, NOT_NULL, &mut host()), Rewrite::Keep);
}
