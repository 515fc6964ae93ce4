//! The answers to the planner's four requests about a call of `fraiseql_where`.

use super::args::{call, is_equalities, is_recheck, mark_recheck, Call};
use super::indexes::{children_not_null, find_indexes, gin_op, table_column, Found};
use super::nodes::{bool_clause, build, copy, planner_clauses, text_form};
use super::stats::ColumnStats;
use crate::pg::PgHost;
use fraiseql_core::where_spec::index::{
    rewrite, ColumnNulls, Derived, GinOps, Indexes, Rewrite, RewriteHost, UNKNOWN_SPEC_COST_UNITS,
    UNKNOWN_SPEC_SELECTIVITY,
};
use fraiseql_core::where_spec::Spec;
use pgrx::pg_sys::{self, NodeTag};
use pgrx::{is_a, PgList};
use std::ptr::null_mut;

/// What `rewrite` asks of a simplified call on a table's column.
struct Simplify<'a> {
    data: *mut pg_sys::Node,
    found: &'a Found,
    relid: pg_sys::Oid,
    attno: i16,
}

impl RewriteHost for Simplify<'_> {
    type Node = *mut pg_sys::Node;

    fn children_not_null(&mut self) -> bool {
        children_not_null(self.relid, self.attno)
    }

    fn build(&mut self, d: &Derived) -> Option<Self::Node> {
        build(d, self.data, self.found)
    }

    fn text_form(&mut self, keys: &[String], conditions: &[Derived]) -> Option<Self::Node> {
        text_form(keys, conditions, self.data)
    }
}

/// `SupportRequestSimplify`: `fraiseql_where(…)` → `<derived> AND fraiseql_where(…)`,
/// or a native form that replaces the call, as `fraiseql_core`'s `rewrite` decides.
///
/// # Safety
/// `req` must be the planner's request.
pub(super) unsafe fn simplify(req: *mut pg_sys::SupportRequestSimplify) -> *mut pg_sys::Node {
    // SAFETY: the request, the call it describes and the query being planned (its range
    // table) are the planner's.
    unsafe {
        let fcall = (*req).fcall;
        if is_recheck((*fcall).args) {
            return null_mut();
        }
        let Some(Call { data, spec: Some(spec), .. }) = call((*fcall).args) else { return null_mut() };
        let Some((relid, attno, varno)) = table_column((*req).root, data) else { return null_mut() };
        let found = find_indexes(relid, attno, varno, (*fcall).funcid);
        let parse = (*(*req).root).parse;
        let rtable = PgList::<pg_sys::RangeTblEntry>::from_pg((*parse).rtable);
        let nulls = ColumnNulls {
            declared_not_null: found.not_null,
            has_children: found.has_children,
            grouping_sets: !(*parse).groupingSets.is_null(),
            outer_joins: rtable.iter_ptr().any(|rte| {
                (*rte).rtekind == pg_sys::RTEKind::RTE_JOIN && (*rte).jointype != pg_sys::JoinType::JOIN_INNER
            }),
        };
        let mut host = Simplify { data, found: &found, relid, attno };
        match rewrite(&spec, &found.indexes(), nulls, &mut host) {
            Rewrite::Keep => null_mut(),
            // Node: BoolExpr AND of the conditions (or the one condition).
            Rewrite::Equivalent(conditions) => bool_clause(conditions, false),
            Rewrite::TextForm(node) => node,
            Rewrite::Recheck(mut clauses) => {
                // Node: a copy of the call itself (the request's FuncExpr is the planner's
                // stack dummy), kept as the exact recheck, marked so that it is never
                // rewritten again (`is_recheck`).
                clauses.push(mark_recheck(copy(fcall.cast())));
                // Node: BoolExpr AND of the derived clauses and the call.
                bool_clause(clauses, false)
            }
        }
    }
}

