//! Automatic Persisted Queries (docs/apq.md): hashing and parsing functions, and the
//! hit/miss counters. The table, the protocol function and the views are SQL
//! (sql/apq.sql); the decisions are in `fraiseql_core::apq`.
//!
//! Counting never writes a table row: a lookup must cost one index probe, take no row
//! lock on a hot query, write no WAL, and work in read-only transactions and on a hot
//! standby. With the library in `shared_preload_libraries` the counters live in shared
//! memory under one LWLock (like pg_stat_statements); otherwise each backend counts for
//! itself and the views say so (`shared_memory = false`).

use crate::pg::{arg, arg_bool, arg_str, jsonb_datum, report_corrupt, text_datum, varlena_bytes};
use fraiseql_core::{apq, jsonb};
use pgrx::guc::{GucContext, GucFlags, GucRegistry, GucSetting};
use pgrx::lwlock::PgLwLock;
use pgrx::pg_sys;
use pgrx::pg_sys::panic::ErrorReport;
use pgrx::prelude::*;
use pgrx::shmem::PGRXSharedMemory;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// `fraiseql.apq_max_entries`: registrations beyond this many stored queries evict the
/// least recently used ones (0 = no limit).
pub static APQ_MAX_ENTRIES: GucSetting<i32> = GucSetting::<i32>::new(0);
/// `fraiseql.apq_max_age`: seconds since last use after which `fraiseql_apq_evict()`
/// removes a query (0 = no limit).
pub static APQ_MAX_AGE: GucSetting<i32> = GucSetting::<i32>::new(0);

/// Hashes tracked individually in shared memory (slots are twice that, open addressing).
const TRACKED: usize = 2048;
const SLOTS: usize = TRACKED * 2;

#[derive(Clone, Copy)]
#[repr(C)]
struct Slot {
    hash: [u8; 32],
    hits: u64,
    last_hit: i64,
}

#[derive(Clone, Copy)]
#[repr(C)]
pub struct Counters {
    slots: [Slot; SLOTS],
    used: u32,
    lookups: u64,
    hits: u64,
    misses: u64,
    registrations: u64,
    untracked: u64,
    reset_at: i64,
}

// SAFETY: plain old data, no pointers.
unsafe impl PGRXSharedMemory for Counters {}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            slots: [Slot { hash: [0; 32], hits: 0, last_hit: 0 }; SLOTS],
            used: 0,
            lookups: 0,
            hits: 0,
            misses: 0,
            registrations: 0,
            untracked: 0,
            // SAFETY: reads the clock.
            reset_at: unsafe { pg_sys::GetCurrentTimestamp() },
        }
    }
}

impl Counters {
    fn hit(&mut self, hash: &[u8; 32], now: i64) {
        let start = u64::from_le_bytes(hash[..8].try_into().expect("8 bytes")) as usize % SLOTS;
        for i in 0..SLOTS {
            let s = &mut self.slots[(start + i) % SLOTS];
            if s.hash == *hash {
                s.hits += 1;
                s.last_hit = now;
                return;
            }
            if s.hash == [0; 32] {
                if self.used as usize >= TRACKED {
                    self.untracked += 1;
                    return;
                }
                *s = Slot { hash: *hash, hits: 1, last_hit: now };
                self.used += 1;
                return;
            }
        }
        self.untracked += 1;
    }

    fn record(&mut self, hash: &[u8; 32], hit: bool, now: i64) {
        self.lookups += 1;
        if hit {
            self.hits += 1;
            self.hit(hash, now);
        } else {
            self.misses += 1;
        }
    }
}

static SHARED: PgLwLock<Counters> = unsafe { PgLwLock::new(c"fraiseql_apq_counters") };
/// Set in the postmaster when the library is preloaded; inherited by every backend.
static SHARED_READY: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The per-backend fallback when the library is not preloaded.
    static LOCAL: RefCell<Local> = RefCell::new(Local { totals: Counters0::new(), per_hash: HashMap::new() });
}

/// This backend's counters: totals, and (hits, last hit) per hash.
struct Local {
    totals: Counters0,
    per_hash: HashMap<[u8; 32], (u64, i64)>,
}

/// Totals of the per-backend fallback.
struct Counters0 {
    lookups: u64,
    hits: u64,
    misses: u64,
    registrations: u64,
    reset_at: i64,
}

impl Counters0 {
    fn new() -> Self {
        // SAFETY: reads the clock.
        Counters0 {
            lookups: 0,
            hits: 0,
            misses: 0,
            registrations: 0,
            reset_at: unsafe { pg_sys::GetCurrentTimestamp() },
        }
    }
}

