"""Scaling and memory.

1. Time vs rows, 10 .. 1M: fraiseql_where vs the native predicate (count over the first N
   rows of the table), fraiseql_shape_agg vs json_agg(data) (the first N rows shaped into
   one array).
2. Backend memory: the peak anonymous RSS of the backend (RssAnon in /proc/<pid>/status,
   sampled every 5 ms; shared buffers are not anonymous memory, so they do not count) above
   its value before the statement, for fraiseql_where over 10k and over all rows (memory
   per row filtered must be constant), for the largest shaping run (every row into one
   array, against json_agg(data)), and for fraiseql_execute of a 10,000-row list when the
   engine is installed.
3. Parallel sequential scans with 0, 1 and 2 workers per gather: fraiseql_where (an
   equality pair, and an OR with a string prefix), the native predicate, and
   fraiseql_shape_agg of filtered rows; the answers must not change with the workers, and
   every parallel plan must launch its workers."""

import json

from common import (LoadSampler, PeakSampler, QUICK, backend_pid, connect, explain_ms, log, plan_node, prewarm, q1,
                    round_robin, run, write_csv, write_result)
from datagen import router_config_table

MAX_ROWS = 100_000 if QUICK else 1_000_000
REPS = 3 if QUICK else 5
T = "tv_scale"
SPEC = '{"machine": {"id": {"eq": "m8"}}, "isCurrent": {"eq": true}}'
NATIVE = "data->'machine'->>'id' = 'm8' AND (data->>'is_current')::boolean"
SEL = "{ id configName isCurrent machine { id name } }"


def sizes():
    n, out = 10, []
    while n <= MAX_ROWS:
        out.append(n)
        n *= 10
    return out


def time_vs_rows(conn):
    results = []
    for n in sizes():
        reps = REPS if n < 1_000_000 else max(3, REPS - 2)
        vs = {
            "fraiseql_where": f"SELECT count(*) FROM (SELECT data FROM {T} LIMIT {n}) s WHERE fraiseql_where(data, '{SPEC}')",
            "native predicate": f"SELECT count(*) FROM (SELECT data FROM {T} LIMIT {n}) s WHERE {NATIVE}",
            "fraiseql_shape_agg": f"SELECT fraiseql_shape_agg(data, '{SEL}') IS NULL FROM (SELECT data FROM {T} LIMIT {n}) s",
            "json_agg(data)": f"SELECT json_agg(data) IS NULL FROM (SELECT data FROM {T} LIMIT {n}) s",
        }
        stats = round_robin(vs, reps, lambda s: explain_ms(conn, s))
        for k, st in stats.items():
            results.append({"rows": n, "variant": k, **st})
        log(f"{n} rows: " + ", ".join(f"{k} {st['median']:.3f} ms" for k, st in stats.items()))
    return results


def peak_kb(sql, params=None, settings=()):
    """Peak RssAnon growth (kB) of a fresh backend while it runs sql, and its time."""
    conn = connect()
    for s in settings:
        run(conn, s)
    run(conn, "SELECT 1")
    pid = backend_pid(conn)
    with PeakSampler([pid]) as ps:
        base = ps.base
        ms = explain_ms(conn, sql, params)
    conn.close()
    return {"peak_kb": max(0, ps.peak - base), "base_kb": base, "ms": ms}


def memory(conn):
    out = {}
    out["fraiseql_where, 10k rows"] = peak_kb(f"SELECT count(*) FROM (SELECT data FROM {T} LIMIT 10000) s WHERE fraiseql_where(data, '{SPEC}')")
    out[f"fraiseql_where, {MAX_ROWS} rows"] = peak_kb(f"SELECT count(*) FROM {T} WHERE fraiseql_where(data, '{SPEC}')")
    out[f"native predicate, {MAX_ROWS} rows"] = peak_kb(f"SELECT count(*) FROM {T} WHERE {NATIVE}")
    out[f"fraiseql_shape_agg, {MAX_ROWS} rows into one array"] = peak_kb(f"SELECT length(fraiseql_shape_agg(data, '{SEL}')::text) FROM {T}")
    out[f"json_agg(data), {MAX_ROWS} rows into one array"] = peak_kb(f"SELECT length(json_agg(data)::text) FROM {T}")
    out["fraiseql_shape_agg, 10k rows"] = peak_kb(f"SELECT length(fraiseql_shape_agg(data, '{SEL}')::text) FROM (SELECT data FROM {T} LIMIT 10000) s")
    out["json_agg(data), 10k rows"] = peak_kb(f"SELECT length(json_agg(data)::text) FROM (SELECT data FROM {T} LIMIT 10000) s")
    if q1(conn, "SELECT EXISTS (SELECT FROM pg_proc WHERE proname = 'fraiseql_execute')"):
        try:
            sdl = ("type Location { city: String }\ntype Machine { id: String name: String location: Location }\n"
                   "type RouterConfig { id: Int! configName: String isCurrent: Boolean machine: Machine }\n"
                   f'type Query {{ routerConfigs: [RouterConfig!]! @view(name: "{T}") }}\n')
            q1(conn, "SELECT fraiseql_register_schema(%s, 'scale')", (sdl,))
            req = json.dumps({"query": "{ routerConfigs(limit: 10000) { id configName isCurrent machine { id name } } }"})
            out["fraiseql_execute, 10k-row list"] = peak_kb("SELECT length(fraiseql_execute(%s::jsonb, 'scale')::text)", (req,))
            out["fraiseql_shape_agg, same 10k rows (for comparison)"] = peak_kb(
                f"SELECT length(fraiseql_shape_agg(data, '{SEL}')::text) FROM (SELECT data FROM {T} LIMIT 10000) s")
        except Exception as e:  # report, do not fail the phase
            out["fraiseql_execute, 10k-row list"] = {"error": str(e)[:300]}
    else:
        out["fraiseql_execute, 10k-row list"] = {"error": "fraiseql_execute is not in this build (not yet available)"}
    for k, v in out.items():
        log(f"memory: {k}: {v}")
    return out


