"""Index-served filters as a client sees them: fraiseql_where served by indexes (its planner
support function) vs the compiled SQL (fraiseql_where_sql) vs the hand-written native SQL,
each with its best plan, on router_configs rows with a GIN jsonb_path_ops index and two
btree expression indexes. Per selective spec:

- server time: planning + execution (EXPLAIN ANALYZE, TIMING OFF) of SELECT id … WHERE …,
  one warm session, the three forms interleaved (round_robin);
- client latency (pgbench, one client over the Unix socket, mean latency over `RUNS`
  executions, the median of `ROUNDS` alternating runs): the literal statement sent each
  time (-M simple: parsed and planned every time) and the prepared statement with the spec
  (or the native values) as bound parameters (-M prepared, plan_cache_mode = auto);
- the planner's row estimate for the native query and for the call, against the rows;
- "before": the same call forced to a sequential scan (what it got without the support
  function).

Then the bind-parameter choice: plans chosen under `auto` after 12 executions, the cost of
a forced generic plan, and the rejected alternative (an index condition computed at run
time, which scans the whole GIN index for a spec with nothing indexable: `data @> '{}'`)."""

import json
import os
import subprocess
import tempfile

from common import (LoadSampler, QUICK, explain_ms, log, plan_node, prewarm, q1, round_robin, run, summary,
                    write_csv, write_result)
from datagen import router_config_table

ROWS = 100_000 if QUICK else 1_000_000
REPS = 3 if QUICK else 7
ROUNDS = 2 if QUICK else 5
RUNS = 100 if QUICK else 300
PG_BIN = "/usr/lib/postgresql/15/bin"
T = "tv_where_index"

# name, spec, types, native (literal), native with pgbench parameters, parameter values
CASES = [
    ("nested id = + isCurrent (GIN)",
     {"machine": {"id": {"eq": "m8"}}, "isCurrent": {"eq": True}}, {},
     """data @> '{"machine": {"id": "m8"}, "is_current": true}'""",
     "data @> :p1::jsonb", ['{"machine": {"id": "m8"}, "is_current": true}']),
    ("typed timestamp range, 1 day (btree fraiseql_as_timestamptz)",
     {"createdAt": {"gte": "2026-03-01T00:00:00Z", "lt": "2026-03-02T00:00:00Z"}}, {"createdAt": "timestamptz"},
     "fraiseql_as_timestamptz(data->'created_at') >= '2026-03-01T00:00:00Z' AND fraiseql_as_timestamptz(data->'created_at') < '2026-03-02T00:00:00Z'",
     "fraiseql_as_timestamptz(data->'created_at') >= :p1::timestamptz AND fraiseql_as_timestamptz(data->'created_at') < :p2::timestamptz",
     ["2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"]),
    ("OR of two equalities (btree ->>, BitmapOr)",
     {"OR": [{"configName": {"eq": "config 42"}}, {"configName": {"eq": "config 4242"}}]}, {},
     "data->>'config_name' = 'config 42' OR data->>'config_name' = 'config 4242'",
     "data->>'config_name' = :p1 OR data->>'config_name' = :p2", ["config 42", "config 4242"]),
    ("OR of two nested ids (GIN, BitmapOr)",
     {"OR": [{"machine": {"id": {"eq": "m8"}}}, {"machine": {"id": {"eq": "m9"}}}]}, {},
     """data @> '{"machine": {"id": "m8"}}' OR data @> '{"machine": {"id": "m9"}}'""",
     "data @> :p1::jsonb OR data @> :p2::jsonb", ['{"machine": {"id": "m8"}}', '{"machine": {"id": "m9"}}']),
]

INDEXES = [
    f"CREATE INDEX {T}_gin ON {T} USING gin (data jsonb_path_ops)",
    f"CREATE INDEX {T}_name ON {T} ((data->>'config_name'))",
    f"CREATE INDEX {T}_created ON {T} (fraiseql_as_timestamptz(data->'created_at'))",
]