fn shared() -> bool {
    SHARED_READY.load(Ordering::Relaxed)
}

pub fn init() {
    GucRegistry::define_int_guc(
        c"fraiseql.apq_max_entries",
        c"Persisted queries kept before the least recently used are evicted (0: no limit).",
        c"Checked when a query is registered and by fraiseql_apq_evict().",
        &APQ_MAX_ENTRIES,
        0,
        i32::MAX,
        GucContext::Suset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"fraiseql.apq_max_age",
        c"Seconds since last use after which fraiseql_apq_evict() removes a persisted query (0: no limit).",
        c"",
        &APQ_MAX_AGE,
        0,
        i32::MAX,
        GucContext::Suset,
        GucFlags::UNIT_S,
    );
    // SAFETY: reads a backend global; the prefix is ours.
    unsafe {
        pg_sys::MarkGUCPrefixReserved(c"fraiseql".as_ptr());
        if pg_sys::process_shared_preload_libraries_in_progress {
            pgrx::pg_shmem_init!(SHARED);
            SHARED_READY.store(true, Ordering::Relaxed);
        }
    }
}

fn parse_hash(h: &str) -> [u8; 32] {
    let Some(norm) = apq::normalize_hash(h) else {
        ErrorReport::new(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("invalid persisted query hash \"{}\"", h.chars().take(80).collect::<String>()),
            "fraiseql",
        )
        .set_hint("a hash is the SHA-256 of the query text as 64 hexadecimal digits")
        .report(PgLogLevel::ERROR);
        unreachable!()
    };
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&norm[i * 2..i * 2 + 2], 16).expect("hex");
    }
    out
}

fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

v1_info!(pg_finfo_fraiseql_apq_hash_v1);
/// `fraiseql_apq_hash(hash text) RETURNS text`: the hash validated (22023) and lowercased.
///
/// # Safety
/// Called by the executor with a valid `fcinfo` (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_apq_hash_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    text_datum(&hex(&parse_hash(arg_str(fcinfo, 0))))
}

v1_info!(pg_finfo_fraiseql_sha256_hex_v1);
/// `fraiseql_sha256_hex(query text) RETURNS text`: lowercase hex SHA-256 of the exact bytes.
///
/// # Safety
/// Called by the executor with a valid `fcinfo` (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_sha256_hex_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    text_datum(&apq::sha256_hex(arg_str(fcinfo, 0)))
}

fn syntax_error(e: &fraiseql_core::graphql::SyntaxError) -> ! {
    ErrorReport::new(PgSqlErrorCode::ERRCODE_SYNTAX_ERROR, e.to_string(), "fraiseql")
        .set_hint("the query must be a GraphQL executable document")
        .report(PgLogLevel::ERROR);
    unreachable!()
}

v1_info!(pg_finfo_fraiseql_graphql_parse_v1);
/// `fraiseql_graphql_parse(query text) RETURNS jsonb`: the AST as graphql-js DocumentNode
/// JSON; ERROR 42601 with line and column on a syntax error.
///
/// # Safety
/// Called by the executor with a valid `fcinfo` (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_graphql_parse_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    match apq::prepare(arg_str(fcinfo, 0)) {
        Ok(p) => jsonb_datum(&p.ast_json),
        Err(e) => syntax_error(&e),
    }
}

v1_info!(pg_finfo_fraiseql_apq_decide_v1);
/// `fraiseql_apq_decide(request jsonb) RETURNS jsonb`: what an APQ request asks for, as
/// `{"action": "lookup"|"register"|"passthrough"|"reject", …}` (see sql/apq.sql).
///
/// # Safety
/// Called by the executor with a valid `fcinfo` (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_apq_decide_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let req = jsonb::root(varlena_bytes(arg(fcinfo, 0))).unwrap_or_else(|e| report_corrupt(e));
    let mut o = String::from("{\"action\":");
    let s = |o: &mut String, v: &str| jsonb::write_json_string(o, v);
    match apq::decide(req) {
        apq::Action::Lookup { hash } => {
            o.push_str("\"lookup\",\"hash\":");
            s(&mut o, &hash);
        }
        apq::Action::Register { query, prepared } => {
            o.push_str("\"register\",\"hash\":");
            s(&mut o, &prepared.hash);
            o.push_str(",\"query\":");
            s(&mut o, &query);
            o.push_str(",\"ast\":");
            o.push_str(&prepared.ast_json);
        }
        apq::Action::Passthrough => o.push_str("\"passthrough\""),
        apq::Action::Reject { message, code } => {
            o.push_str("\"reject\",\"message\":");
            s(&mut o, &message);
            o.push_str(",\"code\":");
            s(&mut o, code);
        }
    }
    o.push('}');
    jsonb_datum(&o)
}

v1_info!(pg_finfo_fraiseql_apq_count_v1);
/// `fraiseql_apq_count(hash text, hit boolean) RETURNS void`: records one lookup.
///
/// # Safety
/// Called by the executor with a valid `fcinfo` (STRICT).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_apq_count_v1(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let hash = parse_hash(arg_str(fcinfo, 0));
    let hit = arg_bool(fcinfo, 1);
    let now = pg_sys::GetCurrentTimestamp();
    if shared() {
        SHARED.exclusive().record(&hash, hit, now);
    } else {
        LOCAL.with(|l| {
            let local = &mut *l.borrow_mut();
            let (t, m) = (&mut local.totals, &mut local.per_hash);
            t.lookups += 1;
            if hit {
                t.hits += 1;
                let e = m.entry(hash).or_insert((0, 0));
                e.0 += 1;
                e.1 = now;
            } else {
                t.misses += 1;
            }
        });
    }
    pg_sys::Datum::from(0)
}

v1_info!(pg_finfo_fraiseql_apq_count_registration_v1);
/// `fraiseql_apq_count_registration() RETURNS void`
///
/// # Safety
/// Called by the executor.
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn fraiseql_apq_count_registration_v1(_fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    if shared() {
        SHARED.exclusive().registrations += 1;
    } else {
        LOCAL.with(|l| l.borrow_mut().totals.registrations += 1);
    }
    pg_sys::Datum::from(0)
}

/// Per-hash counters: (hash, hits, last hit).
#[pg_extern(volatile, parallel_restricted)]
fn fraiseql_apq_counters() -> TableIterator<
    'static,
    (name!(hash, String), name!(hits, i64), name!(last_hit, Option<pgrx::datum::TimestampWithTimeZone>)),
> {
    let rows: Vec<(String, i64, i64)> = if shared() {
        let c = SHARED.share();
        c.slots.iter().filter(|s| s.hash != [0; 32]).map(|s| (hex(&s.hash), s.hits as i64, s.last_hit)).collect()
    } else {
        LOCAL.with(|l| l.borrow().per_hash.iter().map(|(h, (n, t))| (hex(h), *n as i64, *t)).collect())
    };
    TableIterator::new(rows.into_iter().map(|(h, n, t)| {
        // SAFETY: a TimestampTz value of the server's own clock.
        let ts = unsafe { pgrx::datum::TimestampWithTimeZone::from_datum(pg_sys::Datum::from(t), false) };
        (h, n, ts)
    }))
}

/// Totals since the last reset, and whether they are shared by all backends.
#[allow(clippy::type_complexity)] // pgrx spells an SRF's columns in its return type
#[pg_extern(volatile, parallel_restricted)]
fn fraiseql_apq_totals() -> TableIterator<
    'static,
    (
        name!(lookups, i64),
        name!(hits, i64),
        name!(misses, i64),
        name!(registrations, i64),
        name!(untracked_hits, i64),
        name!(shared_memory, bool),
        name!(stats_reset, Option<pgrx::datum::TimestampWithTimeZone>),
    ),
> {
    let (l, h, m, r, u, reset) = if shared() {
        let c = SHARED.share();
        (c.lookups, c.hits, c.misses, c.registrations, c.untracked, c.reset_at)
    } else {
        LOCAL.with(|l| {
            let t = &l.borrow().totals;
            (t.lookups, t.hits, t.misses, t.registrations, 0, t.reset_at)
        })
    };
    // SAFETY: a TimestampTz value of the server's own clock.
    let reset = unsafe { pgrx::datum::TimestampWithTimeZone::from_datum(pg_sys::Datum::from(reset), false) };
    TableIterator::once((l as i64, h as i64, m as i64, r as i64, u as i64, shared(), reset))
}

/// Resets every counter (shared or this backend's).
#[pg_extern(volatile, parallel_unsafe)]
fn fraiseql_apq_stats_reset() {
    if shared() {
        *SHARED.exclusive() = Counters::default();
    } else {
        LOCAL.with(|l| *l.borrow_mut() = Local { totals: Counters0::new(), per_hash: HashMap::new() });
    }
}
