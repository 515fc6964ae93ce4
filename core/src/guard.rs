//! The two safety checks a PostgreSQL backend expects from code that walks user input:
//! "is the stack deep enough to stop?" and "has the query been cancelled?".
//!
//! The core cannot call the server itself, so the extension installs [`Hooks`] once per
//! backend (`_PG_init`): `check_stack_depth()` and `CHECK_FOR_INTERRUPTS()`. Both raise a
//! PostgreSQL ERROR, which unwinds through the core as a panic to the SQL function's
//! boundary, where it becomes the server's own error again (54001 stack depth limit
//! exceeded, 57014 canceling statement). Without hooks (plain `cargo test`, fuzzers) both
//! checks do nothing, and the explicit depth limits each recursive routine carries are
//! what keeps recursion finite.
//!
//! The rule for the whole crate: every recursive function over user-controlled input
//! calls [`stack`] and has its own depth limit or an input-independent bound; every loop
//! whose trip count depends on input calls [`interrupts`] (or [`Tick::tick`] in the
//! tightest loops).

use std::sync::OnceLock;

/// What the host provides. Each function may unwind (it raises an ERROR).
#[derive(Clone, Copy)]
pub struct Hooks {
    pub check_stack: fn(),
    pub check_interrupts: fn(),
}

static HOOKS: OnceLock<Hooks> = OnceLock::new();

/// Installs the hooks for the process; the first call wins (a backend installs them once).
pub fn install(hooks: Hooks) {
    let _ = HOOKS.set(hooks);
}

/// Raises the host's "stack depth limit exceeded" when the stack is nearly full.
#[inline]
pub fn stack() {
    if let Some(h) = HOOKS.get() {
        (h.check_stack)();
    }
}

/// Lets a pending cancel or terminate request take effect.
#[inline]
pub fn interrupts() {
    if let Some(h) = HOOKS.get() {
        (h.check_interrupts)();
    }
}

/// An amortised [`interrupts`] for loops whose single iteration costs a few nanoseconds
/// (byte scans, element copies): checks once every 1,024 ticks, which keeps the cost under
/// 1% of such a loop while a cancel still lands within microseconds.
#[derive(Default)]
pub struct Tick(u32);

impl Tick {
    #[inline]
    pub fn tick(&mut self) {
        self.0 = self.0.wrapping_add(1);
        if self.0 & 1023 == 0 {
            interrupts();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    #[test]
    fn tick_checks_every_1024() {
        install(Hooks {
            check_stack: || {},
            check_interrupts: || {
                CALLS.fetch_add(1, Ordering::Relaxed);
            },
        });
        let before = CALLS.load(Ordering::Relaxed);
        let mut t = Tick::default();
        for _ in 0..4096 {
            t.tick();
        }
        assert!(CALLS.load(Ordering::Relaxed) - before >= 4);
    }
}
