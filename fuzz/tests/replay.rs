//! The fuzz targets under stable `cargo test`, without libFuzzer:
//!
//! * `regressions`: every input a fuzzer ever crashed on (`regressions/<target>/*`), so a
//!   fixed crash stays fixed;
//! * `seed_corpus`: every seed (`corpus/<target>/*`);
//! * `mutations`: seeded random mutations of the seeds (bit flips, dictionary tokens,
//!   splices, repeated chunks), the property-based fallback `scripts/fuzz` runs when the
//!   nightly toolchain libFuzzer needs is not available. `FUZZ_PROPERTY_SECONDS` bounds
//!   it by time per target, otherwise `FUZZ_MUTATIONS` (default 300) inputs per target;
//!   `FUZZ_SEED` picks the random sequence.
//!
//! Inputs run on a thread with an 8 MiB stack, the main-thread stack of a PostgreSQL
//! backend on Linux, which is where the core runs in production. A stack overflow aborts
//! the test process; the aborting thread is named after the input that caused it.

use fraiseql_fuzz::TARGETS;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const STACK: usize = 8 << 20;
/// Longer than libFuzzer's default `-max_len` (4096) so repeated chunks can nest deeply.
const MAX_LEN: usize = 16 << 10;

fn dir(kind: &str, target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(kind).join(target)
}

/// The files of a directory, sorted; none when it does not exist. Dotfiles are skipped.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    out.sort();
    out
}

/// Runs `f` on a fresh thread with the backend's stack size, named `name`.
fn on_backend_stack<T: Send + 'static>(name: String, f: impl FnOnce() -> T + Send + 'static) -> std::thread::Result<T> {
    std::thread::Builder::new().name(name).stack_size(STACK).spawn(f).expect("spawn").join()
}

/// Feeds every file to its target; returns the files that panicked.
fn replay(kind: &str) -> (usize, Vec<String>) {
    let mut count = 0;
    let mut failed = Vec::new();
    for (name, run) in TARGETS {
        for path in files(&dir(kind, name)) {
            count += 1;
            let data = std::fs::read(&path).expect("read input");
            let shown = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(&path).display().to_string();
            let run = *run;
            if on_backend_stack(shown.clone(), move || run(&data)).is_err() {
                failed.push(format!("{name}: {shown}"));
            }
        }
    }
    (count, failed)
}

#[test]
fn regressions() {
    let (count, failed) = replay("regressions");
    println!("replayed {count} regression inputs");
    assert!(failed.is_empty(), "regression inputs that fail again:\n{}", failed.join("\n"));
}

#[test]
fn seed_corpus() {
    for (name, _) in TARGETS {
        assert!(!files(&dir("corpus", name)).is_empty(), "target {name} has no seed corpus");
    }
    let (count, failed) = replay("corpus");
    println!("replayed {count} seeds");
    assert!(failed.is_empty(), "seeds that fail:\n{}", failed.join("\n"));
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Reads a libFuzzer dictionary: one `"token"` per line (`name="token"` too), with `\\`,
/// `\"` and `\xNN` escapes; `#` starts a comment line.
fn dictionary(target: &str) -> Vec<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("dict").join(format!("{target}.dict"));
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (Some(open), Some(close)) = (line.find('"'), line.rfind('"')) else { continue };
        if close <= open {
            continue;
        }
        let body = &line.as_bytes()[open + 1..close];
        let mut token = Vec::new();
        let mut i = 0;
        while i < body.len() {
            if body[i] == b'\\' && i + 1 < body.len() {
                if body[i + 1] == b'x' && i + 3 < body.len() {
                    let hex = std::str::from_utf8(&body[i + 2..i + 4]).unwrap_or("");
                    if let Ok(b) = u8::from_str_radix(hex, 16) {
                        token.push(b);
                        i += 4;
                        continue;
                    }
                }
                token.push(body[i + 1]);
                i += 2;
            } else {
                token.push(body[i]);
                i += 1;
            }
        }
        out.push(token);
    }
    out
}

const INTERESTING: &[u8] = b"{}[]\"\\:,.-+0179eE \n\0tfnu|&!()*@%_aZ";

fn mutate(rng: &mut Rng, input: &[u8], pool: &[Vec<u8>], dict: &[Vec<u8>]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(8) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 if !dict.is_empty() => {
                let t = &dict[rng.below(dict.len())];
                v.splice(at..at, t.iter().copied());
            }
            3 if !v.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            4 | 6 if !v.is_empty() => {
                // Copy (4) or repeat many times (6) a chunk of the input: deep nesting.
                let from = rng.below(v.len());
                let len = 1 + rng.below((v.len() - from).min(32));
                let chunk = v[from..from + len].to_vec();
                let times = if rng.below(2) == 0 { 1 } else { 1 + rng.below(512) };
                let rep: Vec<u8> = chunk.iter().copied().cycle().take(chunk.len() * times).collect();
                v.splice(at..at, rep);
            }
            5 if !pool.is_empty() => {
                let other = &pool[rng.below(pool.len())];
                let cut = rng.below(other.len() + 1);
                v.truncate(at);
                v.extend_from_slice(&other[cut..]);
            }
            _ => v.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
        }
    }
    v.truncate(MAX_LEN);
    v
}

