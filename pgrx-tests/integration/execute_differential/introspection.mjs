// GraphiQL's introspection query through fraiseql_execute: the result must be accepted by
// graphql-js's buildClientSchema, and the schema it describes must be the one the agreed
// conventions expose for the SDL (exposed_schema.mjs), types, fields, arguments, enum
// values and descriptions alike (compared sorted: field order is not part of a schema's
// meaning). A few operations using the generated inputs must validate against it.
// Connection: the PG* environment. Exit status 1 on any failure.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  buildClientSchema, getIntrospectionQuery, lexicographicSortSchema, parse, printSchema, validate,
} from 'graphql';
import { exposedSchema } from './exposed_schema.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const sdl = readFileSync(join(here, 'schema.graphql'), 'utf8');
const client = new pg.Client();
await client.connect();
await client.query('SELECT fraiseql_register_schema($1)', [sdl]);
const expected = printSchema(lexicographicSortSchema(exposedSchema(sdl).schema));

const operations = [
  '{ routerConfigs(where: {machine: {location: {city: {eq: "Paris"}}}, tags: {any: {startsWith: "net"}}}, orderBy: [{createdAt: DESC}], limit: 5) { id machine { name } } }',
  'query($w: RouterConfigWhereInput, $o: [RouterConfigOrderBy!]) { routerConfigs(where: $w, orderBy: $o) { id } }',
  '{ routerConfigs(where: {OR: [{managementIp: {inSubnet: "10.0.0.0/8"}}, {managementIp: {inRange: {from: "10.0.0.1", to: "10.0.0.9"}}}], NOT: {posts: {any: {likes: {gt: 5}}}}}) { id } }',
  'mutation { setConfigCurrent(input: {id: "x", isCurrent: true}) { id } }',
];

let failed = 0;
const cases = [
  ['getIntrospectionQuery()', {}],
  ['getIntrospectionQuery() with every option GraphiQL may ask for',
    { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }],
];
for (const [name, options] of cases) {
  const query = getIntrospectionQuery(options);
  const response = JSON.parse((await client.query('SELECT fraiseql_execute($1::text)::text AS r', [query])).rows[0].r);
  try {
    if (response.errors) throw new Error(`errors: ${JSON.stringify(response.errors)}`);
    const schema = buildClientSchema(response.data);
    const got = printSchema(lexicographicSortSchema(schema));
    if (got !== expected) {
      const a = got.split('\n');
      const b = expected.split('\n');
      const i = a.findIndex((line, k) => line !== b[k]);
      throw new Error(`the schema differs from the exposed schema at line ${i + 1}:\n  got:      ${a[i]}\n  expected: ${b[i]}`);
    }
    for (const op of operations) {
      const errors = validate(schema, parse(op));
      if (errors.length) throw new Error(`${op}: ${errors.map((e) => e.message).join('; ')}`);
    }
    console.log(`ok   ${name}: buildClientSchema accepts it, ${Object.keys(schema.getTypeMap()).length} types, as exposed`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
await client.end();
process.exit(failed ? 1 : 0);
