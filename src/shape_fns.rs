//! SQL functions of response shaping (docs/shape.md): `fraiseql_shape`, the
//! `fraiseql_shape_agg` aggregate, `fraiseql_response` and the CHECK of
//! `fraiseql_types`. V1 functions (see `pg.rs` for why): raw jsonb bytes in, the
//! compiled selection kept per call site, the output written once into a buffer that
//! becomes the result datum.

use crate::pg::{
    arg, arg_str, call_site_cache, check_spec_size, own_schema, raise, report_corrupt, require_utf8, text_datum,
    varlena_bytes,
};
use fraiseql_core::jsonb;
use fraiseql_core::shape::{self, ErrorKind, Plan, Schema, ShapeError};
use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::PgMemoryContexts;

fn report_shape_error(e: &ShapeError) -> ! {
    let code = match e.kind {
        ErrorKind::Syntax => PgSqlErrorCode::ERRCODE_SYNTAX_ERROR,
        ErrorKind::Invalid => PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        ErrorKind::UnknownType => PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
    };
    raise(code, e.message.clone(), e.hint.as_deref())
}

/// Reads the registered types (`fraiseql_types`) once per compiled selection, as the
/// calling role.
fn load_schema(ext_schema: &str) -> Schema {
    let table = format!("{}.fraiseql_types", fraiseql_core::sql::quote_ident(ext_schema));
    let rows: Vec<(String, String)> = Spi::connect(|c| {
        let t = c.select(&format!("SELECT type_name, fields::pg_catalog.text FROM {table}"), None, &[])?;
        t.map(|row| Ok((row.get::<String>(1)?.unwrap_or_default(), row.get::<String>(2)?.unwrap_or_default())))
            .collect::<Result<Vec<_>, pgrx::spi::Error>>()
    })
    .unwrap_or_else(|e| raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("reading {table}: {e}"), None));
    let mut schema = Schema::default();
    for (name, fields) in rows {
        let bytes = jsonb::encode(&fields).unwrap_or_else(|_| report_corrupt(jsonb::Corrupt("fraiseql_types.fields")));
        schema
            .add_type(&name, jsonb::root(&bytes).unwrap_or_else(|e| report_corrupt(e)))
            .unwrap_or_else(|e| report_shape_error(&e));
    }
    schema
}

/// The compiled selection of one call site, recompiled when the selection or the type
/// name changes (which also picks up types registered since).
struct CachedPlan {
    selection: String,
    type_name: Option<String>,
    plan: Plan,
}

/// # Safety
/// `fcinfo` must be the current call's, of a function whose cache holds `CachedPlan`.
unsafe fn cached_plan<'a>(fcinfo: pg_sys::FunctionCallInfo, selection: &str, type_name: Option<&str>) -> &'a Plan {
    check_spec_size("the selection", selection.len());
    // SAFETY: the caller's contract.
    let cache = unsafe { call_site_cache::<CachedPlan>(fcinfo) };
    let hit = matches!(cache, Some(c) if c.selection == selection && c.type_name.as_deref() == type_name);
    if !hit {
        require_utf8();
        // SAFETY: the caller's contract.
        let schema = load_schema(&unsafe { own_schema(fcinfo) });
        let plan = shape::compile(selection, type_name, &schema).unwrap_or_else(|e| report_shape_error(&e));
        *cache = Some(CachedPlan { selection: selection.to_string(), type_name: type_name.map(str::to_string), plan });
    }
    &cache.as_ref().expect("filled above").plan
}

/// Text argument `n`, or `None` when it is NULL or not passed.
///
/// # Safety
/// `fcinfo` must be the current call's.
unsafe fn opt_str<'a>(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> Option<&'a str> {
    // SAFETY: the caller's contract; the argument exists when `n < nargs`.
    unsafe {
        if (n as i16) >= (*fcinfo).nargs || pgrx::fcinfo::pg_arg_is_null(fcinfo, n) {
            return None;
        }
        Some(arg_str(fcinfo, n))
    }
}

