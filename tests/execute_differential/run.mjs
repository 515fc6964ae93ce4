// Runs every operation of corpus.json through fraiseql_execute and through the graphql-js
// reference, each in its own transaction that is rolled back (mutations leave nothing),
// and compares: the presence of `data` and its JSON text (key order significant; numbers
// compared as JSON values, so 12.50 and 12.5 are one number), and the errors as a set of
// {path, locations}. Each engine error message must name one of the fields, types or
// variables the reference message names (wording is free, the spec does not fix it).
//
// Before that, the reference itself is checked against the extension: every where-spec
// and ordering the reference applied is run through fraiseql_where/fraiseql_order_sql on
// the same rows and must select the same ids in the same order (ties in id order: the
// reference sorts stably and reads the rows in id order).
//
// The reference executes the schema the engine exposes (its introspection, see
// exposed_schema.mjs), so fraiseql_execute must be installed, also for the self-test.
//
// Connection: the PG* environment (a Unix socket). Exit status 1 on any failure.
// FRAISEQL_DIFF_ONLY=name,name runs only those cases; FRAISEQL_DIFF_VERBOSE=1 prints both
// responses of every case; FRAISEQL_DIFF_ENGINE=reference compares the reference with itself.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { makeReference } from './reference.mjs';
import { orderLeaves, typeHints } from './where.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const sdl = readFileSync(join(here, 'schema.graphql'), 'utf8');
const corpus = JSON.parse(readFileSync(join(here, 'corpus.json'), 'utf8'));
// Mismatches that are the engine's, not the reference's: case name -> what is wrong.
// Printed, and counted apart from the failures (see the summary line).
const KNOWN = JSON.parse(readFileSync(join(here, 'known.json'), 'utf8'));
const only = process.env.FRAISEQL_DIFF_ONLY ? new Set(process.env.FRAISEQL_DIFF_ONLY.split(',')) : null;
const verbose = process.env.FRAISEQL_DIFF_VERBOSE === '1';

const client = new pg.Client();
await client.connect();
if (!(await client.query("SELECT to_regprocedure('fraiseql_execute(jsonb,text)') IS NOT NULL AS ok")).rows[0].ok) {
  console.log('fraiseql_execute is not installed: the reference needs its introspection of the schema');
  process.exit(1);
}
await client.query('SELECT fraiseql_register_schema($1)', [sdl]);
const ref = await makeReference(client, sdl);

async function inRolledBackTransaction(fn) {
  await client.query('BEGIN');
  try {
    return await fn();
  } finally {
    await client.query('ROLLBACK');
  }
}

// FRAISEQL_DIFF_ENGINE=reference puts the reference in the engine's place: every case must
// pass, which checks the comparison itself.
const selfTest = process.env.FRAISEQL_DIFF_ENGINE === 'reference';
const engine = async (request) => (selfTest ? ref.execute(client, request)
  : JSON.parse((await client.query('SELECT fraiseql_execute($1::jsonb)::text AS r', [JSON.stringify(request)])).rows[0].r));

// ------------------------------------------------------------ reference self-check
let selfOk = 0;
const selfFail = [];
async function selfCheck(name, entry) {
  const types = typeHints(entry.type, ref.schema);
  const spec = entry.where === null ? {} : entry.where;
  let sqlIds;
  // A savepoint per check: an error raised by the extension must not abort the checks
  // that follow in the same transaction.
  await client.query('SAVEPOINT self_check');
  try {
    // fraiseql_order_sql takes one field per element (jsonb keeps no key order): the
    // reference's sort keys, in its order, one per element.
    const oneKeyEach = entry.orderBy === null ? null
      : orderLeaves(entry.orderBy, entry.type, ref.schema).map((l) => l.names.reduceRight((v, n) => ({ [n]: v }), l.dir));
    const orderSql = oneKeyEach === null ? null
      : (await client.query("SELECT fraiseql_order_sql($1::jsonb, 'data', $2::jsonb) AS o", [JSON.stringify(oneKeyEach), JSON.stringify(types)])).rows[0].o;
    const ids = await client.query(
      `SELECT data->>'id' AS id FROM "${entry.view}" WHERE fraiseql_where(data, $1::jsonb, $2::jsonb) ORDER BY ${orderSql ? `${orderSql}, id` : 'id'}`,
      [JSON.stringify(spec), JSON.stringify(types)]);
    sqlIds = ids.rows.map((r) => r.id);
    await client.query('RELEASE SAVEPOINT self_check');
  } catch (e) {
    await client.query('ROLLBACK TO SAVEPOINT self_check');
    if (entry.error) selfOk++;
    else selfFail.push(`${name}: ${entry.view} where ${JSON.stringify(spec)}: the extension raised: ${e.message}`);
    return;
  }
  if (entry.error) {
    selfFail.push(`${name}: ${entry.view} where ${JSON.stringify(spec)}: the reference raised (${entry.error}), the extension did not`);
    return;
  }
  const want = entry.orderBy === null ? [...entry.filtered].sort() : entry.sorted;
  const got = entry.orderBy === null ? [...sqlIds].sort() : sqlIds;
  if (JSON.stringify(want) === JSON.stringify(got)) selfOk++;
  else selfFail.push(`${name}: ${entry.view} where ${JSON.stringify(spec)} order ${JSON.stringify(entry.orderBy)}\n      reference: ${want.join(' ')}\n      extension: ${got.join(' ')}`);
}

