//! The PostgreSQL edge: raw datums, per-call-site caches, server functions the core asks
//! for through `Host`, and error reports. All `unsafe` of the extension lives here.
//!
//! The where functions are V1 C functions declared in `sql/where.sql` rather than
//! `#[pg_extern]`s because they need two things pgrx's argument conversion does not
//! give: the jsonb argument as its raw bytes (pgrx's `JsonB` goes through `jsonb_out`
//! and `serde_json`, a full text round trip per row) and the call site's `fn_extra`
//! slot to keep the parsed spec between rows.

use fraiseql_core::jsonb::{self, Corrupt, Value};
use fraiseql_core::where_spec::{Host, Options, Spec, SpecError};
use pgrx::pg_sys;
use pgrx::pg_sys::panic::ErrorReport;
use pgrx::prelude::*;
use pgrx::{IntoDatum, PgMemoryContexts};
use std::ffi::c_char;

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
unsafe fn arg(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> pg_sys::Datum {
    pgrx::fcinfo::pg_getarg_datum_raw(fcinfo, n)
}

unsafe fn arg_bool(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> bool {
    arg(fcinfo, n).value() != 0
}

unsafe fn arg_str<'a>(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> &'a str {
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

fn text_datum(s: &str) -> pg_sys::Datum {
    // SAFETY: cstring_to_text_with_len copies `len` bytes into a new palloc'd text.
    unsafe { pg_sys::Datum::from(pg_sys::cstring_to_text_with_len(s.as_ptr() as *const c_char, s.len() as i32)) }
}

/// A built-in function looked up by its internal name once per backend and kept in
/// `TopMemoryContext`, called with the default collation.
struct Builtin {
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

    fn call1(&self, a: pg_sys::Datum) -> pg_sys::Datum {
        // SAFETY: the FmgrInfo is valid for the backend's life; callers pass the argument
        // types the built-in expects.
        unsafe { pg_sys::FunctionCall1Coll(self.finfo(), pg_sys::DEFAULT_COLLATION_OID, a) }
    }

    fn call2(&self, a: pg_sys::Datum, b: pg_sys::Datum) -> pg_sys::Datum {
        // SAFETY: as for call1.
        unsafe { pg_sys::FunctionCall2Coll(self.finfo(), pg_sys::DEFAULT_COLLATION_OID, a, b) }
    }
}

thread_local! {
    static LOWER: Builtin = const { Builtin::new(c"lower") };
    static REGEX: Builtin = const { Builtin::new(c"textregexeq") };
    static IREGEX: Builtin = const { Builtin::new(c"texticregexeq") };
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
        let pattern = pattern.to_string();
        PgTryBuilder::new(move || {
            self.regex_match("", &pattern, case_insensitive);
            Ok(())
        })
        .catch_others(|e| match e {
            pg_sys::panic::CaughtError::PostgresError(r) | pg_sys::panic::CaughtError::ErrorReport(r) => {
                Err(r.message().to_string())
            }
            other => other.rethrow(),
        })
        .execute()
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

fn require_utf8() {
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

fn parse_spec(bytes: &[u8], options: Options, function: &str) -> Spec {
    require_utf8();
    let root = jsonb::root(bytes).unwrap_or_else(|e| report_corrupt(e));
    Spec::parse(root, options, &PgHost).unwrap_or_else(|e| report_spec_error(&e, function))
}

/// The parsed spec of one call site, reused while the spec argument's bytes are equal.
/// Comparing bytes (not trusting that the argument is a constant) keeps this correct for
/// specs that change from row to row, e.g. taken from a joined table.
struct CachedSpec {
    bytes: Vec<u8>,
    options: Options,
    spec: Spec,
}

/// # Safety
/// `fcinfo` must be the current call's; the returned reference lives in `fn_mcxt`.
unsafe fn cached_spec<'a>(
    fcinfo: pg_sys::FunctionCallInfo,
    bytes: &[u8],
    options: Options,
    function: &str,
) -> &'a Spec {
    let flinfo = (*fcinfo).flinfo;
    let mut slot = (*flinfo).fn_extra as *mut Option<CachedSpec>;
    if slot.is_null() {
        slot = PgMemoryContexts::For((*flinfo).fn_mcxt).leak_and_drop_on_delete(None::<CachedSpec>);
        (*flinfo).fn_extra = slot.cast();
    }
    let cache = &mut *slot;
    let hit = matches!(cache, Some(c) if c.options == options && c.bytes == bytes);
    if !hit {
        let spec = parse_spec(bytes, options, function);
        *cache = Some(CachedSpec { bytes: bytes.to_vec(), options, spec });
    }
    &cache.as_ref().expect("filled above").spec
}

/// `fraiseql_where(data jsonb, spec jsonb, convert_keys boolean) RETURNS boolean`
#[no_mangle]
pub extern "C" fn pg_finfo_fraiseql_where_v1() -> &'static pg_sys::Pg_finfo_record {
    const V1: pg_sys::Pg_finfo_record = pg_sys::Pg_finfo_record { api_version: 1 };
    &V1
}

/// # Safety
/// Called by the executor with a valid `fcinfo` for the declared signature (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_where_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let options = Options { convert_keys: arg_bool(fcinfo, 2) };
    let spec = cached_spec(fcinfo, varlena_bytes(arg(fcinfo, 1)), options, "fraiseql_where");
    let row: Value<'_> = jsonb::root(varlena_bytes(arg(fcinfo, 0))).unwrap_or_else(|e| report_corrupt(e));
    let hit = spec.matches(row, &PgHost).unwrap_or_else(|e| report_corrupt(e));
    pg_sys::Datum::from(hit)
}

/// `fraiseql_where_sql(spec jsonb, column_name text, convert_keys boolean) RETURNS text`
#[no_mangle]
pub extern "C" fn pg_finfo_fraiseql_where_sql_v1() -> &'static pg_sys::Pg_finfo_record {
    const V1: pg_sys::Pg_finfo_record = pg_sys::Pg_finfo_record { api_version: 1 };
    &V1
}

/// # Safety
/// Called by the executor with a valid `fcinfo` for the declared signature (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_where_sql_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let options = Options { convert_keys: arg_bool(fcinfo, 2) };
    let column = arg_str(fcinfo, 1);
    let spec = parse_spec(varlena_bytes(arg(fcinfo, 0)), options, "fraiseql_where_sql");
    spec.to_sql(column).into_datum().expect("text")
}