/// Text argument `n` of a function that is not STRICT but needs it (22004 when NULL).
///
/// # Safety
/// `fcinfo` must be the current call's.
unsafe fn required_str<'a>(fcinfo: pg_sys::FunctionCallInfo, n: usize, what: &str) -> &'a str {
    // SAFETY: the caller's contract.
    unsafe { opt_str(fcinfo, n) }.unwrap_or_else(|| {
        raise(PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED, format!("{what} must not be null"), None)
    })
}

/// A `text` (or `json`) datum written in place: a StringInfo whose first four bytes are
/// kept for the varlena header. Shaped output grows with the input rows, so it is
/// allocated in the current PostgreSQL memory context, where running out of memory or
/// past 1 GB is an ERROR (53200 / 54000), never an abort, and needs no final copy.
pub(crate) struct PgText(pg_sys::StringInfo);

impl PgText {
    /// A new buffer in the current memory context, starting with `prefix`.
    pub(crate) fn new(prefix: &str) -> PgText {
        // SAFETY: makeStringInfo pallocs in the current context; the header bytes are
        // filled in by `into_datum`.
        let si = unsafe { pg_sys::makeStringInfo() };
        let mut t = PgText(si);
        t.put_bytes(&[0; pg_sys::VARHDRSZ]);
        t.put_bytes(prefix.as_bytes());
        t
    }

    /// The text after the header.
    pub(crate) fn body(&self) -> &[u8] {
        // SAFETY: `data` holds `len` initialised bytes, the first VARHDRSZ of them ours.
        unsafe {
            let si = &*self.0;
            std::slice::from_raw_parts((si.data as *const u8).add(pg_sys::VARHDRSZ), si.len as usize - pg_sys::VARHDRSZ)
        }
    }

    pub(crate) fn put_bytes(&mut self, b: &[u8]) {
        // SAFETY: enlargeStringInfo makes room for `b.len()` more bytes and the trailing
        // NUL (raising 54000 past 1 GB); the copy stays inside that room.
        unsafe {
            let si = &mut *self.0;
            if si.len as usize + b.len() >= si.maxlen as usize {
                pg_sys::enlargeStringInfo(self.0, b.len() as i32);
            }
            let si = &mut *self.0;
            let end = (si.data as *mut u8).add(si.len as usize);
            std::ptr::copy_nonoverlapping(b.as_ptr(), end, b.len());
            si.len += b.len() as i32;
            *end.add(b.len()) = 0;
        }
    }

    /// Cuts the text back to its first `len` bytes (the execution engine replaces a
    /// failed value by `null` this way).
    pub(crate) fn truncate_body(&mut self, len: usize) {
        // SAFETY: `len` is at most the current length: only bytes written are dropped,
        // and the NUL terminator is kept inside the buffer.
        unsafe {
            let si = &mut *self.0;
            let new = (pg_sys::VARHDRSZ + len).min(si.len as usize);
            si.len = new as i32;
            *(si.data as *mut u8).add(new) = 0;
        }
    }

    /// The buffer as a varlena datum (the StringInfo's data, header set).
    pub(crate) fn into_datum(self) -> pg_sys::Datum {
        // SAFETY: the first VARHDRSZ bytes were reserved for the 4-byte header.
        unsafe {
            let si = &*self.0;
            pgrx::varlena::set_varsize_4b(si.data as *mut pg_sys::varlena, si.len);
            pg_sys::Datum::from(si.data)
        }
    }
}

impl jsonb::Out for PgText {
    #[inline]
    fn put(&mut self, s: &str) {
        self.put_bytes(s.as_bytes());
    }
}

v1_function!(
    /// `fraiseql_shape(data jsonb, selection text, type_name text) RETURNS json`
    pg_finfo_fraiseql_shape_v1, fraiseql_shape_v1, "fraiseql_shape", |fcinfo| {
        let selection = required_str(fcinfo, 1, "selection");
        let plan = cached_plan(fcinfo, selection, opt_str(fcinfo, 2));
        if pgrx::fcinfo::pg_arg_is_null(fcinfo, 0) {
            return pgrx::fcinfo::pg_return_null(fcinfo);
        }
        let row = jsonb::root(varlena_bytes(arg(fcinfo, 0))).unwrap_or_else(|e| report_corrupt(e));
        let mut out = PgText::new("");
        plan.shape(row, &mut out).unwrap_or_else(|e| report_corrupt(e));
        out.into_datum()
    }
);