// ------------------------------------------------------------ comparison
const names = (message) => {
  const out = [...message.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  for (const m of message.matchAll(/\b([A-Z][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\b/g)) out.push(m[2]);
  return out.flatMap((n) => (n.startsWith("$") ? [n, n.slice(1)] : [n])).filter((n) => n.length >= 2);
};
const errorKey = (e) => JSON.stringify({ path: e.path ?? null, locations: e.locations ?? null });

function compare(want, got) {
  const problems = [];
  if (('data' in want) !== ('data' in got)) problems.push(`data ${'data' in want ? 'present' : 'absent'} in graphql-js, ${'data' in got ? 'present' : 'absent'} in fraiseql_execute`);
  else if (JSON.stringify(want.data) !== JSON.stringify(got.data)) problems.push(`data differs\n      expected: ${JSON.stringify(want.data)}\n      got:      ${JSON.stringify(got.data)}`);
  const we = (want.errors || []).map(errorKey).sort();
  const ge = (got.errors || []).map(errorKey).sort();
  if (JSON.stringify(we) !== JSON.stringify(ge)) {
    problems.push(`errors differ (path/locations)\n      expected: ${JSON.stringify(want.errors || [])}\n      got:      ${JSON.stringify(got.errors || [])}`);
  } else {
    for (const w of want.errors || []) {
      const ns = names(w.message);
      if (!ns.length) continue;
      const candidates = (got.errors || []).filter((g) => errorKey(g) === errorKey(w));
      if (!candidates.some((g) => typeof g.message === 'string' && ns.some((n) => g.message.includes(n)))) {
        problems.push(`error message names none of ${JSON.stringify(ns)}\n      expected: ${w.message}\n      got:      ${candidates.map((g) => g.message).join(' | ')}`);
      }
    }
  }
  return problems;
}

let passed = 0;
let failed = 0;
const known = [];
for (const c of corpus) {
  if (only && !only.has(c.name)) continue;
  const request = { query: c.query };
  if (c.variables !== undefined) request.variables = c.variables;
  if (c.operationName !== undefined) request.operationName = c.operationName;
  const trace = [];
  const want = await inRolledBackTransaction(async () => {
    const r = await ref.execute(client, request, trace);
    for (const entry of trace) await selfCheck(c.name, entry);
    return r;
  });
  if (c.expect) {
    // The case documents what it exercises; check the reference does it.
    const text = JSON.stringify(want);
    for (const needle of [].concat(c.expect)) if (!text.includes(needle)) selfFail.push(`${c.name}: reference response lacks ${needle}: ${text}`);
  }
  let got;
  try {
    got = await inRolledBackTransaction(() => engine(request));
  } catch (e) {
    got = { sqlError: `${e.code ?? ''} ${e.message}` };
  }
  const problems = got.sqlError ? [`fraiseql_execute raised ${got.sqlError}`] : compare(want, got);
  if (verbose) console.log(`-- ${c.name}\n   reference: ${JSON.stringify(want)}\n   engine:    ${JSON.stringify(got)}`);
  if (!problems.length) {
    passed++;
    if (KNOWN[c.name]) console.log(`NOTE ${c.name} is listed in known.json but passes now: remove it`);
  } else if (KNOWN[c.name]) {
    known.push(`${c.name}: ${KNOWN[c.name]}`);
  } else {
    failed++;
    console.log(`FAIL ${c.name}\n   ${c.query}${c.variables ? `\n   variables: ${JSON.stringify(c.variables)}` : ''}\n   - ${problems.join('\n   - ')}`);
  }
}
await client.end();

console.log(`reference self-check: ${selfOk} filters and orderings agree with fraiseql_where/fraiseql_order_sql, ${selfFail.length} differ`);
for (const f of selfFail) console.log(`  SELF ${f}`);
if (known.length) {
  console.log(`KNOWN engine mismatches (known.json), ${known.length}:`);
  for (const k of known) console.log(`  KNOWN ${k}`);
}
console.log(`execute_differential: ${passed} passed, ${failed} failed${known.length ? `, ${known.length} skipped` : ''}`);
process.exit(failed || selfFail.length ? 1 : 0);
