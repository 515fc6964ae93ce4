//! The planner support function of `fraiseql_where` (`SUPPORT fraiseql_where_support`,
//! declared in `sql/where.sql`): the PostgreSQL edge of `fraiseql_core::where_spec::index`,
//! which decides what a spec implies. This module only finds the indexes and statistics
//! the core asks about and turns its answers into plan nodes. See docs/where.md, "Indexes".
//!
//! The planner asks four questions; each answer is built here:
//!
//! - `SupportRequestSimplify` (the spec, types and `convert_keys` are constants, the
//!   column is a column of a table): the call is replaced by
//!   `<derived> AND fraiseql_where(<same arguments>)`, where `<derived>` are the btree
//!   conditions on the table's expression indexes and the `OR`s whose every alternative
//!   an index serves (`Spec::planner_clauses`). The call stays as the recheck, marked so
//!   that simplifying the result again leaves it alone (`RECHECK_MARK`), so the
//!   rewrite is exact wherever the expression appears: a derived condition is false only
//!   where the call is false, and NULL only where the call is false or NULL. When the
//!   whole spec has an equivalent native form (`Spec::equivalent`) that form replaces
//!   the call, with no recheck, where it has the call's value in every context (see
//!   `equivalent` below). On a column no index serves, a spec of string equalities on
//!   top-level keys is replaced by the `->>` comparisons (`text_form` below).
//! - `SupportRequestIndexCondition` (asked for each index whose key is the column itself):
//!   for a GIN index with jsonb `@>`, the containment and key existence conditions of the
//!   top-level conjunction (`Spec::gin_conditions`), lossy, so the call rechecks them.
//!   Being index conditions rather than clauses, they do not enter the row estimate.
//! - `SupportRequestSelectivity`: the spec's estimated selectivity (`Spec::selectivity`,
//!   from the column's statistics) divided by the planner's own estimate of the derived
//!   clauses the rewrite put next to the call, so that the product, which is what the
//!   planner multiplies, is the spec's estimate, counted once.
//! - `SupportRequestCost`: the spec's per-row cost (`Spec::cost_units`).
//!
//! A spec that is not a constant (a parameter of a generic plan, a column) gets nothing
//! derived and the documented fallback estimate and cost. Nothing here raises an error
//! for a spec the executor would reject: a spec that does not parse derives nothing, and
//! the call raises its own error when it runs. A Rust panic (which would be a bug) also
//! derives nothing rather than failing the query's planning; server errors, above all a
//! cancel, pass through.
//!
//! Every node built is an ordinary expression node, allocated with `palloc` in the
//! planner's current memory context, and documented where it is built.

use crate::pg::{varlena_bytes, PgHost, MAX_SPEC_BYTES};
use fraiseql_core::jsonb;
use fraiseql_core::where_spec::index::{
    equalities_match, null_faithful, Derived, GinOps, Indexes, KeyForm, Sample, UNKNOWN_SPEC_COST_UNITS,
    UNKNOWN_SPEC_SELECTIVITY,
};
use fraiseql_core::where_spec::{Options, Spec, TypeName};
use pgrx::pg_sys::{self, NodeTag};
use pgrx::{is_a, PgBox, PgList};
use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::ptr::null_mut;
use std::rc::Rc;

v1_info!(pg_finfo_fraiseql_where_support);

/// `fraiseql_where_support(internal) RETURNS internal`: answers the planner's support
/// requests about a call of `fraiseql_where`; a null pointer means "no help".
///
/// # Safety
/// Called by the planner with one argument, a pointer to a `SupportRequest*` node.
#[no_mangle]
#[pgrx::pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_where_support(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    // SAFETY: the planner passes its request node as the one argument.
    let req = unsafe { pgrx::fcinfo::pg_getarg_datum_raw(fcinfo, 0) }.cast_mut_ptr::<pg_sys::Node>();
    if req.is_null() {
        return pg_sys::Datum::from(0usize);
    }
    let answer = no_help_on_panic(|| {
        // SAFETY: `req` is the planner's request node; each arm reads it as the node its
        // tag says it is.
        unsafe {
            match (*req).type_ {
                NodeTag::T_SupportRequestSimplify => simplify(req.cast()).cast(),
                NodeTag::T_SupportRequestIndexCondition => index_condition(req.cast()).cast(),
                NodeTag::T_SupportRequestSelectivity => selectivity(req.cast()).cast(),
                NodeTag::T_SupportRequestCost => cost(req.cast()).cast(),
                _ => null_mut::<pg_sys::Node>(),
            }
        }
    });
    pg_sys::Datum::from(answer)
}

/// Runs `f`; a Rust panic that is not a server error becomes "no help" (null).
fn no_help_on_panic(f: impl FnOnce() -> *mut pg_sys::Node) -> *mut pg_sys::Node {
    use pgrx::pg_sys::panic::{CaughtError, ErrorReport, ErrorReportWithLevel};
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(p) => p,
        Err(payload)
            if payload.is::<CaughtError>() || payload.is::<ErrorReportWithLevel>() || payload.is::<ErrorReport>() =>
        {
            std::panic::resume_unwind(payload)
        }
        Err(_) => null_mut(),
    }
}

// ---- the call's arguments --------------------------------------------------------------

/// `fraiseql_where(data, spec, types, convert_keys)`: the argument list of a call, the
/// defaults already filled in by the parser.
struct Call {
    data: *mut pg_sys::Node,
    /// The parsed spec, when spec, types and convert_keys are non-null constants and
    /// parse; `None` for anything else.
    spec: Option<Rc<Spec>>,
    /// Whether the spec argument is a constant at all (parsed or not).
    constant: bool,
}

/// The value of a non-null `Const`, or `None`.
///
/// # Safety
/// `node` must be a valid expression node.
unsafe fn const_value(node: *mut pg_sys::Node) -> Option<pg_sys::Datum> {
    // SAFETY: the caller passes a valid node; a `Const` is read as one.
    unsafe {
        if !is_a(node, NodeTag::T_Const) {
            return None;
        }
        let c = node as *mut pg_sys::Const;
        (!(*c).constisnull).then_some((*c).constvalue)
    }
}

/// # Safety
/// `args` must be the argument list of a `fraiseql_where` call.
unsafe fn call(args: *mut pg_sys::List) -> Option<Call> {
    // SAFETY: `args` is the call's argument list; the declared signature (jsonb, jsonb,
    // jsonb, boolean) says what each constant holds.
    unsafe {
        let args = PgList::<pg_sys::Node>::from_pg(args);
        if args.len() != 4 {
            return None;
        }
        let data = args.get_ptr(0)?;
        let (spec, types, keys) =
            (const_value(args.get_ptr(1)?), const_value(args.get_ptr(2)?), const_value(args.get_ptr(3)?));
        let constant = spec.is_some() && types.is_some() && keys.is_some();
        let parsed = match (spec, types, keys) {
            (Some(s), Some(t), Some(k)) => parse(varlena_bytes(s), varlena_bytes(t), k.value() != 0),
            _ => None,
        };
        Some(Call { data, spec: parsed, constant })
    }
}