/// `SupportRequestIndexCondition`: for a GIN index on the column whose operator family
/// has jsonb `@>`, the lossy index conditions of a constant spec.
///
/// # Safety
/// `req` must be the planner's request.
pub(super) unsafe fn index_condition(req: *mut pg_sys::SupportRequestIndexCondition) -> *mut pg_sys::Node {
    // SAFETY: the request, its call node and its IndexOptInfo are the planner's.
    unsafe {
        let node = (*req).node;
        if (*req).indexarg != 0 || !is_a(node, NodeTag::T_FuncExpr) || (*(*req).index).relam != pg_sys::GIN_AM_OID {
            return null_mut();
        }
        let Some(Call { data, spec: Some(spec), .. }) = call((*(node as *mut pg_sys::FuncExpr)).args) else {
            return null_mut();
        };
        if is_equalities((*(node as *mut pg_sys::FuncExpr)).args) && !equalities_take_gin(req, &spec, data) {
            return null_mut();
        }
        let contains = gin_op((*req).opfamily, pg_sys::JSONBOID, pg_sys::JsonbContainsStrategyNumber);
        if contains == pg_sys::InvalidOid {
            return null_mut();
        }
        let exists_all = gin_op((*req).opfamily, pg_sys::TEXTARRAYOID, pg_sys::JsonbExistsAllStrategyNumber);
        let ops = if exists_all != pg_sys::InvalidOid { GinOps::Keys } else { GinOps::Paths };
        let found = Found {
            keys: Vec::new(),
            gin: Some(ops),
            contains_op: contains,
            exists_all_op: exists_all,
            not_null: false,
            has_children: false,
            where_fn: (*(node as *mut pg_sys::FuncExpr)).funcid,
        };
        let mut list = PgList::<pg_sys::Node>::new();
        for d in spec.gin_conditions(ops) {
            if let Some(c) = build(&d, data, &found) {
                list.push(c);
            }
        }
        if list.is_empty() {
            return null_mut();
        }
        // Lossy even where the containment is the whole spec: GIN has only bitmap
        // scans, whose heap scan tests the original clause (the call) on every row
        // either way, and EXPLAIN shows it as the Filter.
        (*req).lossy = true;
        list.into_pg().cast()
    }
}

/// `SupportRequestSelectivity`: the spec's estimate, less what the derived clauses
/// next to the call already count.
///
/// # Safety
/// `req` must be the planner's request.
pub(super) unsafe fn selectivity(req: *mut pg_sys::SupportRequestSelectivity) -> *mut pg_sys::Node {
    // SAFETY: the request and its arguments are the planner's; statistics are read
    // through the planner's own routines and released.
    unsafe {
        let r = &mut *req;
        let Some(c) = call(r.args) else { return null_mut() };
        let Some(spec) = c.spec else {
            // Not known at planning time, or would not parse (then the call raises).
            r.selectivity = if c.constant { 1.0 } else { UNKNOWN_SPEC_SELECTIVITY };
            return req.cast();
        };
        let no_stats = &mut |_: &Derived| None;
        let Some((relid, attno, varno)) = table_column(r.root, c.data).filter(|_| !r.is_join) else {
            r.selectivity = spec.selectivity(&Indexes::default(), None, no_stats, &PgHost);
            return req.cast();
        };
        let found = find_indexes(relid, attno, varno, r.funcid);
        let derived = planner_clauses(&spec, c.data, &found);
        let derived_sel = if derived.is_empty() {
            1.0
        } else {
            let mut list = PgList::<pg_sys::Node>::new();
            for d in &derived {
                list.push(*d);
            }
            pg_sys::clauselist_selectivity(r.root, list.into_pg(), r.varRelid, r.jointype, r.sjinfo)
        };
        let estimate = estimate(r.root, &spec, c.data, &found, r.varRelid, r.jointype, r.sjinfo, r.funcid);
        r.selectivity = (estimate / derived_sel.max(1e-10)).clamp(0.0, 1.0);
        req.cast()
    }
}