def lit(s):
    return s.replace("'", "''")


def estimate(conn, sql):
    """(estimated, actual) rows of the top plan node."""
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql)
        plan = cur.fetchone()[0]
    p = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    return int(p["Plan Rows"]), int(p["Actual Rows"])


def client_ms(mode, script, defs):
    """Mean latency (ms) per statement as pgbench sees it, over RUNS executions."""
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        path = os.path.join(d, "q.sql")
        with open(path, "w") as f:
            f.write(script + "\n")
        args = [f"{PG_BIN}/pgbench", "-n", "-M", mode, "-c", "1", "-t", str(RUNS)]
        for k, v in defs.items():
            args += ["-D", f"{k}={v}"]
        out = subprocess.run(args + ["-f", path], capture_output=True, text=True, cwd=d)
        if out.returncode != 0:
            raise SystemExit(out.stdout + out.stderr)
        return float(next(l for l in out.stdout.splitlines() if l.startswith("latency average = ")).split()[3])


def client_pair(mode, scripts, defs):
    """scripts: {name: script} → {name: summary}, ROUNDS alternating runs of each."""
    return round_robin(scripts, ROUNDS, lambda s: client_ms(mode, s, defs), warmup=0)


def measure(conn):
    results = []
    for name, spec, types, native, native_p, params in CASES:
        spec_s, types_s = lit(json.dumps(spec)), lit(json.dumps(types))
        compiled = q1(conn, f"SELECT fraiseql_where_sql('{spec_s}', 'data', '{types_s}')")
        vs = {
            "native": f"SELECT id FROM {T} WHERE {native}",
            "fraiseql_where": f"SELECT id FROM {T} WHERE fraiseql_where(data, '{spec_s}', '{types_s}')",
            "compiled SQL": f"SELECT id FROM {T} WHERE {compiled}",
        }
        counts = {k: q1(conn, f"SELECT count(*) FROM ({s}) q") for k, s in vs.items()}
        if len(set(counts.values())) != 1:
            raise SystemExit(f"{name}: row counts differ: {counts}")
        plans = {k: plan_node(conn, s) for k, s in vs.items()}
        if plans["fraiseql_where"] in ("Seq Scan", "Parallel Seq Scan"):
            raise SystemExit(f"{name}: fraiseql_where did not use an index")
        server = round_robin(vs, REPS, lambda s: explain_ms(conn, s))
        run(conn, "SET enable_indexscan = off")
        run(conn, "SET enable_bitmapscan = off")
        before = summary([explain_ms(conn, vs["fraiseql_where"]) for _ in range(REPS)])
        run(conn, "RESET enable_indexscan")
        run(conn, "RESET enable_bitmapscan")
        est = {k: estimate(conn, vs[k]) for k in ("native", "fraiseql_where")}
        defs = {"spec": json.dumps(spec), "types": json.dumps(types)}
        defs.update({f"p{i + 1}": v for i, v in enumerate(params)})
        prepared = client_pair("prepared", {
            "native": f"SELECT id FROM {T} WHERE {native_p};",
            "fraiseql_where": f"SELECT id FROM {T} WHERE fraiseql_where(data, :spec::jsonb, :types::jsonb);"}, defs)
        literal = client_pair("simple", {k: vs[k] + ";" for k in ("native", "fraiseql_where")}, {})
        results.append({"case": name, "spec": spec, "matched": counts["native"], "plans": plans, "server": server,
                        "before_seq_scan": before, "estimated": {k: e[0] for k, e in est.items()},
                        "client_literal": literal, "client_prepared": prepared})
        log(f"{name}: server " + ", ".join(f"{k} {st['median']:.3g} ms ({plans[k]})" for k, st in server.items())
            + f"; client literal {literal['native']['median']:.3g} / {literal['fraiseql_where']['median']:.3g} ms"
            + f"; prepared {prepared['native']['median']:.3g} / {prepared['fraiseql_where']['median']:.3g} ms"
            + f"; estimated {est['native'][0]} / {est['fraiseql_where'][0]} of {counts['native']}; before {before['median']:.0f} ms")
    return results


