//! The PostgreSQL edge: raw datums, per-call-site caches, server functions the core asks
//! for through `Host`, and error reports. All `unsafe` of the extension lives here.
//!
//! The where functions are V1 C functions declared in `sql/where.sql` rather than
//! `#[pg_extern]`s because they need two things pgrx's argument conversion does not
//! give: the jsonb argument as its raw bytes (pgrx's `JsonB` goes through `jsonb_out`
//! and `serde_json`, a full text round trip per row) and the call site's `fn_extra`
//! slot to keep the parsed spec between rows.

use fraiseql_core::jsonb::{self, Corrupt, Value};
use fraiseql_core::where_spec::{FtsKind, Host, Options, Spec, SpecError, TypeHints, TypeName, Typed};
use pgrx::guc::{GucContext, GucFlags, GucRegistry, GucSetting};
use pgrx::pg_sys;
use pgrx::pg_sys::panic::ErrorReport;
use pgrx::prelude::*;
use pgrx::{IntoDatum, PgMemoryContexts};
use std::ffi::c_char;
use std::sync::atomic::{AtomicU32, Ordering};

/// `fraiseql.max_spec_bytes`: the largest where-spec, type-hint document, order-by spec
/// or selection text a function accepts (bytes, default 8 MB). Parsing is linear, but the
/// parsed form costs a few times the input in backend memory, and a spec is parsed in
/// every backend that runs it; 8 MB holds an `in` list of 200,000 UUIDs.
pub static MAX_SPEC_BYTES: GucSetting<i32> = GucSetting::<i32>::new(8 * 1024 * 1024);

/// Registers the settings of the where-spec and shaping functions.
pub(crate) fn define_gucs() {
    GucRegistry::define_int_guc(
        c"fraiseql.max_spec_bytes",
        c"Largest where-spec, type hints, order-by spec or selection text accepted, in bytes.",
        c"Larger inputs are rejected with SQLSTATE 54000 before they are parsed.",
        &MAX_SPEC_BYTES,
        1024,
        256 * 1024 * 1024,
        GucContext::Suset,
        GucFlags::UNIT_BYTE,
    );
}

/// Raises 54000 when an input is larger than `fraiseql.max_spec_bytes`.
pub(crate) fn check_spec_size(what: &str, len: usize, function: &str) {
    let max = MAX_SPEC_BYTES.get().max(0) as usize;
    if len > max {
        raise(
            PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            format!("{what} of {len} bytes exceeds fraiseql.max_spec_bytes ({max} bytes)"),
            Some("A superuser can raise fraiseql.max_spec_bytes; specs this large are usually built by mistake."),
            function,
        );
    }
}

/// Raises an ERROR naming the SQL function it comes from.
pub(crate) fn raise(code: PgSqlErrorCode, message: String, hint: Option<&str>, function: &str) -> ! {
    let mut r = ErrorReport::new(code, message, "fraiseql").set_detail(format!("in {function}()"));
    if let Some(h) = hint {
        r = r.set_hint(h);
    }
    r.report(PgLogLevel::ERROR);
    unreachable!("ERROR does not return")
}

/// Runs the body of the SQL function `function`. PostgreSQL errors, whether the server
/// raised them or this crate reported them, pass through unchanged; any other panic
/// would be a bug, and is reported as XX000 with a fixed message that names the function
/// but never carries the panic's Rust text (an index, an `unwrap` site, a type name).
pub(crate) fn guarded<R>(function: &str, f: impl FnOnce() -> R) -> R {
    use pg_sys::panic::{CaughtError, ErrorReport, ErrorReportWithLevel};
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload)
            if payload.is::<CaughtError>() || payload.is::<ErrorReportWithLevel>() || payload.is::<ErrorReport>() =>
        {
            std::panic::resume_unwind(payload)
        }
        Err(_) => raise(
            PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
            format!("internal error in {function}()"),
            Some("This is a bug in fraiseql: please report the statement that raised it."),
            function,
        ),
    }
}

/// Counts calls of the stack hook: see [`install_guards`].
static STACK_CALLS: AtomicU32 = AtomicU32::new(0);