/// The spec's estimated selectivity on the column (`Spec::selectivity`), from the
/// column's statistics and the planner's estimates of the conditions the indexes serve.
///
/// # Safety
/// Arguments of a selectivity or index-condition request of the planner.
#[allow(clippy::too_many_arguments)]
unsafe fn estimate(
    root: *mut pg_sys::PlannerInfo,
    spec: &Spec,
    data: *mut pg_sys::Node,
    found: &Found,
    var_relid: i32,
    jointype: pg_sys::JoinType::Type,
    sjinfo: *mut pg_sys::SpecialJoinInfo,
    funcid: pg_sys::Oid,
) -> f64 {
    // SAFETY: the caller's contract; statistics are read through the planner's own
    // routines and released.
    unsafe {
        let column = ColumnStats::load(root, data, var_relid, funcid);
        let sample = column.sample();
        let stats = &mut |d: &Derived| {
            build(d, data, found).map(|clause| pg_sys::clause_selectivity(root, clause, var_relid, jointype, sjinfo))
        };
        spec.selectivity(&found.indexes(), sample.as_ref(), stats, &PgHost)
    }
}

/// Whether the equalities call of a rewrite (`equalities_call`) may have the GIN index
/// condition: only when its estimate is below that of the relation's conditions a btree
/// index on the column serves (the other index path the planner is offered). PostgreSQL
/// estimates the index condition `@>` itself, at a fixed 1% where the column has no
/// statistics (documents over 1 kB): offering it next to a selective btree condition
/// would make the planner add a GIN scan of, say, a quarter of the table.
///
/// # Safety
/// `req` must be the planner's index-condition request for such a call.
unsafe fn equalities_take_gin(
    req: *mut pg_sys::SupportRequestIndexCondition,
    spec: &Spec,
    data: *mut pg_sys::Node,
) -> bool {
    // SAFETY: the request, its IndexOptInfo and relation are the planner's.
    unsafe {
        let (root, rel) = ((*req).root, (*(*req).index).rel);
        let Some((relid, attno, varno)) = table_column(root, data) else { return true };
        let found = find_indexes(relid, attno, varno, (*req).funcid);
        let relid_index = (*rel).relid as i32;
        let ours =
            estimate(root, spec, data, &found, relid_index, pg_sys::JoinType::JOIN_INNER, null_mut(), (*req).funcid);
        let mut btree = PgList::<pg_sys::Node>::new();
        for rinfo in PgList::<pg_sys::RestrictInfo>::from_pg((*rel).baserestrictinfo).iter_ptr() {
            pgrx::check_for_interrupts!();
            let clause = (*rinfo).clause as *mut pg_sys::Node;
            let left = if is_a(clause, NodeTag::T_OpExpr) {
                PgList::<pg_sys::Node>::from_pg((*(clause as *mut pg_sys::OpExpr)).args).get_ptr(0)
            } else if is_a(clause, NodeTag::T_ScalarArrayOpExpr) {
                PgList::<pg_sys::Node>::from_pg((*(clause as *mut pg_sys::ScalarArrayOpExpr)).args).get_ptr(0)
            } else {
                None
            };
            if left.is_some_and(|l| found.keys.iter().any(|k| pg_sys::equal(l.cast(), k.expr.cast()))) {
                btree.push(clause);
            }
        }
        if btree.is_empty() {
            return true;
        }
        let theirs = pg_sys::clauselist_selectivity(
            root,
            btree.into_pg(),
            relid_index,
            pg_sys::JoinType::JOIN_INNER,
            null_mut(),
        );
        ours < theirs
    }
}

/// `SupportRequestCost`: per-row cost from the spec's size.
///
/// # Safety
/// `req` must be the planner's request.
pub(super) unsafe fn cost(req: *mut pg_sys::SupportRequestCost) -> *mut pg_sys::Node {
    // SAFETY: the request and its node are the planner's; reads a planner setting.
    unsafe {
        let node = (*req).node;
        let units = if !node.is_null() && is_a(node, NodeTag::T_FuncExpr) {
            match call((*(node as *mut pg_sys::FuncExpr)).args) {
                Some(Call { spec: Some(spec), .. }) => spec.cost_units(),
                _ => UNKNOWN_SPEC_COST_UNITS,
            }
        } else {
            UNKNOWN_SPEC_COST_UNITS
        };
        (*req).startup = 0.0;
        (*req).per_tuple = units * pg_sys::cpu_operator_cost;
        req.cast()
    }
}
