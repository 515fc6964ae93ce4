//! The `execute_resources` target's own checks, beyond the replay of its seeds in
//! `replay.rs`: the generator builds valid documents, the measurements see what they
//! should, and a summary of what random inputs cost (printed with `--nocapture`).
//!
//! `FUZZ_EXPLAIN=<file>` prints the case an input describes and what it measured.

use fraiseql_fuzz::execute_resources::{self as er, generate, measure};

/// xorshift64*.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut s = seed | 1;
    (0..len)
        .map(|_| {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            (s.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

/// Runs `f` on a thread with a backend's 8 MiB stack.
fn on_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(8 << 20).spawn(f).unwrap().join().unwrap()
}

#[test]
fn random_inputs_stay_within_the_bounds() {
    let n: u64 = std::env::var("FUZZ_RESOURCE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    on_stack(move || {
        let (mut max_ratio, mut max_gap, mut max_written, mut max_prepare_per_byte) = (0f64, 0, 0, 0f64);
        let (mut executed, mut intro, mut rows) = (0, 0, 0usize);
        let mut over_strict = Vec::new();
        let mut skipped = 0;
        let mut too_large = 0;
        let (mut total, mut slowest) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
        for seed in 0..n {
            let len = [16, 64, 256, 1024, 4096][seed as usize % 5];
            let data = bytes(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) + 1, len);
            if let Some(dir) = std::env::var_os("FUZZ_RESOURCE_SAVE") {
                std::fs::write(std::path::Path::new(&dir).join(format!("seed-{seed}")), &data).unwrap();
            }
            let t = std::time::Instant::now();
            let run = std::panic::catch_unwind(|| er::execute_resources(&data));
            let took = t.elapsed();
            total += took;
            slowest = slowest.max(took);
            if let Err(e) = run {
                println!("seed {seed} (length {len}) fails");
                std::panic::resume_unwind(e);
            }
            let (case, m) = measure(&data, false);
            let Some(m) = m else {
                skipped += 1;
                continue;
            };
            executed += usize::from(m.prepared);
            too_large += usize::from(m.document_bytes > 256 * 1024);
            intro += usize::from(case.introspection);
            rows = rows.max(case.views.iter().map(|v| v.rows).max().unwrap_or(0));
            max_ratio = max_ratio.max(m.peak as f64 / m.peak_bound as f64);
            if m.peak > m.strict_bound {
                over_strict.push((seed, m.peak, m.strict_bound, case.planned));
            }
            if !case.introspection {
                max_gap = max_gap.max(m.execute_gaps.alloc);
                max_written = max_written.max(m.execute_gaps.written);
            }
            max_prepare_per_byte = max_prepare_per_byte.max(m.prepare_gaps.alloc as f64 / m.document_bytes as f64);
        }
        println!(
            "{n} inputs in {total:?} (slowest {slowest:?}): {skipped} not run (expansion over the cap), {too_large} over 256 kB, {executed} prepared, {intro} with introspection, up to {rows} rows; peak/bound at most {max_ratio:.3}; \
             execution gap at most {max_gap} bytes allocated, {max_written} written; prepare gap at most {max_prepare_per_byte:.0} bytes per document byte; \
             over the bound without the allowance for planned fields (seed, peak, bound, planned fields): {over_strict:?}"
        );
    });
}

#[test]
fn the_measurements_see_a_large_answer_and_its_checks() {
    on_stack(|| {
        // All 0x7f: 32 root fields, nested selections.
        let data = vec![0x7fu8; 4096];
        let (case, m) = measure(&data, false);
        let m = m.expect("within the expansion cap");
        assert!(case.document.len() > 1000, "{}", case.document);
        assert!(m.peak > 0 && m.peak <= m.peak_bound, "{m:?}");
        if m.prepared {
            assert!(m.execute_gaps.checks > 0, "{m:?}");
        }
    });
}

#[test]
fn the_bound_fails_an_allocation_the_response_does_not_show() {
    // What the target asserts, on a simulated leak: 20 MB kept while answering 1 kB.
    let bound = er::peak_bound(1_000, 1_000, false);
    assert!(bound < 20 << 20, "{bound}");
}

#[test]
fn explain() {
    let Some(path) = std::env::var_os("FUZZ_EXPLAIN") else { return };
    let data = std::fs::read(path).unwrap();
    let c = generate(&data);
    println!(
        "document ({} bytes, {} expanded fields per row, {} expanded in all):\n{}",
        c.document.len(),
        c.expanded,
        c.expansion,
        c.document
    );
    println!("variables: {}  operation: {:?}", c.variables, c.operation);
    for v in &c.views {
        println!("view {}: {} rows, fails after {:?}", v.name, v.rows, v.fail_after);
        for t in &v.templates {
            println!("  {:.400}{}", t, if t.len() > 400 { " …" } else { "" });
        }
    }
    let (_, m) = on_stack(move || measure(&data, true));
    println!("{m:#?}");
}