/// Parsed specs of recent support requests: (spec bytes, types bytes, convert_keys, spec).
type ParseCache = Vec<(Vec<u8>, Vec<u8>, bool, Rc<Spec>)>;

thread_local! {
    /// The planner asks several questions about one call (simplify, selectivity, cost,
    /// the latter once per path it costs), and applications plan the same specs again
    /// and again (every custom plan of a prepared statement): parsing each time was a
    /// third of the support function's time for a two-equality spec. Bounded: at most
    /// `PARSE_CACHE_ENTRIES` specs of at most `PARSE_CACHE_MAX_BYTES` each (with their
    /// types), about 100 kB of parsed trees at most.
    static PARSED: RefCell<ParseCache> = const { RefCell::new(Vec::new()) };
}
const PARSE_CACHE_ENTRIES: usize = 8;
const PARSE_CACHE_MAX_BYTES: usize = 2048;

/// The spec as the call will parse it, or `None` when the call would raise an error
/// (then nothing is derived, and the error comes from the call at execution).
fn parse(spec: &[u8], types: &[u8], convert_keys: bool) -> Option<Rc<Spec>> {
    // SAFETY: reads a backend global.
    if unsafe { pg_sys::GetDatabaseEncoding() } != pg_sys::pg_enc::PG_UTF8 as i32 {
        return None;
    }
    let max = MAX_SPEC_BYTES.get().max(0) as usize;
    if spec.len() > max || types.len() > max {
        return None;
    }
    let hit = PARSED.with(|c| {
        let mut c = c.borrow_mut();
        let i = c.iter().position(|(s, t, k, _)| *k == convert_keys && s == spec && t == types)?;
        let entry = c.remove(i);
        let parsed = entry.3.clone();
        c.insert(0, entry);
        Some(parsed)
    });
    if hit.is_some() {
        return hit;
    }
    let parsed = Rc::new(parse_uncached(spec, types, convert_keys)?);
    if spec.len() + types.len() <= PARSE_CACHE_MAX_BYTES {
        PARSED.with(|c| {
            let mut c = c.borrow_mut();
            c.truncate(PARSE_CACHE_ENTRIES - 1);
            c.insert(0, (spec.to_vec(), types.to_vec(), convert_keys, parsed.clone()));
        });
    }
    Some(parsed)
}

fn parse_uncached(spec: &[u8], types: &[u8], convert_keys: bool) -> Option<Spec> {
    let options = Options { convert_keys };
    let hints = Spec::parse_types(jsonb::root(types).ok()?, options).ok()?;
    Spec::parse_typed(jsonb::root(spec).ok()?, &hints, options, &PgHost).ok()
}

// ---- the table's indexes ---------------------------------------------------------------

/// One btree key the core can match: its recognised form and what building a condition
/// on it needs.
struct Key {
    form: KeyForm,
    /// The index expression, its Vars renumbered to the query's range table entry, as
    /// the planner itself renumbers them (so that `equal()` matches it to the index).
    expr: *mut pg_sys::Node,
    opfamily: pg_sys::Oid,
    opcintype: pg_sys::Oid,
    collation: pg_sys::Oid,
}

/// The indexes on a jsonb column.
#[derive(Default)]
struct Found {
    keys: Vec<Key>,
    gin: Option<GinOps>,
    /// The GIN operator family's `@>` and `?&` (valid when `gin` says so).
    contains_op: pg_sys::Oid,
    exists_all_op: pg_sys::Oid,
    /// The column is declared `NOT NULL` (in this relation: see `children_not_null`).
    not_null: bool,
    /// The relation has (or had) inheritance children or partitions.
    has_children: bool,
    /// `fraiseql_where`'s OID (`Derived::Equalities` is a call of it).
    where_fn: pg_sys::Oid,
}

impl Found {
    fn indexes(&self) -> Indexes {
        Indexes { gin: self.gin, keys: self.keys.iter().map(|k| k.form.clone()).collect() }
    }
}

/// The (relation, column, range table index) of `data` when it is a column of a
/// table, materialized view or partitioned table in the query being planned.
///
/// # Safety
/// `root` must be null or the planner's `PlannerInfo`; `data` a valid node.
unsafe fn table_column(root: *mut pg_sys::PlannerInfo, data: *mut pg_sys::Node) -> Option<(pg_sys::Oid, i16, i32)> {
    // SAFETY: `root` and its query are the planner's; range table indexes are 1-based.
    unsafe {
        if root.is_null() || (*root).parse.is_null() || !is_a(data, NodeTag::T_Var) {
            return None;
        }
        let var = data as *mut pg_sys::Var;
        if (*var).varlevelsup != 0 || (*var).varattno <= 0 || (*var).vartype != pg_sys::JSONBOID {
            return None;
        }
        let rtable = PgList::<pg_sys::RangeTblEntry>::from_pg((*(*root).parse).rtable);
        let rte = rtable.get_ptr(((*var).varno - 1).try_into().ok()?)?;
        let kind = (*rte).relkind as u8;
        if (*rte).rtekind != pg_sys::RTEKind::RTE_RELATION
            || !matches!(kind, pg_sys::RELKIND_RELATION | pg_sys::RELKIND_MATVIEW | pg_sys::RELKIND_PARTITIONED_TABLE)
        {
            return None;
        }
        Some(((*rte).relid, (*var).varattno, (*var).varno))
    }
}

/// `data -> 'a' -> 'b'`: the keys, when `node` is the column or a chain of `->` with
/// constant text keys over it.
///
/// # Safety
/// `node` must be a valid expression node.
unsafe fn arrow_path(node: *mut pg_sys::Node, attno: i16) -> Option<Vec<String>> {
    // SAFETY: each node is read as the node its tag says it is.
    unsafe {
        if is_a(node, NodeTag::T_Var) {
            let v = node as *mut pg_sys::Var;
            return ((*v).varattno == attno && (*v).varlevelsup == 0).then(Vec::new);
        }
        let (left, key) = field_op(node, pg_sys::F_JSONB_OBJECT_FIELD)?;
        let mut path = arrow_path(left, attno)?;
        path.push(key);
        Some(path)
    }
}

/// `(left, key)` when `node` is `left <op> 'key'` with `op` implemented by `func`.
///
/// # Safety
/// `node` must be a valid expression node.
unsafe fn field_op(node: *mut pg_sys::Node, func: u32) -> Option<(*mut pg_sys::Node, String)> {
    // SAFETY: an `OpExpr` and its two arguments are read as such; the constant is text.
    unsafe {
        if !is_a(node, NodeTag::T_OpExpr) {
            return None;
        }
        let op = node as *mut pg_sys::OpExpr;
        let f = if (*op).opfuncid == pg_sys::InvalidOid { pg_sys::get_opcode((*op).opno) } else { (*op).opfuncid };
        if f != pg_sys::Oid::from(func) {
            return None;
        }
        let args = PgList::<pg_sys::Node>::from_pg((*op).args);
        let (left, right) = (args.get_ptr(0)?, args.get_ptr(1)?);
        if !is_a(right, NodeTag::T_Const) || (*(right as *mut pg_sys::Const)).consttype != pg_sys::TEXTOID {
            return None;
        }
        let key = std::str::from_utf8(varlena_bytes(const_value(right)?)).ok()?.to_string();
        Some((left, key))
    }
}

