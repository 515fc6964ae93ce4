#[pgrx::pg_schema]
mod tests {
    use crate::pg::guarded;
    use pgrx::prelude::*;

    /// A Rust panic (a bug) is reported as XX000 with a fixed message, not its own text.
    #[pg_test(error = "internal error in fraiseql_probe()")]
    fn a_rust_panic_never_shows_its_text() {
        guarded("fraiseql_probe", || -> i32 { panic!("index out of bounds: secret Rust detail") });
    }

    /// PostgreSQL's own errors pass through the guard unchanged (message and SQLSTATE).
    #[pg_test]
    fn server_errors_pass_through_unchanged() {
        let got = PgTryBuilder::new(|| {
            guarded("fraiseql_probe", || {
                Spi::run("SELECT 1/0").unwrap();
            });
            None
        })
        .catch_others(|e| match e {
            pg_sys::panic::CaughtError::PostgresError(r) | pg_sys::panic::CaughtError::ErrorReport(r) => {
                Some((r.sql_error_code(), r.message().to_string()))
            }
            pg_sys::panic::CaughtError::RustPanic { ereport, .. } => {
                Some((ereport.sql_error_code(), ereport.message().to_string()))
            }
        })
        .execute();
        let (code, message) = got.expect("an error");
        assert_eq!(code, PgSqlErrorCode::ERRCODE_DIVISION_BY_ZERO);
        assert!(message.contains("division by zero"), "{message}");
    }

    /// Backtrace capture is off in the backend, whatever RUST_BACKTRACE says.
    #[pg_test]
    fn backtraces_are_not_captured() {
        Spi::run("SELECT fraiseql_camel_case('a_b')").unwrap();
        assert_eq!(std::env::var("RUST_LIB_BACKTRACE").as_deref(), Ok("0"));
        let bt = std::backtrace::Backtrace::capture();
        assert_ne!(bt.status(), std::backtrace::BacktraceStatus::Captured);
    }

    /// The core's stack hook raises 54001 once the stack passes `max_stack_depth` (it
    /// measures the depth itself and calls `check_stack_depth()` only then), long before
    /// the OS limit: a recursion of 1 KB frames with no limit of its own stops there.
    #[pg_test]
    fn the_stack_hook_stops_unbounded_recursion() {
        // Ends only by the hook's error: that is the point.
        #[allow(unconditional_recursion)]
        fn deeper(n: u32) -> u32 {
            let frame = std::hint::black_box([n as u8; 1024]);
            fraiseql_core::guard::stack();
            deeper(n + 1) + frame[0] as u32
        }
        Spi::run("SET LOCAL max_stack_depth = '512kB'").unwrap();
        let got = PgTryBuilder::new(|| {
            deeper(0);
            None
        })
        .catch_others(|e| match e {
            pg_sys::panic::CaughtError::PostgresError(r) | pg_sys::panic::CaughtError::ErrorReport(r) => {
                Some(r.sql_error_code())
            }
            pg_sys::panic::CaughtError::RustPanic { ereport, .. } => Some(ereport.sql_error_code()),
        })
        .execute();
        assert_eq!(got, Some(PgSqlErrorCode::ERRCODE_STATEMENT_TOO_COMPLEX));
    }
}