/// Installs PostgreSQL's checks as the core's guard hooks (`fraiseql_core::guard`).
///
/// The stack hook calls `check_stack_depth()` on every 4th call rather than every call:
/// it is reached once per spec node per row, and each call crosses pgrx's FFI guard (a
/// `sigsetjmp`). Recursion in the core moves at most a few hundred bytes of stack per
/// call, so checking every 4th call detects the limit within about 2 KB of it, well
/// inside the 512 KB PostgreSQL keeps between `max_stack_depth` and the OS limit.
///
/// It also turns off Rust backtrace capture for this process (`RUST_LIB_BACKTRACE=0`,
/// which `std::backtrace::Backtrace::capture` reads before `RUST_BACKTRACE`): pgrx attaches
/// a captured backtrace to the DETAIL of an ERROR raised inside a server call, and error
/// messages must never show Rust internals, whatever the server's environment says.
pub(crate) fn install_guards() {
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    fraiseql_core::guard::install(fraiseql_core::guard::Hooks {
        check_stack: || {
            if STACK_CALLS.fetch_add(1, Ordering::Relaxed) & 3 == 0 {
                // SAFETY: raises ERROR 54001 (as a Rust panic through pgrx's guard) when
                // the stack is too deep; otherwise has no effect.
                unsafe { pg_sys::check_stack_depth() }
            }
        },
        check_interrupts: || {
            pgrx::check_for_interrupts!();
        },
    });
}

/// The payload bytes of a (possibly toasted) varlena datum. Detoasts into the current
/// memory context when needed; short-header datums are read where they are.
///
/// # Safety
/// `d` must be a non-null varlena datum that lives for `'a`.
pub unsafe fn varlena_bytes<'a>(d: pg_sys::Datum) -> &'a [u8] {
    let v = pg_sys::pg_detoast_datum_packed(d.cast_mut_ptr());
    let len = pgrx::varlena::varsize_any_exhdr(v);
    let p = pgrx::varlena::vardata_any(v);
    std::slice::from_raw_parts(p as *const u8, len)
}