/// The recognised form of a btree key expression over column `attno`:
/// `(data -> … ->> 'k')` or `fraiseql_as_<type>(data -> … -> 'k')`, the reader being a C
/// function in the schema of `fraiseql_where` (this extension's).
///
/// # Safety
/// `node` must be a valid expression node; `where_fn` the OID of `fraiseql_where`.
unsafe fn key_form(node: *mut pg_sys::Node, attno: i16, where_fn: pg_sys::Oid, byte_order: bool) -> Option<KeyForm> {
    // SAFETY: nodes are read as their tags say; catalog lookups by OID.
    unsafe {
        if let Some((left, key)) = field_op(node, pg_sys::F_JSONB_OBJECT_FIELD_TEXT) {
            let mut path = arrow_path(left, attno)?;
            path.push(key);
            return Some(KeyForm::Text { path, byte_order });
        }
        if !is_a(node, NodeTag::T_FuncExpr) {
            return None;
        }
        let f = node as *mut pg_sys::FuncExpr;
        let args = PgList::<pg_sys::Node>::from_pg((*f).args);
        if args.len() != 1 {
            return None;
        }
        let name = pg_sys::get_func_name((*f).funcid);
        if name.is_null() {
            return None;
        }
        let ty = TypeName::parse(CStr::from_ptr(name).to_str().ok()?.strip_prefix("fraiseql_as_")?)?;
        // The reader must be this extension's: in its schema, and a C function (which
        // only a superuser can create). Both are cached catalog lookups.
        if pg_sys::get_func_namespace((*f).funcid) != pg_sys::get_func_namespace(where_fn)
            || get_func_lang((*f).funcid) != C_LANGUAGE_OID
        {
            return None;
        }
        let path = arrow_path(args.get_ptr(0)?, attno)?;
        (!path.is_empty()).then_some(KeyForm::Typed { path, ty })
    }
}

/// `ClanguageId`: the OID of language C in `pg_language`.
const C_LANGUAGE_OID: pg_sys::Oid = pg_sys::Oid::from_u32(13);

/// The language of a function (`InvalidOid` when it does not exist).
fn get_func_lang(funcid: pg_sys::Oid) -> pg_sys::Oid {
    // SAFETY: a syscache lookup by OID; the tuple is read and released.
    unsafe {
        let tuple = pg_sys::SearchSysCache1(pg_sys::SysCacheIdentifier::PROCOID as i32, pg_sys::Datum::from(funcid));
        if tuple.is_null() {
            return pg_sys::InvalidOid;
        }
        let lang = (*pg_sys::heap_tuple_get_struct::<pg_sys::FormData_pg_proc>(tuple)).prolang;
        pg_sys::ReleaseSysCache(tuple);
        lang
    }
}

/// What `find_indexes` read from the catalogs for one (relation, column, `fraiseql_where`
/// OID), kept per backend: opening every index and copying its expressions cost 1.6 µs
/// per index of the table on every planning of a call (14 µs with the benchmark's six
/// indexes, against 17 µs for planning the whole native query). Expressions are kept,
/// with range table index 1, in a memory context of their own under
/// `CacheMemoryContext`, deleted with the entry.
struct KeptIndexes {
    relid: pg_sys::Oid,
    attno: i16,
    where_fn: pg_sys::Oid,
    context: pg_sys::MemoryContext,
    found: Found,
}

impl Drop for KeptIndexes {
    fn drop(&mut self) {
        // SAFETY: the context is this entry's own, and nothing else points into it.
        unsafe { pg_sys::MemoryContextDelete(self.context) };
    }
}

/// At most this many relations' indexes are kept (the most recently planned ones).
const INDEX_CACHE_ENTRIES: usize = 16;