def bind_parameters(conn):
    """Case 1's spec as a bound parameter: the plans `auto` chose after 12 executions, a
    forced generic plan's time, and the full-GIN-scan alternative against a sequential scan."""
    spec = lit(json.dumps(CASES[0][1]))
    out = {}
    run(conn, f"PREPARE a(jsonb) AS SELECT id FROM {T} WHERE fraiseql_where(data, $1)")
    for _ in range(12):
        run(conn, f"EXECUTE a('{spec}')")
    out["auto_after_12"] = q1(conn, "SELECT json_build_object('generic', generic_plans, 'custom', custom_plans) "
                                    "FROM pg_prepared_statements WHERE name = 'a'")
    run(conn, "SET plan_cache_mode = force_generic_plan")
    run(conn, f"PREPARE g(jsonb) AS SELECT id FROM {T} WHERE fraiseql_where(data, $1)")
    out["generic_plan"] = {**summary([explain_ms(conn, f"EXECUTE g('{spec}')") for _ in range(REPS)]),
                           "plan": plan_node(conn, f"EXECUTE g('{spec}')")}
    run(conn, "RESET plan_cache_mode")
    nothing = lit(json.dumps({"version": {"gt": 15}}))
    run(conn, "SET enable_seqscan = off")
    out["full_gin_alternative"] = summary([explain_ms(conn, f"SELECT id FROM {T} WHERE data @> '{{}}' AND fraiseql_where(data, '{nothing}')")
                                           for _ in range(REPS)])
    run(conn, "RESET enable_seqscan")
    out["sequential_scan"] = summary([explain_ms(conn, f"SELECT id FROM {T} WHERE fraiseql_where(data, '{nothing}')") for _ in range(REPS)])
    # by name: DEALLOCATE ALL would also drop the statements psycopg prepared for itself
    conn.execute("DEALLOCATE a", prepare=False)
    conn.execute("DEALLOCATE g", prepare=False)
    log(f"bind parameters: {out['auto_after_12']} after 12 executions under auto; forced generic "
        f"{out['generic_plan']['median']:.0f} ms ({out['generic_plan']['plan']}); full GIN scan {out['full_gin_alternative']['median']:.0f} ms "
        f"vs sequential scan {out['sequential_scan']['median']:.0f} ms")
    return out


def main():
    conn = router_config_table(T, ROWS)
    for ix in INDEXES:
        run(conn, ix)
    run(conn, f"ANALYZE {T}")
    prewarm(conn, T, *(ix.split()[2] for ix in INDEXES))
    with LoadSampler() as sampler:
        results = measure(conn)
        bind = bind_parameters(conn)
    write_result("where_index", {"rows": ROWS, "reps": REPS, "rounds": ROUNDS, "runs": RUNS, "results": results,
                                 "bind_parameters": bind}, sampler, conn)
    rows = []
    for r in results:
        for k, st in r["server"].items():
            rows.append([r["case"], "server", k, r["matched"], r["plans"][k], st["median"], st["min"], st["max"], st["n"]])
        for label in ("client_literal", "client_prepared"):
            for k, st in r[label].items():
                rows.append([r["case"], label, k, r["matched"], "", st["median"], st["min"], st["max"], st["n"]])
        st = r["before_seq_scan"]
        rows.append([r["case"], "before (sequential scan)", "fraiseql_where", r["matched"], "Seq Scan", st["median"], st["min"], st["max"], st["n"]])
    write_csv("where_index", ["case", "measure", "variant", "matched", "plan", "median_ms", "min_ms", "max_ms", "n"], rows)


if __name__ == "__main__":
    main()