/// The running state of `fraiseql_shape_agg`: the array being written, `[` and the
/// shaped rows so far, in the aggregate's memory context.
struct AggState {
    buf: PgText,
    rows: usize,
}

v1_function!(
    /// `fraiseql_shape_agg_step(state internal, data jsonb, selection text, type_name text) RETURNS internal`
    pg_finfo_fraiseql_shape_agg_step_v1, fraiseql_shape_agg_step_v1, "fraiseql_shape_agg", |fcinfo| {
        let mut aggcontext: pg_sys::MemoryContext = std::ptr::null_mut();
        if pg_sys::AggCheckCallContext(fcinfo, &mut aggcontext) == 0 {
            raise(PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED, "fraiseql_shape_agg_step called outside an aggregate", None);
        }
        let mut state = if pgrx::fcinfo::pg_arg_is_null(fcinfo, 0) {
            std::ptr::null_mut()
        } else {
            arg(fcinfo, 0).cast_mut_ptr::<AggState>()
        };
        if state.is_null() {
            let mut cx = PgMemoryContexts::For(aggcontext);
            let buf = cx.switch_to(|_| PgText::new("["));
            state = cx.leak_and_drop_on_delete(AggState { buf, rows: 0 });
        }
        let selection = required_str(fcinfo, 2, "selection");
        let plan = cached_plan(fcinfo, selection, opt_str(fcinfo, 3));
        let st = &mut *state;
        if st.rows > 0 {
            st.buf.put_bytes(b",");
        }
        if pgrx::fcinfo::pg_arg_is_null(fcinfo, 1) {
            st.buf.put_bytes(b"null");
        } else {
            let row = jsonb::root(varlena_bytes(arg(fcinfo, 1))).unwrap_or_else(|e| report_corrupt(e));
            plan.shape(row, &mut st.buf).unwrap_or_else(|e| report_corrupt(e));
        }
        st.rows += 1;
        pg_sys::Datum::from(state)
    }
);

v1_function!(
    /// `fraiseql_shape_agg_final(state internal) RETURNS json`: `[…]`, and `[]` for no rows.
    /// A READ_ONLY final function: the state may be finalised again, so it is copied.
    pg_finfo_fraiseql_shape_agg_final_v1, fraiseql_shape_agg_final_v1, "fraiseql_shape_agg", |fcinfo| {
        let mut out = PgText::new("");
        if pgrx::fcinfo::pg_arg_is_null(fcinfo, 0) {
            out.put_bytes(b"[");
        } else {
            out.put_bytes((*arg(fcinfo, 0).cast_mut_ptr::<AggState>()).buf.body());
        }
        out.put_bytes(b"]");
        out.into_datum()
    }
);

v1_function!(
    /// `fraiseql_response(field text, value json) RETURNS json`: `{"data":{"<field>":<value>}}`,
    /// `null` for a NULL value.
    pg_finfo_fraiseql_response_v1, fraiseql_response_v1, "fraiseql_response", |fcinfo| {
        let field = required_str(fcinfo, 0, "field");
        let value = opt_str(fcinfo, 1).unwrap_or("null");
        let mut out = String::with_capacity(value.len() + field.len() + 16);
        out.push_str("{\"data\":{");
        jsonb::write_json_string(&mut out, field);
        out.push(':');
        out.push_str(value);
        out.push_str("}}");
        // json is stored as its text.
        text_datum(&out)
    }
);

v1_function!(
    /// `fraiseql_check_type(type_name text, fields jsonb) RETURNS boolean`: the CHECK of
    /// `fraiseql_types`; true, or an ERROR saying what is wrong.
    pg_finfo_fraiseql_check_type_v1, fraiseql_check_type_v1, "fraiseql_check_type", |fcinfo| {
        let name = arg_str(fcinfo, 0);
        let fields = jsonb::root(varlena_bytes(arg(fcinfo, 1))).unwrap_or_else(|e| report_corrupt(e));
        Schema::default().add_type(name, fields).unwrap_or_else(|e| report_shape_error(&e));
        pg_sys::Datum::from(true)
    }
);