/// Argument `n` of a STRICT function (never null).
///
/// # Safety
/// `fcinfo` must be a valid call with at least `n + 1` arguments.
pub(crate) unsafe fn arg(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> pg_sys::Datum {
    pgrx::fcinfo::pg_getarg_datum_raw(fcinfo, n)
}

pub(crate) unsafe fn arg_bool(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> bool {
    arg(fcinfo, n).value() != 0
}

pub(crate) unsafe fn arg_str<'a>(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> &'a str {
    std::str::from_utf8(varlena_bytes(arg(fcinfo, n))).unwrap_or_else(|_| {
        ErrorReport::new(
            PgSqlErrorCode::ERRCODE_CHARACTER_NOT_IN_REPERTOIRE,
            "text argument is not valid UTF-8",
            "fraiseql",
        )
        .report(PgLogLevel::ERROR);
        unreachable!()
    })
}

pub(crate) fn text_datum(s: &str) -> pg_sys::Datum {
    // SAFETY: cstring_to_text_with_len copies `len` bytes into a new palloc'd text.
    unsafe { pg_sys::Datum::from(pg_sys::cstring_to_text_with_len(s.as_ptr() as *const c_char, s.len() as i32)) }
}

/// A built-in function looked up by its internal name once per backend and kept in
/// `TopMemoryContext`, called with the default collation.
pub(crate) struct Builtin {
    name: &'static std::ffi::CStr,
    finfo: std::cell::OnceCell<*mut pg_sys::FmgrInfo>,
}

impl Builtin {
    const fn new(name: &'static std::ffi::CStr) -> Self {
        Builtin { name, finfo: std::cell::OnceCell::new() }
    }

    fn finfo(&self) -> *mut pg_sys::FmgrInfo {
        *self.finfo.get_or_init(|| {
            // SAFETY: looks up a built-in by name and fills an FmgrInfo allocated in (and
            // with its state kept in) TopMemoryContext, which lives as long as the backend.
            unsafe {
                let oid = pg_sys::fmgr_internal_function(self.name.as_ptr());
                assert!(oid != pg_sys::InvalidOid, "built-in function {:?} not found", self.name);
                let finfo =
                    pg_sys::MemoryContextAllocZero(pg_sys::TopMemoryContext, std::mem::size_of::<pg_sys::FmgrInfo>())
                        as *mut pg_sys::FmgrInfo;
                pg_sys::fmgr_info_cxt(oid, finfo, pg_sys::TopMemoryContext);
                finfo
            }
        })
    }

    pub(crate) fn call1(&self, a: pg_sys::Datum) -> pg_sys::Datum {
        // SAFETY: the FmgrInfo is valid for the backend's life; callers pass the argument
        // types the built-in expects.
        unsafe { pg_sys::FunctionCall1Coll(self.finfo(), pg_sys::DEFAULT_COLLATION_OID, a) }
    }

    fn call2(&self, a: pg_sys::Datum, b: pg_sys::Datum) -> pg_sys::Datum {
        // SAFETY: as for call1.
        unsafe { pg_sys::FunctionCall2Coll(self.finfo(), pg_sys::DEFAULT_COLLATION_OID, a, b) }
    }

    fn call3(&self, a: pg_sys::Datum, b: pg_sys::Datum, c: pg_sys::Datum) -> pg_sys::Datum {
        // SAFETY: as for call1.
        unsafe { pg_sys::FunctionCall3Coll(self.finfo(), pg_sys::InvalidOid, a, b, c) }
    }
}

thread_local! {
    static LOWER: Builtin = const { Builtin::new(c"lower") };
    static REGEX: Builtin = const { Builtin::new(c"textregexeq") };
    static IREGEX: Builtin = const { Builtin::new(c"texticregexeq") };
    static REGCONFIG_IN: Builtin = const { Builtin::new(c"regconfigin") };
    static TO_TSVECTOR: Builtin = const { Builtin::new(c"to_tsvector_byid") };
    static PLAIN_TSQUERY: Builtin = const { Builtin::new(c"plainto_tsquery_byid") };
    static PHRASE_TSQUERY: Builtin = const { Builtin::new(c"phraseto_tsquery_byid") };
    static WEBSEARCH_TSQUERY: Builtin = const { Builtin::new(c"websearch_to_tsquery_byid") };
    static TS_MATCH_VQ: Builtin = const { Builtin::new(c"ts_match_vq") };
    static RANGE_IN: Builtin = const { Builtin::new(c"range_in") };
    static JSONB_IN: Builtin = const { Builtin::new(c"jsonb_in") };
    /// The tsquery of the last full-text operator evaluated: (config, kind, query) →
    /// (config oid, tsquery copied into TopMemoryContext).
    static FTS_CACHE: std::cell::RefCell<Option<CachedTsquery>> = const { std::cell::RefCell::new(None) };
}

/// (config name, kind, query text, config oid, tsquery datum in TopMemoryContext).
type CachedTsquery = (String, FtsKind, String, pg_sys::Datum, pg_sys::Datum);

/// JSON text → jsonb datum through the server's own input function.
pub(crate) fn jsonb_datum(text: &str) -> pg_sys::Datum {
    let c = std::ffi::CString::new(text).expect("JSON text has no NUL");
    JSONB_IN.with(|f| f.call1(pg_sys::Datum::from(c.as_ptr())))
}

/// Whether an error is one a validating call reports about its input: a data exception
/// (class 22, e.g. 2201B invalid regular expression) or a syntax error or unknown name
/// (class 42). Everything else, above all 57014 query canceled, 57P01 terminating,
/// 53200 out of memory and 54001 stack depth, must propagate as it is.
fn is_input_error(code: PgSqlErrorCode) -> bool {
    const CATEGORY: i32 = (1 << 12) - 1; // ERRCODE_TO_CATEGORY: the first two characters
    let class = code as i32 & CATEGORY;
    class == PgSqlErrorCode::ERRCODE_DATA_EXCEPTION as i32 & CATEGORY
        || class == PgSqlErrorCode::ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION as i32 & CATEGORY
}

/// Runs `f`, turning an input error it raises (see [`is_input_error`]) into
/// `Err(message)`; any other error, a cancel included, is re-raised unchanged. Only for
/// calls that allocate memory and nothing else (input functions, regex compilation).
fn catch_error<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> Result<T, String> {
    PgTryBuilder::new(move || Ok(f()))
        .catch_others(|e| match e {
            pg_sys::panic::CaughtError::PostgresError(ref r) | pg_sys::panic::CaughtError::ErrorReport(ref r)
                if is_input_error(r.sql_error_code()) =>
            {
                Err(r.message().to_string())
            }
            other => other.rethrow(),
        })
        .execute()
}

fn regconfig(config: &str) -> Result<pg_sys::Datum, String> {
    let c = std::ffi::CString::new(config).map_err(|_| "configuration name holds a NUL byte".to_string())?;
    catch_error(|| REGCONFIG_IN.with(|f| f.call1(pg_sys::Datum::from(c.as_ptr()))))
}

fn tsquery(oid: pg_sys::Datum, kind: FtsKind, query: &str) -> pg_sys::Datum {
    let f = match kind {
        FtsKind::Plain => &PLAIN_TSQUERY,
        FtsKind::Phrase => &PHRASE_TSQUERY,
        FtsKind::Websearch => &WEBSEARCH_TSQUERY,
    };
    f.with(|f| f.call2(oid, text_datum(query)))
}

/// The (config oid, tsquery) of a full-text operand, built by the server once per
/// backend and operand (the last one is kept, copied into TopMemoryContext). Errors in
/// the configuration name or the query are returned as text; others propagate.
fn cached_tsquery(config: &str, kind: FtsKind, query: &str) -> Result<(pg_sys::Datum, pg_sys::Datum), String> {
    FTS_CACHE.with(|cache| {
        if let Some((c, k, qt, oid, q)) = cache.borrow().as_ref() {
            if c == config && *k == kind && qt == query {
                return Ok((*oid, *q));
            }
        }
        let oid = regconfig(config)?;
        let built = catch_error(|| tsquery(oid, kind, query))?;
        // SAFETY: the tsquery varlena is copied into TopMemoryContext so it outlives
        // this query; the previous copy is freed.
        let q = unsafe {
            let src = pg_sys::pg_detoast_datum(built.cast_mut_ptr());
            let size = pgrx::varlena::varsize_any(src);
            let dst = pg_sys::MemoryContextAlloc(pg_sys::TopMemoryContext, size);
            std::ptr::copy_nonoverlapping(src as *const u8, dst as *mut u8, size);
            pg_sys::Datum::from(dst)
        };
        let mut cache = cache.borrow_mut();
        if let Some((.., old)) = cache.take() {
            // SAFETY: `old` was allocated above in TopMemoryContext and is no longer used.
            unsafe { pg_sys::pfree(old.cast_mut_ptr()) };
        }
        *cache = Some((config.to_string(), kind, query.to_string(), oid, q));
        Ok((oid, q))
    })
}

/// The server's own `lower()`, regex compiler and matcher under the default collation.
pub struct PgHost;

impl Host for PgHost {
    fn lower(&self, s: &str) -> String {
        let out = LOWER.with(|f| f.call1(text_datum(s)));
        // SAFETY: lower() returns a text datum palloc'd in the current context.
        String::from_utf8_lossy(unsafe { varlena_bytes(out) }).into_owned()
    }

    fn regex_check(&self, pattern: &str, case_insensitive: bool) -> Result<(), String> {
        catch_error(|| {
            self.regex_match("", pattern, case_insensitive);
        })
    }

    /// Builds the tsquery once, here, and keeps it for `fts_match`: parsing a query is
    /// the expensive part, and the server's parser does not check for interrupts.
    fn fts_check(&self, config: &str, kind: FtsKind, query: &str) -> Result<(), String> {
        cached_tsquery(config, kind, query).map(|_| ())
    }

    fn fts_match(&self, config: &str, kind: FtsKind, query: &str, text: &str) -> bool {
        let (oid, q) = cached_tsquery(config, kind, query)
            .unwrap_or_else(|m| raise(PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE, m, None, "fraiseql_where"));
        let vector = TO_TSVECTOR.with(|f| f.call2(oid, text_datum(text)));
        TS_MATCH_VQ.with(|f| f.call2(vector, q)).value() != 0
    }

    fn regex_match(&self, text: &str, pattern: &str, case_insensitive: bool) -> bool {
        let f = if case_insensitive { &IREGEX } else { &REGEX };
        f.with(|f| f.call2(text_datum(text), text_datum(pattern))).value() != 0
    }
}

/// Raises a spec error as SQLSTATE 22023 with the JSON path in the message.
pub fn report_spec_error(e: &SpecError, function: &str) -> ! {
    let mut r = ErrorReport::new(PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE, e.to_string(), "fraiseql");
    if let Some(h) = &e.hint {
        r = r.set_hint(h.clone());
    }
    r.set_detail(format!("in {function}(), JSON path {}", e.path)).report(PgLogLevel::ERROR);
    unreachable!("ERROR does not return")
}

pub fn report_corrupt(e: Corrupt) -> ! {
    ErrorReport::new(PgSqlErrorCode::ERRCODE_DATA_CORRUPTED, e.to_string(), "fraiseql").report(PgLogLevel::ERROR);
    unreachable!("ERROR does not return")
}

pub(crate) fn require_utf8() {
    // SAFETY: reads a backend global.
    if unsafe { pg_sys::GetDatabaseEncoding() } != pg_sys::pg_enc::PG_UTF8 as i32 {
        ErrorReport::new(
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            "fraiseql requires a database with UTF8 encoding",
            "fraiseql",
        )
        .report(PgLogLevel::ERROR);
    }
}

fn parse_spec(bytes: &[u8], types: &[u8], options: Options, function: &str) -> Spec {
    require_utf8();
    check_spec_size("the where-spec", bytes.len(), function);
    check_spec_size("the type hints", types.len(), function);
    let types = jsonb::root(types).unwrap_or_else(|e| report_corrupt(e));
    let hints: TypeHints = Spec::parse_types(types, options).unwrap_or_else(|e| report_spec_error(&e, function));
    let root = jsonb::root(bytes).unwrap_or_else(|e| report_corrupt(e));
    Spec::parse_typed(root, &hints, options, &PgHost).unwrap_or_else(|e| report_spec_error(&e, function))
}

/// The parsed spec of one call site, reused while the spec argument's bytes are equal.
/// Comparing bytes (not trusting that the argument is a constant) keeps this correct for
/// specs that change from row to row, e.g. taken from a joined table.
struct CachedSpec {
    bytes: Vec<u8>,
    types: Vec<u8>,
    options: Options,
    spec: Spec,
}

/// # Safety
/// `fcinfo` must be the current call's; the returned reference lives in `fn_mcxt`.
unsafe fn cached_spec<'a>(
    fcinfo: pg_sys::FunctionCallInfo,
    bytes: &[u8],
    types: &[u8],
    options: Options,
    parse: fn(&[u8], &[u8], Options, &str) -> Spec,
    function: &str,
) -> &'a Spec {
    let flinfo = (*fcinfo).flinfo;
    let mut slot = (*flinfo).fn_extra as *mut Option<CachedSpec>;
    if slot.is_null() {
        slot = PgMemoryContexts::For((*flinfo).fn_mcxt).leak_and_drop_on_delete(None::<CachedSpec>);
        (*flinfo).fn_extra = slot.cast();
    }
    let cache = &mut *slot;
    let hit = matches!(cache, Some(c) if c.options == options && c.bytes == bytes && c.types == types);
    if !hit {
        let spec = parse(bytes, types, options, function);
        *cache = Some(CachedSpec { bytes: bytes.to_vec(), types: types.to_vec(), options, spec });
    }
    &cache.as_ref().expect("filled above").spec
}