/// The plan fan-out (docs/reliability.md, "Fuzzing"): a 15 kB document, 32 root fields
/// each spreading a fragment that expands to 19,019 fields, planned 600,000 fields (218
/// MB). The plans of one operation are bounded together (`MAX_OPERATION_PLAN_BYTES`):
/// the root fields past the bound fail with 54000, and the peak stays under the target's
/// bound plus that budget and one root field's plan.
#[test]
fn plan_fanout_is_bounded_per_operation() {
    use fraiseql_core::execute::{self as exec, CompiledSchema, Limits};
    on_stack(|| {
        let cs = CompiledSchema::build(er::SDL).unwrap();
        let fields: String = (0..1000).map(|i| format!(" f{i}: version")).collect();
        let copies: String = (0..19).map(|i| format!(" c{i}: parent {{ ...F }}")).collect();
        let body: String = (0..32).map(|r| format!(" r{r}: routerConfigs {{ ...G }}")).collect();
        let doc = format!(
            "query Q {{{body} }} fragment F on RouterConfig {{{fields} }} fragment G on RouterConfig {{{copies} }}"
        );
        fraiseql_fuzz::alloc::start();
        let p = exec::prepare(&cs, &doc, &Limits::default()).unwrap_or_else(|e| panic!("{:?}", e[0]));
        let mut out = String::new();
        let mut db = er::EmptyDb;
        let outcome = exec::execute(&cs, &p, None, &Default::default(), &Limits::default(), &mut db, &mut out).unwrap();
        let body = match &outcome {
            exec::Outcome::Executed(errors) => exec::response(errors, Some(&out)),
            exec::Outcome::Rejected(errors) => exec::response(errors, None),
        };
        let peak = fraiseql_fuzz::alloc::peak();
        println!("{} bytes of document, {} of response: peak {peak} bytes", doc.len(), body.len());
        assert!(body.contains("planned in more than 32 MB") && body.contains(r#""code":"54000""#), "{body}");
        let one_plan = er::PLAN_BYTES_PER_FIELD * 20_000;
        assert!(
            peak <= er::peak_bound(doc.len(), body.len(), false) + exec::MAX_OPERATION_PLAN_BYTES + one_plan,
            "peak {peak}"
        );
    });
}

/// The validation fan-out: 1,000 aliased copies of `parent { ...F }`, `F` holding 1,000
/// fields (33 kB), took about 50 MB in apollo-compiler's validation, which cannot be
/// interrupted. Counted with fragments expanded before validation, it is refused
/// (`MAX_EXPANDED_FIELDS`), within the target's bound.
#[test]
fn validation_fanout_is_refused_before_validation() {
    use fraiseql_core::execute::{self as exec, CompiledSchema, Limits};
    on_stack(|| {
        let cs = CompiledSchema::build(er::SDL).unwrap();
        let fields: String = (0..1000).map(|i| format!(" f{i}: city")).collect();
        let copies: String = (0..1000).map(|i| format!(" c{i}: parent {{ ...F }}")).collect();
        let doc =
            format!("query Q {{ r0: machines {{ location {{{copies} }} }} }} fragment F on Location {{{fields} }}");
        fraiseql_fuzz::alloc::start();
        let prepared = exec::prepare(&cs, &doc, &Limits::default());
        let peak = fraiseql_fuzz::alloc::peak();
        println!("{} bytes of document: peak {peak} bytes", doc.len());
        let Err(errors) = prepared else { panic!("prepared: the fan-out must be refused") };
        assert!(errors[0].message.contains("once its fragments are expanded"), "{:?}", errors[0]);
        assert_eq!(errors[0].code.as_deref(), Some("54000"));
        assert!(peak <= er::peak_bound(doc.len(), 0, false), "peak {peak}");
    });
}

/// `FUZZ_MINIMIZE=<input> [FUZZ_MINIMIZE_OUT=<file>] [FUZZ_MINIMIZE_RATIO=2]`: deletes
/// chunks of an input while it still fails the strict check with the same kind of
/// failure (at least `RATIO` times over its bound), and writes the result.
#[test]
fn minimize() {
    let Some(path) = std::env::var_os("FUZZ_MINIMIZE") else { return };
    let ratio: f64 = std::env::var("FUZZ_MINIMIZE_RATIO").ok().and_then(|v| v.parse().ok()).unwrap_or(1.0);
    let out = std::env::var_os("FUZZ_MINIMIZE_OUT").unwrap_or_else(|| format!("{}.min", path.to_string_lossy()).into());
    let kind = |data: &[u8]| -> Option<String> {
        let data = data.to_vec();
        let r = std::thread::Builder::new().stack_size(8 << 20).spawn(move || er::check(&data, true)).unwrap().join();
        r.err().and_then(|e| {
            let m = e.downcast_ref::<String>().cloned().unwrap_or_default();
            // "<what> <measured> over the bound <bound>": at least `ratio` times over.
            let numbers: Vec<f64> =
                m.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).take(2).collect();
            (numbers.len() < 2 || numbers[0] >= ratio * numbers[1])
                .then(|| m.split(|c: char| c.is_ascii_digit()).next().unwrap_or("").to_string())
        })
    };
    std::panic::set_hook(Box::new(|_| {}));
    let mut data = std::fs::read(&path).unwrap();
    let want = kind(&data).expect("the input does not fail");
    for chunk in [256usize, 64, 16, 4, 1] {
        let mut i = 0;
        while i < data.len() {
            let mut shorter = data.clone();
            shorter.drain(i..(i + chunk).min(data.len()));
            if kind(&shorter).as_deref() == Some(want.as_str()) {
                data = shorter;
            } else {
                i += chunk;
            }
        }
    }
    let _ = std::panic::take_hook();
    std::fs::write(&out, &data).unwrap();
    println!("{} bytes, failing with {want:?}: {}", data.len(), std::path::Path::new(&out).display());
}

/// `FUZZ_RESOURCE_WRITE_SEEDS=<dir>`: searches random inputs for one of each kind of
/// case (many rows, large rows, a failing statement, a mutation, aliased introspection,
/// fragments and alias bursts, nesting to the depth limit) that passes, and writes them.
#[test]
fn write_seeds() {
    let Some(dir) = std::env::var_os("FUZZ_RESOURCE_WRITE_SEEDS") else { return };
    type Kind = (&'static str, fn(&er::Case) -> bool);
    let kinds: &[Kind] = &[
        ("many-rows", |c| c.views.iter().any(|v| v.rows >= 1000)),
        ("hundreds-of-rows", |c| c.views.iter().any(|v| v.rows >= 200) && c.expanded >= 20),
        ("large-rows", |c| c.views.iter().any(|v| v.templates.iter().any(|t| t.len() > 50_000))),
        ("failing-statement", |c| c.views.iter().any(|v| v.fail_after.is_some() && v.rows > 10)),
        ("mutation", |c| c.mutation_result.is_some()),
        ("introspection-aliases", |c| c.introspection && c.document.matches("__schema").count() > 1),
        ("introspection-type", |c| c.introspection && c.document.contains("__type(")),
        ("fragments", |c| c.document.matches("\nfragment").count() >= 3 && c.expansion < 5_000),
        ("alias-burst", |c| c.document.contains("_300:") && c.views.iter().any(|v| v.rows > 20)),
        ("where-order-limit", |c| {
            c.document.contains("where:") && c.document.contains("orderBy:") && c.document.contains("limit:")
        }),
        ("deep", |c| c.document.matches('{').count() > 200 && c.document.len() < 20_000),
    ];
    let mut found = vec![false; kinds.len()];
    for seed in 0..200_000u64 {
        if found.iter().all(|f| *f) {
            break;
        }
        let len = [8, 24, 48, 96, 200, 400, 1000][seed as usize % 7];
        let mut data = bytes(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) + 7, len);
        // Large choices late in the input: the rows' count and sizes come last.
        if seed % 3 == 0 {
            data.extend(std::iter::repeat_n(0xf0u8, 64));
        }
        let c = generate(&data);
        for (i, (name, want)) in kinds.iter().enumerate() {
            if !found[i] && want(&c) && c.expansion <= er::VALIDATION_FANOUT_CAP {
                let d = data.clone();
                if on_stack(move || std::panic::catch_unwind(|| er::check(&d, false)).is_ok()) {
                    std::fs::write(std::path::Path::new(&dir).join(name), &data).unwrap();
                    println!("{name}: seed {seed}, {} bytes", data.len());
                    found[i] = true;
                }
            }
        }
    }
    let missing: Vec<_> = kinds.iter().zip(&found).filter(|(_, f)| !**f).map(|(k, _)| k.0).collect();
    println!("not found: {missing:?}");
}

/// `FUZZ_RESOURCE_FIND=<dir>`: searches random inputs for ones that fail the strict
/// check (the open faults) and writes the first of each kind, well over its bound.
#[test]
fn find_open_faults() {
    let Some(dir) = std::env::var_os("FUZZ_RESOURCE_FIND") else { return };
    std::panic::set_hook(Box::new(|_| {}));
    let (mut validation, mut plan) = (false, false);
    for seed in 0..20_000u64 {
        if validation && plan {
            break;
        }
        let len = [64, 256, 1024, 4096][seed as usize % 4];
        let data = bytes(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) + 1, len);
        let d = data.clone();
        let Err(e) = std::thread::Builder::new().stack_size(8 << 20).spawn(move || er::check(&d, true)).unwrap().join()
        else {
            continue;
        };
        let m = e.downcast_ref::<String>().cloned().unwrap_or_default();
        let n: Vec<f64> = m.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).take(2).collect();
        let ratio = if n.len() == 2 { n[0] / n[1] } else { 0.0 };
        let name = if m.starts_with("memory peak while preparing") && ratio >= 3.0 && !validation {
            validation = true;
            "open-validation-fanout"
        } else if m.starts_with("memory peak ") && !m.starts_with("memory peak while") && ratio >= 1.3 && !plan {
            plan = true;
            "open-plan-fanout"
        } else {
            continue;
        };
        std::fs::write(std::path::Path::new(&dir).join(name), &data).unwrap();
        println!("{name}: seed {seed}, {len} bytes, {ratio:.2} times its bound");
    }
    let _ = std::panic::take_hook();
}
