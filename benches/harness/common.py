"""Shared pieces of the benchmark drivers (benches/harness/*.py).

Every driver runs against the throwaway cluster that benches/run.sh started (PG*
variables), interleaves the variants it compares (round-robin repetitions, so that
contention from other work on the machine falls on all of them alike), and writes its raw
measurements to $BENCH_OUT/data/<phase>.json, with the load average sampled during the
phase.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time

import psycopg

MODE = os.environ.get("BENCH_MODE", "quick")
QUICK = MODE == "quick"
OUT = os.environ.get("BENCH_OUT", os.path.join(os.path.dirname(__file__), "..", "report"))
DATA = os.path.join(OUT, "data")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def log(*a):
    print("   ", *a, flush=True)


def connect(**kw):
    conn = psycopg.connect(dbname=os.environ.get("PGDATABASE", "postgres"), autocommit=True, **kw)
    return conn


def q1(conn, sql, params=None):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
        return row[0] if row else None


def run(conn, sql, params=None):
    with conn.cursor() as cur:
        cur.execute(sql, params)


def explain_ms(conn, sql, params=None):
    """Planning + execution time (ms) of one run, EXPLAIN (ANALYZE, TIMING OFF)."""
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        p = plan[0]
        return p.get("Planning Time", 0.0) + p["Execution Time"]


def plan_node(conn, sql, params=None):
    """The scan the plan uses (first scan-like node), for the tables."""
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (COSTS OFF) " + sql, params)
        text = "\n".join(r[0] for r in cur.fetchall())
    for kind in ("Bitmap Heap Scan", "Index Only Scan", "Index Scan", "Parallel Seq Scan", "Seq Scan", "Function Scan"):
        if kind in text:
            return kind
    return text.splitlines()[0].strip()


def summary(xs):
    xs = sorted(xs)
    return {"median": statistics.median(xs), "min": xs[0], "max": xs[-1], "n": len(xs), "samples": xs}


def round_robin(variants, reps, measure, warmup=1):
    """variants: {name: arg}; measure(arg) -> float. Runs `warmup` unrecorded rounds, then
    `reps` rounds, each running every variant once, the starting variant rotating."""
    names = list(variants)
    for _ in range(warmup):
        for n in names:
            measure(variants[n])
    out = {n: [] for n in names}
    for r in range(reps):
        k = r % len(names)
        for n in names[k:] + names[:k]:
            out[n].append(measure(variants[n]))
    return {n: summary(v) for n, v in out.items()}


class LoadSampler:
    """Samples the 1-minute load average every few seconds while a phase runs."""

    def __init__(self, every=5.0):
        self.every = every
        self.samples = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            self.samples.append((round(time.time(), 1),) + tuple(round(x, 2) for x in os.getloadavg()))
            self._stop.wait(self.every)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def machine_info(conn=None):
    info = {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "git": os.environ.get("BENCH_GIT", "unknown"),
        "mode": MODE,
    }
    if conn is not None:
        info["postgres"] = q1(conn, "SELECT version()")
        info["fraiseql"] = q1(conn, "SELECT extversion FROM pg_extension WHERE extname = 'fraiseql'")
    return info


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def write_result(phase, payload, sampler=None, conn=None):
    os.makedirs(DATA, exist_ok=True)
    payload = dict(payload)
    payload["phase"] = phase
    payload["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    payload["machine"] = machine_info(conn)
    if sampler is not None:
        payload["loadavg"] = sampler.samples
    path = os.path.join(DATA, f"{phase}.json")
    with open(path, "w") as f:
        json.dump(payload, f, indent=1, sort_keys=False)
    log(f"raw data: {os.path.relpath(path, ROOT)}")


def write_csv(phase, header, rows):
    os.makedirs(DATA, exist_ok=True)
    path = os.path.join(DATA, f"{phase}.csv")
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(_csv(x) for x in r) + "\n")


def _csv(x):
    if isinstance(x, float):
        return f"{x:.4g}"
    s = str(x)
    if any(c in s for c in ',"\n'):
        s = '"' + s.replace('"', '""') + '"'
    return s


def prewarm(conn, *relations):
    run(conn, "CREATE EXTENSION IF NOT EXISTS pg_prewarm")
    for r in relations:
        q1(conn, "SELECT pg_prewarm(%s)", (r,))


def backend_pid(conn):
    return q1(conn, "SELECT pg_backend_pid()")


def proc_status(pid, key):
    """A kB value from /proc/<pid>/status (RssAnon, VmHWM, …), or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class PeakSampler:
    """Peak of a /proc/<pid>/status value (kB) while a block runs, sampled every 5 ms."""

    def __init__(self, pids, key="RssAnon", every=0.005):
        self.pids, self.key, self.every = list(pids), key, every
        self.peak = 0
        self.base = sum(proc_status(p, key) or 0 for p in self.pids)
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            v = sum(proc_status(p, self.key) or 0 for p in self.pids)
            self.peak = max(self.peak, v)
            self._stop.wait(self.every)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout
