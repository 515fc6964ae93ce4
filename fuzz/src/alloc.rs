//! The fuzz crate's global allocator, which counts, and the guard hooks that see the
//! core's interrupt checks: what the `execute_resources` target measures.
//!
//! Counts are per thread (the stable tests run targets on several threads at once, and
//! the core runs a request on the caller's thread): the bytes live and their peak since
//! [`start`], and, between two consecutive `guard::interrupts()` calls, the bytes
//! allocated (growth of the response buffer left out, see [`output`]) and the bytes of
//! response written. A `realloc` counts as the bytes it grows by.

use fraiseql_core::guard;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The system allocator, counting, and refusing an allocation that would take a
/// thread's live bytes past [`LIMIT`] (the process then aborts with "memory allocation
/// of N bytes failed", which libFuzzer reports as a crash with its input): an unbounded
/// allocation fails the target, not the machine.
pub struct Counting;

/// Bytes a thread may hold: `FUZZ_ALLOC_LIMIT_MB` (read by [`install_interrupt_counter`]),
/// default 3 GiB.
static LIMIT: AtomicUsize = AtomicUsize::new(3 << 30);

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static BASE: Cell<isize> = const { Cell::new(0) };
    static IN_OUTPUT: Cell<bool> = const { Cell::new(false) };
    static SINCE_ALLOC: Cell<usize> = const { Cell::new(0) };
    static SINCE_WRITTEN: Cell<usize> = const { Cell::new(0) };
    static MAX_ALLOC: Cell<usize> = const { Cell::new(0) };
    static MAX_WRITTEN: Cell<usize> = const { Cell::new(0) };
    static CHECKS: Cell<usize> = const { Cell::new(0) };
    static LAST_CHECK: Cell<Option<Instant>> = const { Cell::new(None) };
    static MAX_TIME: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

fn since_last_check() -> Duration {
    LAST_CHECK.with(|l| l.get().map(|t| t.elapsed()).unwrap_or_default())
}

fn over_limit(more: usize) -> bool {
    let live = LIVE.try_with(Cell::get).unwrap_or(0).max(0) as usize;
    live.saturating_add(more) > LIMIT.load(Ordering::Relaxed)
}

fn grew(by: isize) {
    let _ = LIVE.try_with(|l| {
        let now = l.get() + by;
        l.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
    if by > 0 && !IN_OUTPUT.try_with(Cell::get).unwrap_or(true) {
        let _ = SINCE_ALLOC.try_with(|s| s.set(s.get() + by as usize));
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; the counts are
// thread-local cells with constant initializers, which allocate nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if over_limit(l.size()) {
            return std::ptr::null_mut();
        }
        grew(l.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if over_limit(l.size()) {
            return std::ptr::null_mut();
        }
        grew(l.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        let _ = LIVE.try_with(|c| c.set(c.get() - l.size() as isize));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if over_limit(new.saturating_sub(l.size())) {
            return std::ptr::null_mut();
        }
        grew(new as isize - l.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(p, l, new) }
    }
}

fn on_interrupt_check() {
    let a = SINCE_ALLOC.with(|s| s.replace(0));
    MAX_ALLOC.with(|m| m.set(m.get().max(a)));
    let w = SINCE_WRITTEN.with(|s| s.replace(0));
    MAX_WRITTEN.with(|m| m.set(m.get().max(w)));
    CHECKS.with(|c| c.set(c.get() + 1));
    let t = since_last_check();
    MAX_TIME.with(|m| m.set(m.get().max(t)));
    LAST_CHECK.with(|l| l.set(Some(Instant::now())));
}

/// Installs the guard hooks that record each interrupt check (once per process; the
/// stack check does nothing, as without hooks). Panics when other hooks were installed
/// first, since the gaps would then not be seen.
pub fn install_interrupt_counter() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Some(mb) = std::env::var("FUZZ_ALLOC_LIMIT_MB").ok().and_then(|v| v.parse::<usize>().ok()) {
            LIMIT.store(mb << 20, Ordering::Relaxed);
        }
    });
    guard::install(guard::Hooks { check_stack: || {}, check_interrupts: on_interrupt_check });
    let before = CHECKS.with(Cell::get);
    guard::interrupts();
    assert_eq!(CHECKS.with(Cell::get), before + 1, "other guard hooks are installed: interrupt checks are not seen");
}

/// Starts a measurement: the peak from what is live now, the gaps from zero.
pub fn start() {
    let live = LIVE.with(Cell::get);
    BASE.with(|b| b.set(live));
    PEAK.with(|p| p.set(live));
    SINCE_ALLOC.with(|s| s.set(0));
    SINCE_WRITTEN.with(|s| s.set(0));
    LAST_CHECK.with(|l| l.set(Some(Instant::now())));
    reset_gaps();
}

/// The most bytes live at once since [`start`], above what was live then.
pub fn peak() -> usize {
    (PEAK.with(Cell::get) - BASE.with(Cell::get)).max(0) as usize
}

/// The largest gaps between two interrupt checks since [`start`] or [`reset_gaps`],
/// the stretch since the last check included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gaps {
    /// Bytes allocated (the response buffer's growth left out).
    pub alloc: usize,
    /// Bytes written to the response buffer.
    pub written: usize,
    /// Interrupt checks seen.
    pub checks: usize,
    /// The longest time between two checks (not asserted: the machine's load decides it).
    pub time: Duration,
}

pub fn gaps() -> Gaps {
    Gaps {
        alloc: MAX_ALLOC.with(Cell::get).max(SINCE_ALLOC.with(Cell::get)),
        written: MAX_WRITTEN.with(Cell::get).max(SINCE_WRITTEN.with(Cell::get)),
        checks: CHECKS.with(Cell::get),
        time: MAX_TIME.with(Cell::get).max(since_last_check()),
    }
}

/// Forgets the largest gaps so far (the stretch since the last check goes on counting).
pub fn reset_gaps() {
    MAX_ALLOC.with(|m| m.set(0));
    MAX_WRITTEN.with(|m| m.set(0));
    CHECKS.with(|c| c.set(0));
    MAX_TIME.with(|m| m.set(Duration::ZERO));
}

/// Runs `f`, which writes `bytes` to the response buffer: its allocations count for the
/// peak but not as work between checks; the bytes count as written.
pub fn output(f: impl FnOnce(), bytes: usize) {
    IN_OUTPUT.with(|o| o.set(true));
    f();
    IN_OUTPUT.with(|o| o.set(false));
    SINCE_WRITTEN.with(|s| s.set(s.get() + bytes));
}