thread_local! {
    static INDEXES: RefCell<Vec<KeptIndexes>> = const { RefCell::new(Vec::new()) };
    /// Bumped by every relcache invalidation: an entry read from the catalogs while one
    /// arrived may be stale, and is not kept.
    static INDEX_GENERATION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static INDEX_CALLBACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Relcache invalidation callback: a relation whose indexes, columns or constraints
/// change (CREATE/DROP INDEX, ALTER TABLE, …) is invalidated, and so is its entry; an
/// invalid OID means every relation.
#[pgrx::pg_guard]
unsafe extern "C-unwind" fn forget_indexes(_arg: pg_sys::Datum, relid: pg_sys::Oid) {
    INDEX_GENERATION.with(|g| g.set(g.get().wrapping_add(1)));
    INDEXES.with(|c| {
        // Never borrowed across a call that accepts invalidations (see `find_indexes`).
        if let Ok(mut c) = c.try_borrow_mut() {
            c.retain(|k| relid != pg_sys::InvalidOid && k.relid != relid);
        }
    });
}

/// The valid btree indexes with recognised keys, and the best GIN index, on column
/// `attno` of `relid`, with expressions renumbered to range table index `varno`: from
/// the backend's cache when it holds the relation, else read and kept.
///
/// # Safety
/// Called while planning a query that reads `relid` (which holds a lock on it).
unsafe fn find_indexes(relid: pg_sys::Oid, attno: i16, varno: i32, where_fn: pg_sys::Oid) -> Found {
    // SAFETY: registering a callback once per backend; it lives as long as the library.
    if !INDEX_CALLBACK.with(|r| r.replace(true)) {
        unsafe { pg_sys::CacheRegisterRelcacheCallback(Some(forget_indexes), pg_sys::Datum::from(0)) };
    }
    // A copy of the kept entry in the current context, renumbered; no PostgreSQL call in
    // here can accept invalidations.
    let hit = INDEXES.with(|c| {
        let mut c = c.borrow_mut();
        let i = c.iter().position(|k| k.relid == relid && k.attno == attno && k.where_fn == where_fn)?;
        let entry = c.remove(i);
        let found = entry.found.copied(varno);
        c.insert(0, entry);
        Some(found)
    });
    if let Some(found) = hit {
        return found;
    }
    let generation = INDEX_GENERATION.with(|g| g.get());
    /// Switches back to the caller's context however reading ends; an entry that was
    /// not completed (an error, a cancel) takes its context with it.
    struct Building {
        context: pg_sys::MemoryContext,
        old: pg_sys::MemoryContext,
        done: bool,
    }
    impl Drop for Building {
        fn drop(&mut self) {
            // SAFETY: `old` was current before; `context` is ours and, unless done,
            // referenced by nothing.
            unsafe {
                pg_sys::MemoryContextSwitchTo(self.old);
                if !self.done {
                    pg_sys::MemoryContextDelete(self.context);
                }
            }
        }
    }
    // SAFETY: a child of CacheMemoryContext, made current while the catalogs are read.
    let mut building = unsafe {
        let context = pg_sys::AllocSetContextCreateExtended(
            pg_sys::CacheMemoryContext,
            c"fraiseql index keys".as_ptr(),
            pg_sys::ALLOCSET_SMALL_MINSIZE as usize,
            pg_sys::ALLOCSET_SMALL_INITSIZE as usize,
            pg_sys::ALLOCSET_SMALL_MAXSIZE as usize,
        );
        Building { context, old: pg_sys::MemoryContextSwitchTo(context), done: false }
    };
    // SAFETY: the caller's contract.
    let kept = unsafe { read_indexes(relid, attno, where_fn) };
    building.done = true;
    let context = building.context;
    drop(building);
    let found = kept.copied(varno);
    let entry = KeptIndexes { relid, attno, where_fn, context, found: kept };
    if INDEX_GENERATION.with(|g| g.get()) == generation {
        INDEXES.with(|c| {
            let mut c = c.borrow_mut();
            c.truncate(INDEX_CACHE_ENTRIES - 1);
            c.insert(0, entry);
        });
    }
    found
}

impl Found {
    /// A copy whose expressions live in the current memory context, with the table's
    /// Vars (range table index 1, as in the catalog) renumbered to `varno`.
    fn copied(&self, varno: i32) -> Found {
        let keys = self
            .keys
            .iter()
            .map(|k| {
                let expr = copy(k.expr);
                if varno != 1 {
                    // SAFETY: renumbers Vars in a node tree of our own.
                    unsafe { pg_sys::ChangeVarNodes(expr, 1, varno, 0) };
                }
                Key { form: k.form.clone(), expr, ..*k }
            })
            .collect();
        Found { keys, ..*self }
    }
}

/// `find_indexes` from the catalogs, expressions as stored (range table index 1) and
/// copied into the current memory context.
///
/// # Safety
/// As for `find_indexes`.
unsafe fn read_indexes(relid: pg_sys::Oid, attno: i16, where_fn: pg_sys::Oid) -> Found {
    let mut found = Found { where_fn, ..Found::default() };
    // SAFETY: the relation and its indexes are opened with AccessShareLock (the planner
    // takes the same locks when it reads them) and closed keeping the lock, as the
    // planner does; every pointer read comes from their relcache entries.
    unsafe {
        let rel = pg_sys::table_open(relid, pg_sys::AccessShareLock as i32);
        let desc = (*rel).rd_att;
        if attno >= 1 && (attno as i32) <= (*desc).natts {
            found.not_null = (*(*desc).attrs.as_ptr().add(attno as usize - 1)).attnotnull;
        }
        found.has_children = (*(*rel).rd_rel).relhassubclass;
        let list = PgList::<std::ffi::c_void>::from_pg(pg_sys::RelationGetIndexList(rel));
        for i in 0..list.len() {
            pgrx::check_for_interrupts!();
            let oid = (*(*list.as_ptr()).elements.add(i)).oid_value;
            let irel = pg_sys::index_open(oid, pg_sys::AccessShareLock as i32);
            let index = (*irel).rd_index;
            if (*index).indisvalid {
                let nkeys = (*index).indnkeyatts as usize;
                let keys = (*index).indkey.values.as_slice(nkeys);
                let am = (*(*irel).rd_rel).relam;
                let mut exprs = PgList::<pg_sys::Node>::from_pg(null_mut());
                if keys.contains(&0) {
                    exprs = PgList::from_pg(pg_sys::RelationGetIndexExpressions(irel));
                }
                let mut next_expr = 0;
                for (col, &k) in keys.iter().enumerate() {
                    let opfamily = *(*irel).rd_opfamily.add(col);
                    let opcintype = *(*irel).rd_opcintype.add(col);
                    let collation = *(*irel).rd_indcollation.add(col);
                    if k == 0 {
                        let Some(expr) = exprs.get_ptr(next_expr) else { break };
                        next_expr += 1;
                        if am != pg_sys::BTREE_AM_OID {
                            continue;
                        }
                        if !standard_btree(opfamily, opcintype, collation) {
                            continue;
                        }
                        let byte_order = opfamily == pg_sys::Oid::from(TEXT_PATTERN_BTREE_FAM_OID)
                            || collation == pg_sys::C_COLLATION_OID
                            || collation == pg_sys::Oid::from(POSIX_COLLATION_OID);
                        if let Some(form) = key_form(expr, attno, where_fn, byte_order) {
                            // Copied out of the relcache (into the cache entry's context).
                            let expr = pg_sys::copyObjectImpl(expr.cast()) as *mut pg_sys::Node;
                            found.keys.push(Key { form, expr, opfamily, opcintype, collation });
                        }
                    } else if k == attno && am == pg_sys::GIN_AM_OID && col == 0 {
                        let contains = gin_op(opfamily, pg_sys::JSONBOID, pg_sys::JsonbContainsStrategyNumber);
                        let exists_all = gin_op(opfamily, pg_sys::TEXTARRAYOID, pg_sys::JsonbExistsAllStrategyNumber);
                        if contains != pg_sys::InvalidOid && found.gin != Some(GinOps::Keys) {
                            found.contains_op = contains;
                            found.exists_all_op = exists_all;
                            found.gin =
                                Some(if exists_all != pg_sys::InvalidOid { GinOps::Keys } else { GinOps::Paths });
                        }
                    }
                }
            }
            pg_sys::index_close(irel, pg_sys::NoLock as i32);
        }
        pg_sys::table_close(rel, pg_sys::NoLock as i32);
    }
    found
}

/// Whether a btree key compares as its type's default operator class does, under a
/// deterministic collation (or `text_pattern_ops`, byte order): what the core's
/// derivations assume. A key of any other operator class (a case-insensitive one, say)
/// could order or equate values differently, so nothing is derived for it.
fn standard_btree(opfamily: pg_sys::Oid, opcintype: pg_sys::Oid, collation: pg_sys::Oid) -> bool {
    // SAFETY: catalog lookups by OID.
    unsafe {
        if collation != pg_sys::InvalidOid && !pg_sys::get_collation_isdeterministic(collation) {
            return false;
        }
        if opcintype == pg_sys::TEXTOID && opfamily == pg_sys::Oid::from(TEXT_PATTERN_BTREE_FAM_OID) {
            return true;
        }
        // The type cache's default btree family (a backend-local hash lookup; the
        // catalog scan behind GetDefaultOpClass cost about 5 µs per index and query).
        let entry = pg_sys::lookup_type_cache(opcintype, pg_sys::TYPECACHE_BTREE_OPFAMILY as i32);
        !entry.is_null() && (*entry).btree_opf == opfamily
    }
}

/// `text_pattern_ops` (byte-order text comparisons).
const TEXT_PATTERN_BTREE_FAM_OID: u32 = 2095;
/// The `"POSIX"` collation (byte order, like `"C"`).
const POSIX_COLLATION_OID: u32 = 951;

/// The jsonb operator of a GIN operator family for `strategy` with `right` operands.
fn gin_op(opfamily: pg_sys::Oid, right: pg_sys::Oid, strategy: u32) -> pg_sys::Oid {
    // SAFETY: a catalog lookup by OIDs.
    unsafe { pg_sys::get_opfamily_member(opfamily, pg_sys::JSONBOID, right, strategy as i16) }
}

// ---- building nodes --------------------------------------------------------------------

/// A `Const` of type `typ` read from `text` by the type's input function (the same
/// text the compiled SQL writes as a literal); `None` if the text holds a NUL.
fn input_const(typ: pg_sys::Oid, collation: pg_sys::Oid, text: &str) -> Option<*mut pg_sys::Node> {
    let c = CString::new(text).ok()?;
    // SAFETY: catalog lookups for a built-in or extension type; the input function
    // returns a datum palloc'd in the current context, which the Const points to.
    unsafe {
        let (mut input, mut ioparam) = (pg_sys::InvalidOid, pg_sys::InvalidOid);
        pg_sys::getTypeInputInfo(typ, &mut input, &mut ioparam);
        let (mut len, mut byval) = (0i16, false);
        pg_sys::get_typlenbyval(typ, &mut len, &mut byval);
        let value = pg_sys::OidInputFunctionCall(input, c.as_ptr() as *mut _, ioparam, -1);
        // Node: Const(typ, typmod -1, collation, value), not null.
        Some(pg_sys::makeConst(typ, -1, collation, len as i32, value, false, byval).cast())
    }
}

/// `left <op> right`: an `OpExpr` returning boolean, compared under `collation`.
fn op_clause(
    op: pg_sys::Oid,
    left: *mut pg_sys::Node,
    right: *mut pg_sys::Node,
    collation: pg_sys::Oid,
) -> *mut pg_sys::Node {
    // SAFETY: builds a node from valid nodes; the planner fills `opfuncid` itself.
    unsafe {
        pg_sys::make_opclause(op, pg_sys::BOOLOID, false, left.cast(), right.cast(), pg_sys::InvalidOid, collation)
            .cast()
    }
}

/// A deep copy of an expression node.
fn copy(node: *mut pg_sys::Node) -> *mut pg_sys::Node {
    // SAFETY: copies a valid node into the current memory context.
    unsafe { pg_sys::copyObjectImpl(node.cast()).cast() }
}

/// Node: BooleanTest `(<arg>) IS TRUE`: false where `arg` is false or NULL.
fn is_true(arg: *mut pg_sys::Node) -> *mut pg_sys::Node {
    // SAFETY: a zeroed node of the tag's type, palloc'd in the current context.
    let mut node = unsafe { PgBox::<pg_sys::BooleanTest>::alloc_node(NodeTag::T_BooleanTest) };
    node.arg = arg.cast();
    node.booltesttype = pg_sys::BoolTestType::IS_TRUE;
    node.location = -1;
    node.into_pg().cast()
}

/// `(a AND b …)` or `(a OR b …)` of one or more clauses (one clause stands alone), flat:
/// an argument that is itself an AND (an OR) has its arguments spliced in. What the
/// support function returns is used as it is, and a partition's or a UNION ALL member's
/// copy of the quals is simplified without `canonicalize_qual`, which would flatten it:
/// the planner's index matching assumes no OR directly under an OR (an alternative of
/// an `_or` that is itself an `_or` crashed it in `create_index_paths`).
fn bool_clause(clauses: Vec<*mut pg_sys::Node>, or: bool) -> *mut pg_sys::Node {
    if clauses.len() == 1 {
        return clauses[0];
    }
    let mut list = PgList::<pg_sys::Node>::new();
    for c in clauses {
        // SAFETY: `c` is a valid expression node; a BoolExpr is read as one.
        let same = unsafe {
            is_a(c, NodeTag::T_BoolExpr) && {
                let b = c as *mut pg_sys::BoolExpr;
                (*b).boolop == if or { pg_sys::BoolExprType::OR_EXPR } else { pg_sys::BoolExprType::AND_EXPR }
            }
        };
        if same {
            // SAFETY: the BoolExpr's argument list, of valid expression nodes.
            let args = unsafe { PgList::<pg_sys::Node>::from_pg((*(c as *mut pg_sys::BoolExpr)).args) };
            for a in args.iter_ptr() {
                list.push(a);
            }
        } else {
            list.push(c);
        }
    }
    // SAFETY: builds a BoolExpr over a fresh list of valid clauses.
    unsafe {
        if or {
            pg_sys::make_orclause(list.into_pg()).cast()
        } else {
            pg_sys::make_andclause(list.into_pg()).cast()
        }
    }
}

/// Builds one derived condition over `data` and the found indexes; `None` when it
/// cannot be built (the operator family lacks the strategy, a value does not read):
/// leaving a conjunct out keeps the rest implied, and an `OR` with an alternative that
/// cannot be built is left out whole.
fn build(d: &Derived, data: *mut pg_sys::Node, found: &Found) -> Option<*mut pg_sys::Node> {
    pgrx::check_for_interrupts!();
    match d {
        Derived::Contains(doc) => {
            // Node: OpExpr `data @> '<doc>'::jsonb`, the GIN family's containment operator
            // (jsonb's own where no GIN index is found: an estimate of the condition).
            let right = input_const(pg_sys::JSONBOID, pg_sys::InvalidOid, doc)?;
            let op = if found.contains_op == pg_sys::InvalidOid {
                pg_sys::Oid::from(JSONB_CONTAINS_OP)
            } else {
                found.contains_op
            };
            Some(op_clause(op, copy(data), right, pg_sys::InvalidOid))
        }
        Derived::HasKeys(keys) => {
            // Node: OpExpr `data ?& '{keys}'::text[]`, the GIN family's all-keys operator.
            let mut text = String::from("{");
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                text.push('"');
                text.push_str(&k.replace('\\', "\\\\").replace('"', "\\\""));
                text.push('"');
            }
            text.push('}');
            let right = input_const(pg_sys::TEXTARRAYOID, pg_sys::DEFAULT_COLLATION_OID, &text)?;
            (found.exists_all_op != pg_sys::InvalidOid)
                .then(|| op_clause(found.exists_all_op, copy(data), right, pg_sys::DEFAULT_COLLATION_OID))
        }
        Derived::Cmp { key, strategy, value } => {
            // Node: OpExpr `<index expression> <op> '<value>'::<key type>`, the operator
            // of the index's btree family for the strategy, under the index's collation.
            let k = found.keys.get(*key)?;
            let op = btree_op(k, strategy.number())?;
            let right = input_const(k.opcintype, k.collation, &value.input_text(&k.form))?;
            Some(op_clause(op, copy(k.expr), right, k.collation))
        }
        Derived::AnyOf { key, values } => any_of(found.keys.get(*key)?, values),
        Derived::Equalities { doc, spec } => Some(equalities_call(spec, doc, data, found).unwrap_or_else(|| {
            // Node: `(data @> '<doc>') IS TRUE`, which no index matches, where the call
            // cannot be built.
            let contains = build(&Derived::Contains(doc.clone()), data, found);
            contains.map_or(null_mut(), is_true)
        }))
        .filter(|n| !n.is_null()),
        Derived::NotNull { key } => {
            // Node: NullTest `<index expression> IS NOT NULL` (a btree search condition).
            let k = found.keys.get(*key)?;
            // SAFETY: a zeroed node of the tag's type, palloc'd in the current context.
            let mut node = unsafe { PgBox::<pg_sys::NullTest>::alloc_node(NodeTag::T_NullTest) };
            node.arg = copy(k.expr).cast();
            node.nulltesttype = pg_sys::NullTestType::IS_NOT_NULL;
            node.argisrow = false;
            node.location = -1;
            Some(node.into_pg().cast())
        }
        Derived::Or(arms) => {
            // Node: BoolExpr OR of each alternative (a BoolExpr AND of its conditions).
            let mut built = Vec::with_capacity(arms.len());
            for arm in arms {
                let parts = arm.iter().filter_map(|d| build(d, data, found)).collect::<Vec<_>>();
                if parts.is_empty() {
                    return None;
                }
                built.push(bool_clause(parts, false));
            }
            Some(bool_clause(built, true))
        }
    }
}