// `fraiseql_where(data jsonb, spec jsonb, types jsonb, convert_keys boolean) RETURNS boolean`
v1_info!(pg_finfo_fraiseql_where_v1);

/// # Safety
/// Called by the executor with a valid `fcinfo` for the declared signature (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_where_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    crate::pg::guarded("fraiseql_where", || {
        let options = Options { convert_keys: arg_bool(fcinfo, 3) };
        let (spec, types) = (varlena_bytes(arg(fcinfo, 1)), varlena_bytes(arg(fcinfo, 2)));
        let spec = cached_spec(fcinfo, spec, types, options, parse_spec, "fraiseql_where");
        let row: Value<'_> = jsonb::root(varlena_bytes(arg(fcinfo, 0))).unwrap_or_else(|e| report_corrupt(e));
        let hit = spec.matches(row, &PgHost).unwrap_or_else(|e| report_corrupt(e));
        pg_sys::Datum::from(hit)
    })
}

// `fraiseql_where_sql(spec jsonb, column_name text, types jsonb, convert_keys boolean) RETURNS text`
v1_info!(pg_finfo_fraiseql_where_sql_v1);

/// # Safety
/// Called by the executor with a valid `fcinfo` for the declared signature (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_where_sql_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    crate::pg::guarded("fraiseql_where_sql", || {
        let options = Options { convert_keys: arg_bool(fcinfo, 3) };
        let column = arg_str(fcinfo, 1);
        let spec =
            parse_spec(varlena_bytes(arg(fcinfo, 0)), varlena_bytes(arg(fcinfo, 2)), options, "fraiseql_where_sql");
        // Helper functions are qualified with this function's own schema: the extension's.
        let schema = {
            let nsp = pg_sys::get_func_namespace((*(*fcinfo).flinfo).fn_oid);
            std::ffi::CStr::from_ptr(pg_sys::get_namespace_name(nsp)).to_string_lossy().into_owned()
        };
        spec.to_sql_in(column, Some(&schema)).into_datum().expect("text")
    })
}

