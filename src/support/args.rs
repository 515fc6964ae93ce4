//! The arguments of a `fraiseql_where` call as the planner shows them: the parsed spec
//! when it is a constant (parsed once per backend for recent specs), and the marks that
//! tell a call this module's rewrites put there.

use crate::pg::{varlena_bytes, PgHost, MAX_SPEC_BYTES};
use fraiseql_core::jsonb;
use fraiseql_core::lru::Lru;
use fraiseql_core::where_spec::{Options, Spec};
use pgrx::pg_sys::{self, NodeTag};
use pgrx::{is_a, PgList};
use std::cell::RefCell;
use std::rc::Rc;

/// `fraiseql_where(data, spec, types, convert_keys)`: the argument list of a call, the
/// defaults already filled in by the parser.
pub(super) struct Call {
    pub(super) data: *mut pg_sys::Node,
    /// The parsed spec, when spec, types and convert_keys are non-null constants and
    /// parse; `None` for anything else.
    pub(super) spec: Option<Rc<Spec>>,
    /// Whether the spec argument is a constant at all (parsed or not).
    pub(super) constant: bool,
}

/// The value of a non-null `Const`, or `None`.
///
/// # Safety
/// `node` must be a valid expression node.
pub(super) unsafe fn const_value(node: *mut pg_sys::Node) -> Option<pg_sys::Datum> {
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
pub(super) unsafe fn call(args: *mut pg_sys::List) -> Option<Call> {
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

/// Parsed specs of recent support requests, keyed by (spec bytes, types bytes,
/// convert_keys).
type ParseCache = Lru<(Vec<u8>, Vec<u8>, bool), Rc<Spec>>;

thread_local! {
    /// The planner asks several questions about one call (simplify, selectivity, cost,
    /// the latter once per path it costs), and applications plan the same specs again
    /// and again (every custom plan of a prepared statement): parsing each time was a
    /// third of the support function's time for a two-equality spec. Bounded: at most
    /// `PARSE_CACHE_ENTRIES` specs of at most `PARSE_CACHE_MAX_BYTES` each (with their
    /// types), about 100 kB of parsed trees at most.
    static PARSED: RefCell<ParseCache> = RefCell::new(Lru::new(PARSE_CACHE_ENTRIES));
}
const PARSE_CACHE_ENTRIES: usize = 8;
const PARSE_CACHE_MAX_BYTES: usize = 2048;

/// The spec as the call will parse it, or `None` when the call would raise an error
/// (then nothing is derived, and the error comes from the call at execution).
pub(super) fn parse(spec: &[u8], types: &[u8], convert_keys: bool) -> Option<Rc<Spec>> {
    // SAFETY: reads a backend global.
    if unsafe { pg_sys::GetDatabaseEncoding() } != pg_sys::pg_enc::PG_UTF8 as i32 {
        return None;
    }
    let max = MAX_SPEC_BYTES.get().max(0) as usize;
    if spec.len() > max || types.len() > max {
        return None;
    }
    // Only small specs are kept, so only they are looked up.
    let key =
        (spec.len() + types.len() <= PARSE_CACHE_MAX_BYTES).then(|| (spec.to_vec(), types.to_vec(), convert_keys));
    if let Some(hit) = key.as_ref().and_then(|k| PARSED.with(|c| c.borrow_mut().get(k).cloned())) {
        return Some(hit);
    }
    let parsed = Rc::new(parse_uncached(spec, types, convert_keys)?);
    if let Some(key) = key {
        PARSED.with(|c| c.borrow_mut().insert(key, parsed.clone()));
    }
    Some(parsed)
}

fn parse_uncached(spec: &[u8], types: &[u8], convert_keys: bool) -> Option<Spec> {
    let options = Options { convert_keys };
    let hints = Spec::parse_types(jsonb::root(types).ok()?, options).ok()?;
    Spec::parse_typed(jsonb::root(spec).ok()?, &hints, options, &PgHost).ok()
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
pub(super) const RECHECK_MARK: i32 = -0x0046_514C;

/// The `location` of the spec constant of an equalities call (`equalities_call`): never
/// rewritten either, and its GIN index condition is decided by estimate.
pub(super) const EQUALITIES_MARK: i32 = -0x0046_5145;

/// `call` with the location of its spec constant set to [`RECHECK_MARK`].
pub(super) fn mark_recheck(call: *mut pg_sys::Node) -> *mut pg_sys::Node {
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

/// The mark a rewrite of this module put on a call ([`RECHECK_MARK`],
/// [`EQUALITIES_MARK`]): the `location` of its spec constant.
///
/// # Safety
/// `args` must be the argument list of a `fraiseql_where` call.
unsafe fn mark_of(args: *mut pg_sys::List) -> Option<i32> {
    // SAFETY: the caller's contract; a Const is read as one.
    unsafe {
        let spec = PgList::<pg_sys::Node>::from_pg(args).get_ptr(1)?;
        is_a(spec, NodeTag::T_Const).then(|| (*(spec as *mut pg_sys::Const)).location)
    }
}

/// Whether the call was put there by a rewrite (a recheck or an equalities call), which
/// is never rewritten again.
///
/// # Safety
/// `args` must be the argument list of a `fraiseql_where` call.
pub(super) unsafe fn is_recheck(args: *mut pg_sys::List) -> bool {
    // SAFETY: the caller's contract.
    matches!(unsafe { mark_of(args) }, Some(RECHECK_MARK | EQUALITIES_MARK))
}

/// Whether the call is an equalities call of a rewrite ([`EQUALITIES_MARK`]).
///
/// # Safety
/// `args` must be the argument list of a `fraiseql_where` call.
pub(super) unsafe fn is_equalities(args: *mut pg_sys::List) -> bool {
    // SAFETY: the caller's contract.
    (unsafe { mark_of(args) }) == Some(EQUALITIES_MARK)
}
