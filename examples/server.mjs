// A GraphQL-over-HTTP endpoint in front of fraiseql_execute: node:http and pg, nothing else
// at run time but the graphql parser (to refuse mutations over GET). The database does the
// GraphQL work; this file only moves bodies and picks status codes.
//
//   PGHOST=/path/to/socket/dir PGPORT=5432 PGUSER=… PGDATABASE=… node examples/server.mjs
//   POST /graphql   {"query", "variables", "operationName", "extensions"} as JSON
//   GET  /graphql?query=…&variables=…   (queries only)
//   GET  /graphql   from a browser (Accept: text/html): GraphiQL, from examples/graphiql/dist
// HOST (default 127.0.0.1), PORT (default 4000), FRAISEQL_SCHEMA (default "default").
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { parse, getOperationAST } from 'graphql';
import pg from 'pg';

const pool = new pg.Pool({ max: 4 });
const schemaName = process.env.FRAISEQL_SCHEMA ?? 'default';
const dist = new URL('./graphiql/dist/', import.meta.url);
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fraiseql · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<style>body { margin: 0; } #graphiql { height: 100vh; }</style></head>
<body><div id="graphiql">Loading GraphiQL…</div><script src="/graphiql/graphiql.js"></script></body></html>`;

function send(res, status, type, body, headers = {}) {
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(body);
}
const requestError = (message) => JSON.stringify({ errors: [{ message }] });

// The request's parameters, or a message saying why they are not valid.
function params(p, method) {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return 'the body must be a JSON object';
  // A POST may name a persisted query by its hash alone (Apollo APQ); the database
  // answers PersistedQueryNotFound until the client sends the text once.
  const hashOnly = method === 'POST' && p.query == null && p.extensions?.persistedQuery != null;
  if (typeof p.query !== 'string' && !hashOnly) return 'query must be a string';
  for (const k of ['variables', 'extensions']) {
    if (p[k] != null && (typeof p[k] !== 'object' || Array.isArray(p[k]))) return `${k} must be an object`;
  }
  if (p.operationName != null && typeof p.operationName !== 'string') return 'operationName must be a string';
  return null;
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const accept = req.headers.accept ?? '';
  // GraphQL-over-HTTP: application/graphql-response+json when the client takes it, then
  // request errors (no "data") are 4xx; with application/json they are 200.
  const gqlResponse = accept.includes('application/graphql-response+json');
  const type = `${gqlResponse ? 'application/graphql-response+json' : 'application/json'}; charset=utf-8`;

  if (req.method === 'GET' && url.pathname.startsWith('/graphiql/')) {
    const name = url.pathname.slice('/graphiql/'.length);
    if (!/^graphiql\.(js|css)$/.test(name)) return send(res, 404, 'text/plain', 'not found');
    const body = await readFile(new URL(name, dist)).catch(() => null);
    if (!body) return send(res, 404, 'text/plain', 'GraphiQL is not built: npm ci --prefix examples && npm run --prefix examples build');
    return send(res, 200, name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8', body);
  }
  if (url.pathname !== '/graphql') return send(res, 404, 'text/plain', 'not found: the endpoint is /graphql');

  let p;
  if (req.method === 'GET') {
    if (!url.searchParams.has('query') && accept.includes('text/html')) return send(res, 200, 'text/html; charset=utf-8', PAGE);
    p = Object.fromEntries(url.searchParams);
    for (const k of ['variables', 'extensions']) {
      try {
        if (p[k] !== undefined) p[k] = JSON.parse(p[k]);
      } catch {
        return send(res, 400, type, requestError(`${k} is not valid JSON`));
      }
    }
  } else if (req.method === 'POST') {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return send(res, 415, type, requestError('POST bodies must be application/json'));
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    try {
      p = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, type, requestError('the body is not valid JSON'));
    }
  } else {
    return send(res, 405, type, requestError('use GET or POST'), { allow: 'GET, POST' });
  }
  const invalid = params(p, req.method);
  if (invalid) return send(res, 400, type, requestError(invalid));

  if (req.method === 'GET') {
    let op = null;
    try {
      op = getOperationAST(parse(p.query), p.operationName);
    } catch {
      // a syntax error: fraiseql_execute reports it
    }
    if (op && op.operation !== 'query') {
      return send(res, 405, type, requestError(`${op.operation}s need POST`), { allow: 'POST' });
    }
  }
  const { rows } = await pool.query('SELECT fraiseql_execute($1::jsonb, $2)::text AS r', [JSON.stringify(p), schemaName]);
  const body = rows[0].r;
  const status = gqlResponse && !('data' in JSON.parse(body)) ? 400 : 200;
  send(res, status, type, body);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    console.error(e);
    if (!res.headersSent) send(res, 500, 'application/json; charset=utf-8', requestError(`internal error: ${e.message}`));
  });
});
const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => console.log(`fraiseql GraphQL endpoint on http://${host}:${server.address().port}/graphql`));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => pool.end().then(() => process.exit(0))));