/// Node: FuncExpr `fraiseql_where(data, '<spec>'::jsonb, '{}'::jsonb, false)`, the
/// equalities of `Derived::Equalities` as a call of their own, marked
/// ([`EQUALITIES_MARK`]) so that it is never rewritten, and so that `index_condition`
/// offers the GIN index for it only where the estimates favour it. `None` when the
/// spec does not parse as the call would parse it (then the containment is a filter).
fn equalities_call(spec: &str, doc: &str, data: *mut pg_sys::Node, found: &Found) -> Option<*mut pg_sys::Node> {
    let (bytes, empty) = (jsonb::encode(spec).ok()?, jsonb::encode("{}").ok()?);
    if !equalities_match(&*parse(&bytes, &empty, false)?, doc) {
        return None;
    }
    if found.where_fn == pg_sys::InvalidOid {
        return None;
    }
    let spec_const = input_const(pg_sys::JSONBOID, pg_sys::InvalidOid, spec)?;
    let types = input_const(pg_sys::JSONBOID, pg_sys::InvalidOid, "{}")?;
    // SAFETY: fresh nodes of our own; the Const is the one just built.
    unsafe {
        (*(spec_const as *mut pg_sys::Const)).location = EQUALITIES_MARK;
        let keys = pg_sys::makeBoolConst(false, false);
        let mut args = PgList::<pg_sys::Node>::new();
        args.push(copy(data));
        args.push(spec_const);
        args.push(types);
        args.push(keys);
        let call = pg_sys::makeFuncExpr(
            found.where_fn,
            pg_sys::BOOLOID,
            args.into_pg(),
            pg_sys::InvalidOid,
            pg_sys::InvalidOid,
            pg_sys::CoercionForm::COERCE_EXPLICIT_CALL,
        );
        Some(call.cast())
    }
}