fn parse_operators(bytes: &[u8], _types: &[u8], options: Options, function: &str) -> Spec {
    require_utf8();
    check_spec_size("the operators", bytes.len(), function);
    let root = jsonb::root(bytes).unwrap_or_else(|e| report_corrupt(e));
    Spec::parse_operators(root, options, &PgHost).unwrap_or_else(|e| report_spec_error(&e, function))
}

// `fraiseql_test(value jsonb, operators jsonb) RETURNS boolean`: the operators applied to
// the value itself, three-valued (NULL when unknown). Compiled SQL uses it for the ltree
// operators, which need no ltree extension this way.
v1_info!(pg_finfo_fraiseql_test_v1);

/// # Safety
/// Called by the executor with a valid `fcinfo` for the declared signature (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_test_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    crate::pg::guarded("fraiseql_test", || {
        let options = Options::default();
        let spec = cached_spec(fcinfo, varlena_bytes(arg(fcinfo, 1)), &[], options, parse_operators, "fraiseql_test");
        let value: Value<'_> = jsonb::root(varlena_bytes(arg(fcinfo, 0))).unwrap_or_else(|e| report_corrupt(e));
        match spec.truth(value, &PgHost).unwrap_or_else(|e| report_corrupt(e)) {
            Some(b) => pg_sys::Datum::from(b),
            None => pgrx::fcinfo::pg_return_null(fcinfo),
        }
    })
}