PARALLEL = {
    "fraiseql_where": f"SELECT count(*) FROM {T} WHERE fraiseql_where(data, '{SPEC}')",
    "native predicate": f"SELECT count(*) FROM {T} WHERE {NATIVE}",
    "fraiseql_where, OR of city / name prefix": (
        f"SELECT count(*) FROM {T} WHERE fraiseql_where(data, "
        """'{"OR": [{"machine": {"location": {"city": {"eq": "Lyon"}}}}, {"configName": {"startswith": "config 99"}}]}')"""),
    # fraiseql_shape_agg has no combine function: the rows are filtered in parallel and
    # shaped by the leader
    "fraiseql_shape_agg of the filtered rows": (
        f"SELECT length(fraiseql_shape_agg(data, '{{ id configName machine {{ name }} }}')::text) FROM {T} WHERE fraiseql_where(data, "
        """'{"machine": {"id": {"in": ["m1", "m2", "m3"]}}}')"""),
}


def workers_launched(conn, sql):
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql)
        plan = cur.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]

    def walk(n):
        yield n
        for c in n.get("Plans", []):
            yield from walk(c)
    return sum(n.get("Workers Launched", 0) for n in walk(plan))


def parallel(conn):
    """Each statement with 0, 1 and 2 workers per gather: the same answer with and without
    workers, workers launched whenever they are allowed, and the times."""
    results = []
    vs = PARALLEL
    # parallel plans made cheap (setup and tuple transfer costs 0), so that the planner takes
    # one whenever the statement may run in parallel: the question is whether it can
    run(conn, "SET parallel_setup_cost = 0")
    run(conn, "SET parallel_tuple_cost = 0")
    answers = {}
    for w in (0, 1, 2):
        run(conn, f"SET max_parallel_workers_per_gather = {w}")
        plans = {k: plan_node(conn, s) for k, s in vs.items()}
        launched = {k: workers_launched(conn, s) for k, s in vs.items()}
        for k, s in vs.items():
            a = q1(conn, s)
            if answers.setdefault(k, a) != a:
                raise SystemExit(f"parallel, {k}: {a} with {w} workers, {answers[k]} without")
            if w and not launched[k]:
                raise SystemExit(f"parallel, {k}: the plan launched no worker with {w} allowed")
        stats = round_robin(vs, REPS, lambda s: explain_ms(conn, s))
        for k, st in stats.items():
            results.append({"workers": w, "variant": k, "plan": plans[k], "launched": launched[k], "answer": answers[k], **st})
        log(f"{w} workers: " + ", ".join(f"{k} {st['median']:.1f} ms ({plans[k]}, {launched[k]} launched)" for k, st in stats.items()))
    run(conn, "RESET max_parallel_workers_per_gather")
    run(conn, "RESET parallel_setup_cost")
    run(conn, "RESET parallel_tuple_cost")
    return results


def main():
    conn = router_config_table(T, MAX_ROWS)
    prewarm(conn, T)
    with LoadSampler() as sampler:
        tvr = time_vs_rows(conn)
        mem = memory(conn)
        par = parallel(conn)
    write_result("scale", {"reps": REPS, "time_vs_rows": tvr, "memory": mem, "parallel": par}, sampler, conn)
    write_csv("scale", ["rows", "variant", "median_ms", "min_ms", "max_ms", "n"],
              [[r["rows"], r["variant"], r["median"], r["min"], r["max"], r["n"]] for r in tvr])


if __name__ == "__main__":
    main()
