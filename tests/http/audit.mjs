// The GraphQL-over-HTTP spec's server audits (npm graphql-http's serverAudits) against
// the endpoint given as argv[2]. Prints each failing audit, then the counts per level;
// exits 1 when a MUST audit fails (SHOULD and MAY failures are reported as notes).
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const levels = { MUST: { ok: 0, failed: [] }, SHOULD: { ok: 0, failed: [] }, MAY: { ok: 0, failed: [] } };
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  const level = audit.name.split(' ')[0];
  const bucket = levels[level] ?? levels.MAY;
  if (result.status === 'ok') bucket.ok++;
  else bucket.failed.push(`${audit.id} ${audit.name}: ${result.reason}`);
}
for (const [level, { ok, failed }] of Object.entries(levels)) {
  for (const f of failed) console.log(`  ${level === 'MUST' ? 'FAIL' : 'note'} ${f}`);
}
for (const [level, { ok, failed }] of Object.entries(levels)) console.log(`graphql-http ${level} audits: ${ok} of ${ok + failed.length} pass`);
// The closing line counts the MUST audits, the ones that fail the test.
console.log(`graphql_http_audit: ${levels.MUST.ok} passed, ${levels.MUST.failed.length} failed`);
process.exit(levels.MUST.failed.length ? 1 : 0);