/// Declares `fraiseql_as_<type>(value jsonb)`: the value read as that type by the same
/// parser the per-row evaluator uses (fraiseql_core::where_spec::typed), NULL when it is
/// not a valid value of the type.
macro_rules! typed_reader {
    ($finfo:ident, $func:ident, $ty:expr) => {
        v1_info!($finfo);

        /// # Safety
        /// Called by the executor with a valid `fcinfo` for the declared signature (STRICT).
        #[no_mangle]
        #[pg_guard]
        pub unsafe extern "C-unwind" fn $func(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
            guarded(stringify!($func), || {
                let value: Value<'_> = jsonb::root(varlena_bytes(arg(fcinfo, 0))).unwrap_or_else(|e| report_corrupt(e));
                match Typed::from_json($ty, &value) {
                    Some(t) => typed_datum(t),
                    None => pgrx::fcinfo::pg_return_null(fcinfo),
                }
            })
        }
    };
}

/// A palloc'd copy of `bytes` as a datum.
unsafe fn palloc_copy(bytes: &[u8]) -> pg_sys::Datum {
    let p = pg_sys::palloc(bytes.len()) as *mut u8;
    std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
    pg_sys::Datum::from(p)
}

/// The PostgreSQL representation of a typed value.
unsafe fn typed_datum(t: Typed) -> pg_sys::Datum {
    match t {
        // A numeric varlena with a 4-byte header, as the jsonb writer encodes it.
        Typed::Numeric(bytes) => palloc_copy(&bytes),
        Typed::Time(us) => pg_sys::Datum::from(us),
        Typed::Date(d) => pg_sys::Datum::from(d),
        Typed::Uuid(u) => palloc_copy(&u),
        Typed::Mac(m) => palloc_copy(&m),
        Typed::Inet(i) => {
            // struct inet { int32 vl_len_; unsigned char family, bits, ipaddr[16]; }
            let family: u8 = if i.family == 4 { 2 } else { 3 }; // PGSQL_AF_INET, PGSQL_AF_INET6
            let addr = i.bytes();
            let size = 4 + 2 + addr.len();
            let mut buf = Vec::with_capacity(size);
            buf.extend_from_slice(&((size as u32) << 2).to_ne_bytes());
            buf.push(family);
            buf.push(i.bits);
            buf.extend_from_slice(addr);
            palloc_copy(&buf)
        }
        Typed::Range(r) => {
            let text = std::ffi::CString::new(r.text()).expect("no NUL");
            RANGE_IN.with(|f| {
                f.call3(
                    pg_sys::Datum::from(text.as_ptr()),
                    pg_sys::Datum::from(pg_sys::DATERANGEOID),
                    pg_sys::Datum::from(-1i32),
                )
            })
        }
        Typed::Ltree(labels) => text_datum(&labels.join(".")),
    }
}