/// Node: ScalarArrayOpExpr `<index expression> = ANY ('{…}'::<key type>[])`, the
/// equality of the index's btree family under its collation.
fn any_of(k: &Key, values: &[fraiseql_core::where_spec::index::Operand]) -> Option<*mut pg_sys::Node> {
    let op = btree_op(k, fraiseql_core::where_spec::index::Strategy::Eq.number())?;
    let mut datums = Vec::with_capacity(values.len());
    for v in values {
        pgrx::check_for_interrupts!();
        let c = input_const(k.opcintype, k.collation, &v.input_text(&k.form))?;
        // SAFETY: `c` is the Const just built.
        datums.push(unsafe { (*(c as *mut pg_sys::Const)).constvalue });
    }
    // SAFETY: catalog lookups and an array built from datums of the key type.
    unsafe {
        let array_type = pg_sys::get_array_type(k.opcintype);
        if array_type == pg_sys::InvalidOid {
            return None;
        }
        let (mut len, mut byval, mut align) = (0i16, false, 0 as std::ffi::c_char);
        pg_sys::get_typlenbyvalalign(k.opcintype, &mut len, &mut byval, &mut align);
        let array =
            pg_sys::construct_array(datums.as_mut_ptr(), datums.len() as i32, k.opcintype, len as i32, byval, align);
        let right = pg_sys::makeConst(array_type, -1, k.collation, -1, pg_sys::Datum::from(array), false, false);
        let mut node = PgBox::<pg_sys::ScalarArrayOpExpr>::alloc_node(NodeTag::T_ScalarArrayOpExpr);
        node.opno = op;
        node.useOr = true;
        node.inputcollid = k.collation;
        node.location = -1;
        let mut args = PgList::<pg_sys::Node>::new();
        args.push(copy(k.expr));
        args.push(right.cast());
        node.args = args.into_pg();
        Some(node.into_pg().cast())
    }
}

/// The operator of `key`'s btree family for `strategy` on its input type.
fn btree_op(key: &Key, strategy: u16) -> Option<pg_sys::Oid> {
    // SAFETY: a catalog lookup by OIDs.
    let op = unsafe { pg_sys::get_opfamily_member(key.opfamily, key.opcintype, key.opcintype, strategy as i16) };
    (op != pg_sys::InvalidOid).then_some(op)
}

/// The derived clauses the rewrite puts next to a call, built; empty when none apply.
fn planner_clauses(spec: &Spec, data: *mut pg_sys::Node, found: &Found) -> Vec<*mut pg_sys::Node> {
    spec.planner_clauses(&found.indexes()).iter().filter_map(|d| build(d, data, found)).collect()
}

// ---- the requests ------------------------------------------------------------------------

/// `SupportRequestSimplify`: `fraiseql_where(…)` → `<derived> AND fraiseql_where(…)`.
///
/// # Safety
/// `req` must be the planner's request.
unsafe fn simplify(req: *mut pg_sys::SupportRequestSimplify) -> *mut pg_sys::Node {
    // SAFETY: the request and the call it describes are the planner's.
    unsafe {
        let fcall = (*req).fcall;
        if is_recheck((*fcall).args) {
            return null_mut();
        }
        let Some(Call { data, spec: Some(spec), .. }) = call((*fcall).args) else { return null_mut() };
        let Some((relid, attno, varno)) = table_column((*req).root, data) else { return null_mut() };
        let mut found = find_indexes(relid, attno, varno, (*fcall).funcid);
        if found.not_null && found.has_children && !children_not_null(relid, attno) {
            found.not_null = false;
        }
        if found.keys.is_empty() && found.gin.is_none() {
            return text_form(&spec, data, &found, (*req).root).unwrap_or(null_mut());
        }
        if let Some(native) = equivalent(&spec, data, &found, (*req).root) {
            return native;
        }
        let mut clauses = planner_clauses(&spec, data, &found);
        if clauses.is_empty() {
            // With a GIN index the call keeps its index condition; else nothing serves it.
            if found.gin.is_none() {
                return text_form(&spec, data, &found, (*req).root).unwrap_or(null_mut());
            }
            return null_mut();
        }
        // Node: a copy of the call itself (the request's FuncExpr is the planner's
        // stack dummy), kept as the exact recheck, marked so that it is never rewritten
        // again (`is_recheck`).
        clauses.push(mark_recheck(copy(fcall.cast())));
        // Node: BoolExpr AND of the derived clauses and the call.
        bool_clause(clauses, false)
    }
}