fn env_num(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn mutations() {
    let seconds = env_num("FUZZ_PROPERTY_SECONDS");
    let count = env_num("FUZZ_MUTATIONS").unwrap_or(300);
    let seed = env_num("FUZZ_SEED").unwrap_or(0x5eed_f00d);
    let mut failures = Vec::new();
    for (i, (name, run)) in TARGETS.iter().enumerate() {
        let mut pool: Vec<Vec<u8>> = files(&dir("corpus", name)).iter().map(|p| std::fs::read(p).unwrap()).collect();
        pool.extend(files(&dir("regressions", name)).iter().map(|p| std::fs::read(p).unwrap()));
        if pool.is_empty() {
            pool.push(Vec::new());
        }
        let dict = dictionary(name);
        let run = *run;
        let name = name.to_string();
        let started = Instant::now();
        let result = on_backend_stack(format!("mutations of {name}"), move || {
            let mut rng = Rng(seed ^ (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let mut n = 0u64;
            loop {
                let done = match seconds {
                    Some(s) => started.elapsed() >= Duration::from_secs(s),
                    None => n >= count,
                };
                if done {
                    return Ok(n);
                }
                let base = &pool[rng.below(pool.len())];
                let input = mutate(&mut rng, base, &pool, &dict);
                n += 1;
                if panic::catch_unwind(AssertUnwindSafe(|| run(&input))).is_err() {
                    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("crash-{name}-{seed:x}-{n}"));
                    std::fs::write(&out, &input).expect("write reproducer");
                    return Err(out);
                }
                if pool.len() < 4096 && rng.below(8) == 0 {
                    pool.push(input);
                }
            }
        });
        let elapsed = started.elapsed().as_secs_f64();
        match result {
            Ok(Ok(n)) => println!("{}: {n} mutated inputs in {elapsed:.1} s, no failure", TARGETS[i].0),
            Ok(Err(path)) => failures.push(format!("{}: reproducer {}", TARGETS[i].0, path.display())),
            Err(_) => failures.push(format!("{}: the mutation loop itself panicked", TARGETS[i].0)),
        }
    }
    assert!(failures.is_empty(), "failing inputs:\n{}", failures.join("\n"));
}

/// `corpus/shape_jsonb/` is binary jsonb, so it is generated from these documents rather
/// than written by hand; this test fails when the committed files differ from what the
/// encoder makes of them, and `FRAISEQL_BLESS_SEEDS=1` rewrites them.
#[test]
fn shape_jsonb_seeds_are_the_encoded_documents() {
    let docs = [
        r#"{"id": 1, "config_name": "edge", "is_current": true, "secret": "s3cr3t",
            "machine": {"id": "m1", "name": "paris", "ip_address": "10.0.0.1", "location": {"city": "Paris", "rack": 4}},
            "posts": [{"id": 10, "title": "a", "author": {"name": "ann"}}, null, {"id": 11, "title": "b"}],
            "tags": ["x", 1, null, {"k": "v"}], "empty": [], "_private": 7}"#,
        r#"{"s": "quote \" backslash \\ tab \t nl \n ctl \u0001 emoji 😀 nonbmp 𝄞", "n": 1.10, "big": 1e400, "neg": -0.0, "e": 2.5E-3}"#,
        r#"{"a": {"b": {"c": {"d": {"e": [[[[1, 2.5, -3e-7]]]]}}}}, "p": "top.science.astronomy"}"#,
        r#"[1, "two", 3.0, true, false, null, [], {}, {"k": [1]}]"#,
        r#""scalar string""#,
        r#"123456789012345678901234567890.123456789"#,
        r#"{"ip": "192.168.1.10", "mac": "08:00:2b:01:02:03", "at": "2026-01-01T10:00:00Z", "d": "[2026-01-01,2026-02-01)"}"#,
    ];
    let mut many = String::from("{");
    for i in 0..40 {
        many.push_str(&format!(r#""key{i:02}": {i}, "#));
    }
    many.push_str(r#""last": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34]}"#);
    let out = dir("corpus", "shape_jsonb");
    std::fs::create_dir_all(&out).unwrap();
    for (i, d) in docs.iter().copied().chain([many.as_str()]).enumerate() {
        let bytes = fraiseql_core::jsonb::encode(d).unwrap_or_else(|e| panic!("{d}: {e}"));
        let file = out.join(format!("doc{i}.jsonb"));
        if std::env::var_os("FRAISEQL_BLESS_SEEDS").is_some() {
            std::fs::write(&file, &bytes).unwrap();
        }
        assert_eq!(
            std::fs::read(&file).ok(),
            Some(bytes),
            "{} is stale: FRAISEQL_BLESS_SEEDS=1 rewrites it",
            file.display()
        );
    }
}