typed_reader!(pg_finfo_fraiseql_as_numeric, fraiseql_as_numeric, TypeName::Numeric);
typed_reader!(pg_finfo_fraiseql_as_timestamptz, fraiseql_as_timestamptz, TypeName::Timestamptz);
typed_reader!(pg_finfo_fraiseql_as_timestamp, fraiseql_as_timestamp, TypeName::Timestamp);
typed_reader!(pg_finfo_fraiseql_as_date, fraiseql_as_date, TypeName::Date);
typed_reader!(pg_finfo_fraiseql_as_uuid, fraiseql_as_uuid, TypeName::Uuid);
typed_reader!(pg_finfo_fraiseql_as_inet, fraiseql_as_inet, TypeName::Inet);
typed_reader!(pg_finfo_fraiseql_as_cidr, fraiseql_as_cidr, TypeName::Cidr);
typed_reader!(pg_finfo_fraiseql_as_macaddr, fraiseql_as_macaddr, TypeName::Macaddr);
typed_reader!(pg_finfo_fraiseql_as_daterange, fraiseql_as_daterange, TypeName::Daterange);
typed_reader!(pg_finfo_fraiseql_as_ltree, fraiseql_as_ltree, TypeName::Ltree);

// `fraiseql_order_sql(order_by jsonb, column_name text, types jsonb, convert_keys boolean) RETURNS text`
v1_info!(pg_finfo_fraiseql_order_sql_v1);

/// # Safety
/// Called by the executor with a valid `fcinfo` for the declared signature (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_order_sql_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    crate::pg::guarded("fraiseql_order_sql", || {
        let options = Options { convert_keys: arg_bool(fcinfo, 3) };
        let column = arg_str(fcinfo, 1);
        require_utf8();
        check_spec_size("the order_by spec", varlena_bytes(arg(fcinfo, 0)).len(), "fraiseql_order_sql");
        check_spec_size("the type hints", varlena_bytes(arg(fcinfo, 2)).len(), "fraiseql_order_sql");
        let types = jsonb::root(varlena_bytes(arg(fcinfo, 2))).unwrap_or_else(|e| report_corrupt(e));
        let hints = Spec::parse_types(types, options).unwrap_or_else(|e| report_spec_error(&e, "fraiseql_order_sql"));
        let spec = jsonb::root(varlena_bytes(arg(fcinfo, 0))).unwrap_or_else(|e| report_corrupt(e));
        let schema = {
            let nsp = pg_sys::get_func_namespace((*(*fcinfo).flinfo).fn_oid);
            std::ffi::CStr::from_ptr(pg_sys::get_namespace_name(nsp)).to_string_lossy().into_owned()
        };
        let sql = fraiseql_core::order::order_by_sql(spec, column, &hints, options.convert_keys, Some(&schema))
            .unwrap_or_else(|e| report_spec_error(&e, "fraiseql_order_sql"));
        sql.into_datum().expect("text")
    })
}