/// The `location` of the spec constant of a call kept as the recheck of a rewrite.
/// PostgreSQL simplifies again the arguments of an `AND` that simplification produced
/// (`simplify_and_arguments`, and `simplify_or_arguments` after `NOT` turned the `AND`
/// into an `OR`), and simplifies a partition's or inheritance child's copy of the
/// quals again: a recheck rewritten each time would be rewritten forever, allocating
/// until the server runs out of memory. The mark survives both (`copyObject` keeps a
/// location, `equal()` ignores it, EXPLAIN does not print it); the parser only writes
/// byte offsets (0 and up) or -1 (unknown), and every reader of a location treats a
/// negative one as unknown.
const RECHECK_MARK: i32 = -0x0046_514C;

/// The `location` of the spec constant of an equalities call (`equalities_call`): never
/// rewritten either, and its GIN index condition is decided by estimate.
const EQUALITIES_MARK: i32 = -0x0046_5145;

/// `call` with the location of its spec constant set to [`RECHECK_MARK`].
fn mark_recheck(call: *mut pg_sys::Node) -> *mut pg_sys::Node {
    // SAFETY: `call` is our own copy of a `fraiseql_where` FuncExpr whose spec argument
    // is a Const (`call()` parsed it).
    unsafe {
        let args = PgList::<pg_sys::Node>::from_pg((*(call as *mut pg_sys::FuncExpr)).args);
        if let Some(spec) = args.get_ptr(1).filter(|n| is_a(*n, NodeTag::T_Const)) {
            (*(spec as *mut pg_sys::Const)).location = RECHECK_MARK;
        }
    }
    call
}

/// Whether the call is a recheck that a rewrite of this module put there
/// ([`RECHECK_MARK`]).
///
/// # Safety
/// `args` must be the argument list of a `fraiseql_where` call.
unsafe fn is_recheck(args: *mut pg_sys::List) -> bool {
    // SAFETY: the caller's contract; a Const is read as one.
    unsafe {
        let args = PgList::<pg_sys::Node>::from_pg(args);
        args.get_ptr(1).is_some_and(|n| {
            is_a(n, NodeTag::T_Const) && matches!((*(n as *mut pg_sys::Const)).location, RECHECK_MARK | EQUALITIES_MARK)
        })
    }
}

unsafe extern "C-unwind" {
    /// `catalog/pg_inherits.h`, which pgrx does not bind: every descendant of a relation
    /// (the relation itself first), locking each with `lockmode`. Called only through
    /// `pg_guard_ffi_boundary`, which turns an ERROR it raises into a Rust unwind.
    fn find_all_inheritors(
        parent: pg_sys::Oid,
        lockmode: pg_sys::LOCKMODE,
        numparents: *mut *mut pg_sys::List,
    ) -> *mut pg_sys::List;
}

/// Whether the call is an equalities call of a rewrite ([`EQUALITIES_MARK`]).
///
/// # Safety
/// `args` must be the argument list of a `fraiseql_where` call.
unsafe fn is_equalities(args: *mut pg_sys::List) -> bool {
    // SAFETY: the caller's contract; a Const is read as one.
    unsafe {
        let args = PgList::<pg_sys::Node>::from_pg(args);
        args.get_ptr(1)
            .is_some_and(|n| is_a(n, NodeTag::T_Const) && (*(n as *mut pg_sys::Const)).location == EQUALITIES_MARK)
    }
}

/// Whether column `attno` of `relid` is declared `NOT NULL` in every inheritance child
/// and partition (a plain inheritance child may drop a parent's `NOT NULL`; a foreign
/// table does not enforce one). Read at every planning, not kept with the indexes: a
/// change to a child invalidates the child's relcache entry, not the parent's.
fn children_not_null(relid: pg_sys::Oid, attno: i16) -> bool {
    // SAFETY: catalog lookups by OID and name; the tuples are released. Children are
    // listed without a lock (the planner locks them when it expands the parent); one
    // dropped meanwhile counts as nullable.
    unsafe {
        let name = pg_sys::get_attname(relid, attno, true);
        if name.is_null() {
            return false;
        }
        let children = PgList::<std::ffi::c_void>::from_pg(pg_sys::ffi::pg_guard_ffi_boundary(|| {
            find_all_inheritors(relid, pg_sys::NoLock as i32, null_mut())
        }));
        for i in 0..children.len() {
            pgrx::check_for_interrupts!();
            let child = (*(*children.as_ptr()).elements.add(i)).oid_value;
            if child == relid {
                continue;
            }
            if pg_sys::get_rel_relkind(child) as u8 == pg_sys::RELKIND_FOREIGN_TABLE {
                return false;
            }
            let tuple = pg_sys::SearchSysCacheAttName(child, name);
            if tuple.is_null() {
                return false;
            }
            let not_null = (*pg_sys::heap_tuple_get_struct::<pg_sys::FormData_pg_attribute>(tuple)).attnotnull;
            pg_sys::ReleaseSysCache(tuple);
            if !not_null {
                return false;
            }
        }
        true
    }
}

/// The native conditions that replace the call (no recheck), when the spec has an
/// equivalent form (`Spec::equivalent`) that is not a lone containment (that one is
/// left to the GIN index condition, which keeps the spec's own row estimate) and the
/// replacement equals the call wherever the expression appears: containment is NULL
/// only on a NULL column, as the STRICT call is; btree conditions are false there, so
/// they need a column that is never NULL in this query.
///
/// # Safety
/// `root` must be the planner's; `data` a column of the relation `found` describes.
unsafe fn equivalent(
    spec: &Spec,
    data: *mut pg_sys::Node,
    found: &Found,
    root: *mut pg_sys::PlannerInfo,
) -> Option<*mut pg_sys::Node> {
    let native = spec.equivalent(&found.indexes())?;
    if matches!(native.as_slice(), [Derived::Contains(_)]) {
        return None;
    }
    // SAFETY: the caller's contract.
    if !null_faithful(&native) && !unsafe { never_null(root, found) } {
        return None;
    }
    let mut built = Vec::with_capacity(native.len());
    for d in &native {
        built.push(build(d, data, found)?);
    }
    // Node: BoolExpr AND of the conditions (or the one condition).
    Some(bool_clause(built, false))
}

/// For a spec no index serves, the `->>` text comparisons that replace the call
/// (`Spec::top_level_text_form`): `((data->>'k') = ANY (…) …) IS TRUE`, cheaper per row
/// than the call and true exactly where the spec is; false on a NULL column, so only
/// where the column is never NULL in this query (`never_null`). The text comparisons
/// use the default collation, deterministic in every PostgreSQL 15 database, so equal
/// text is equal bytes.
///
/// # Safety
/// `root` must be the planner's; `data` a column of the relation `found` describes.
unsafe fn text_form(
    spec: &Spec,
    data: *mut pg_sys::Node,
    found: &Found,
    root: *mut pg_sys::PlannerInfo,
) -> Option<*mut pg_sys::Node> {
    let (names, derived) = spec.top_level_text_form()?;
    // SAFETY: the caller's contract.
    if !unsafe { never_null(root, found) } {
        return None;
    }
    // SAFETY: catalog lookups by OID.
    let (field_text, text_opf) = unsafe {
        let op = pg_sys::Oid::from(JSONB_FIELD_TEXT_OP);
        if pg_sys::get_opcode(op) != pg_sys::Oid::from(pg_sys::F_JSONB_OBJECT_FIELD_TEXT) {
            return None;
        }
        let entry = pg_sys::lookup_type_cache(pg_sys::TEXTOID, pg_sys::TYPECACHE_BTREE_OPFAMILY as i32);
        if entry.is_null() || (*entry).btree_opf == pg_sys::InvalidOid {
            return None;
        }
        (op, (*entry).btree_opf)
    };
    let mut keys = Vec::with_capacity(names.len());
    for name in names {
        let key = input_const(pg_sys::TEXTOID, pg_sys::DEFAULT_COLLATION_OID, &name)?;
        // Node: OpExpr `data ->> '<name>'` (text, default collation).
        // SAFETY: builds a node from valid nodes; the planner fills `opfuncid` itself.
        let expr = unsafe {
            pg_sys::make_opclause(
                field_text,
                pg_sys::TEXTOID,
                false,
                copy(data).cast(),
                key.cast(),
                pg_sys::DEFAULT_COLLATION_OID,
                pg_sys::DEFAULT_COLLATION_OID,
            )
        };
        keys.push(Key {
            form: KeyForm::Text { path: vec![name], byte_order: false },
            expr: expr.cast(),
            opfamily: text_opf,
            opcintype: pg_sys::TEXTOID,
            collation: pg_sys::DEFAULT_COLLATION_OID,
        });
    }
    let text_keys = Found { keys, ..Found::default() };
    let mut built = Vec::with_capacity(derived.len());
    for d in &derived {
        built.push(build(d, data, &text_keys)?);
    }
    // `(<conditions>) IS TRUE`: false, not NULL, where a key is missing.
    Some(is_true(bool_clause(built, false)))
}

/// `jsonb ->> text` in pg_catalog (`jsonb_object_field_text`), checked by its function.
const JSONB_FIELD_TEXT_OP: u32 = 3477;
/// `jsonb @> jsonb` in pg_catalog (`jsonb_contains`).
const JSONB_CONTAINS_OP: u32 = 3246;

/// Whether the column, declared `NOT NULL`, can still be NULL in this query: on the
/// nullable side of an outer join, or in a grouping set's row where it is not grouped.
///
/// # Safety
/// `root` must be the planner's `PlannerInfo` for the query the column belongs to.
unsafe fn never_null(root: *mut pg_sys::PlannerInfo, found: &Found) -> bool {
    if !found.not_null {
        return false;
    }
    // SAFETY: the planner's query and its range table.
    unsafe {
        let parse = (*root).parse;
        if !(*parse).groupingSets.is_null() {
            return false;
        }
        let rtable = PgList::<pg_sys::RangeTblEntry>::from_pg((*parse).rtable);
        let inner_only = rtable
            .iter_ptr()
            .all(|rte| (*rte).rtekind != pg_sys::RTEKind::RTE_JOIN || (*rte).jointype == pg_sys::JoinType::JOIN_INNER);
        inner_only
    }
}

/// `SupportRequestIndexCondition`: for a GIN index on the column whose operator family
/// has jsonb `@>`, the lossy index conditions of a constant spec.
///
/// # Safety
/// `req` must be the planner's request.
unsafe fn index_condition(req: *mut pg_sys::SupportRequestIndexCondition) -> *mut pg_sys::Node {
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
unsafe fn selectivity(req: *mut pg_sys::SupportRequestSelectivity) -> *mut pg_sys::Node {
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

/// The column's statistics (most common values, histogram), held for one estimate and
/// released on drop.
struct ColumnStats {
    vardata: pg_sys::VariableStatData,
    mcv: Option<pg_sys::AttStatsSlot>,
    hist: Option<pg_sys::AttStatsSlot>,
    null_frac: f64,
}

impl ColumnStats {
    /// # Safety
    /// `root`, `data` and the ids are the planner's, for the request being answered.
    unsafe fn load(
        root: *mut pg_sys::PlannerInfo,
        data: *mut pg_sys::Node,
        var_relid: i32,
        funcid: pg_sys::Oid,
    ) -> Self {
        // SAFETY: the caller's contract; statistics are read through the planner's own
        // routines, and only when the caller may see them (statistic_proc_security_check).
        unsafe {
            let mut c =
                ColumnStats { vardata: pg_sys::VariableStatData::default(), mcv: None, hist: None, null_frac: 0.0 };
            pg_sys::examine_variable(root, data, var_relid, &mut c.vardata);
            if c.vardata.statsTuple.is_null() || !pg_sys::statistic_proc_security_check(&mut c.vardata, funcid) {
                return c;
            }
            let stats = pg_sys::heap_tuple_get_struct::<pg_sys::FormData_pg_statistic>(c.vardata.statsTuple);
            c.null_frac = (*stats).stanullfrac as f64;
            let slot = |kind: u32, flags: u32| {
                let mut slot = pg_sys::AttStatsSlot::default();
                pg_sys::get_attstatsslot(&mut slot, c.vardata.statsTuple, kind as i32, pg_sys::InvalidOid, flags as i32)
                    .then_some(slot)
            };
            c.mcv = slot(pg_sys::STATISTIC_KIND_MCV, pg_sys::ATTSTATSSLOT_VALUES | pg_sys::ATTSTATSSLOT_NUMBERS);
            c.hist = slot(pg_sys::STATISTIC_KIND_HISTOGRAM, pg_sys::ATTSTATSSLOT_VALUES);
            c
        }
    }

    /// The statistics as jsonb values the core can evaluate a spec on.
    fn sample(&self) -> Option<Sample<'_>> {
        if self.mcv.is_none() && self.hist.is_none() {
            return None;
        }
        let mut s = Sample { mcv: Vec::new(), histogram: Vec::new(), null_frac: self.null_frac };
        // SAFETY: the slots hold `nvalues` jsonb datums (and `nnumbers` frequencies) that
        // live until they are freed on drop.
        unsafe {
            if let Some(mcv) = &self.mcv {
                for i in 0..mcv.nvalues.min(mcv.nnumbers) as usize {
                    if let Ok(v) = jsonb::root(varlena_bytes(*mcv.values.add(i))) {
                        s.mcv.push((v, *mcv.numbers.add(i) as f64));
                    }
                }
            }
            if let Some(hist) = &self.hist {
                for i in 0..hist.nvalues as usize {
                    if let Ok(v) = jsonb::root(varlena_bytes(*hist.values.add(i))) {
                        s.histogram.push(v);
                    }
                }
            }
        }
        Some(s)
    }
}

impl Drop for ColumnStats {
    fn drop(&mut self) {
        // SAFETY: frees what `load` obtained, once.
        unsafe {
            for slot in [self.mcv.as_mut(), self.hist.as_mut()].into_iter().flatten() {
                pg_sys::free_attstatsslot(slot);
            }
            if !self.vardata.statsTuple.is_null() {
                if let Some(free) = self.vardata.freefunc {
                    free(self.vardata.statsTuple);
                }
            }
        }
    }
}

/// `SupportRequestCost`: per-row cost from the spec's size.
///
/// # Safety
/// `req` must be the planner's request.
unsafe fn cost(req: *mut pg_sys::SupportRequestCost) -> *mut pg_sys::Node {
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
