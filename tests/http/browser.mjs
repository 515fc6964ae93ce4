// Headless Chromium (Debian's package) against the example endpoint's GraphiQL page:
// loads it as a browser does (GET, Accept: text/html), sets a query in the editor, presses
// the run button, reads the rendered response and checks it; saves a screenshot.
// A small Chrome DevTools Protocol client over the `ws` package; no browser download.
//   node browser.mjs <endpoint URL> <screenshot.png>
// CHROMIUM overrides the browser binary (default: chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

const [endpoint, screenshot] = process.argv.slice(2);
const QUERY = `{
  routerConfigs(where: {isCurrent: {eq: true}}, orderBy: [{createdAt: DESC}]) {
    configName
    machine { name }
  }
}`;
// What the demo data gives for QUERY (examples/schema.sql).
const EXPECTED = { data: { routerConfigs: [
  { configName: 'paris-core v7', machine: { name: 'core-paris-02' } },
  { configName: 'berlin-edge v2', machine: { name: 'edge-berlin-01' } },
  { configName: 'paris-edge v2', machine: { name: 'edge-paris-01' } },
] } };

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const port = await freePort();
const profile = mkdtempSync(join(tmpdir(), 'fraiseql-chromium-'));
const browser = spawn(process.env.CHROMIUM ?? 'chromium', [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
  '--no-default-browser-check', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-extensions', '--metrics-recording-only', '--no-pings',
  // Only loopback traffic: every other host goes to a closed local proxy port.
  '--proxy-server=http://127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  `--remote-debugging-address=127.0.0.1`, `--remote-debugging-port=${port}`, `--user-data-dir=${profile}`,
  '--window-size=1400,900', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
let browserLog = '';
browser.stderr.on('data', (c) => { browserLog += c; });

let ws;
async function cleanup() {
  try { ws?.close(); } catch { /* closing anyway */ }
  const exited = new Promise((resolve) => (browser.exitCode !== null ? resolve() : browser.once('exit', resolve)));
  browser.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  // Chromium's helper processes (renderer, GPU, crash handler) are in its process group
  // and may still write into the profile after the browser itself exits.
  try { process.kill(-browser.pid, 'SIGKILL'); } catch { /* the group is gone */ }
  for (let i = 0; ; i++) {
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
      break;
    } catch (e) {
      if (i >= 20) {
        console.log(`note: the browser profile ${profile} could not be removed (${e.code}); it is a temporary directory`);
        break;
      }
      await sleep(100);
    }
  }
}
async function fail(message) {
  console.log(`FAIL ${message}`);
  console.log('graphiql_browser: 0 passed, 1 failed');
  await cleanup();
  process.exit(1);
}

// The page target's WebSocket URL, once the browser listens (bounded wait).
let target;
for (let i = 0; i < 100 && !target; i++) {
  await sleep(100);
  try {
    const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    target = list.find((t) => t.type === 'page');
  } catch { /* not listening yet */ }
}
if (!target) await fail(`chromium did not start:\n${browserLog}`);

ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
let nextId = 0;
const pending = new Map();
ws.on('message', (raw) => {
  const msg = JSON.parse(raw);
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
});
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = ++nextId;
  pending.set(id, (msg) => (msg.error ? reject(new Error(`${method}: ${msg.error.message}`)) : resolve(msg.result)));
  ws.send(JSON.stringify({ id, method, params }));
});
const evaluate = async (expression) => {
  const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
  return r.result.value;
};
// Polls a page expression until it is truthy (bounded: 20 s).
const waitFor = async (expression, what) => {
  for (let i = 0; i < 200; i++) {
    const v = await evaluate(expression).catch(() => null);
    if (v) return v;
    await sleep(100);
  }
  await shot();
  return fail(`timed out waiting for ${what}`);
};
const shot = async () => {
  if (!screenshot) return;
  const { data } = await send('Page.captureScreenshot', { format: 'png' });
  writeFileSync(screenshot, Buffer.from(data, 'base64'));
};

try {
  await send('Page.enable');
  await send('Runtime.enable');
  await send('Page.navigate', { url: endpoint });
  await waitFor(`!!document.querySelector('.graphiql-query-editor .CodeMirror')`, 'the GraphiQL query editor');
  // The schema arrives by an introspection query through the endpoint: the doc explorer
  // and validation need it. Wait until the editor knows the Query type.
  await evaluate(`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(${JSON.stringify(QUERY)})`);
  await sleep(500);
  await evaluate(`document.querySelector('.graphiql-execute-button').click()`);
  const text = await waitFor(`(() => {
    const cm = document.querySelector('.graphiql-response .CodeMirror');
    const v = cm && cm.CodeMirror.getValue();
    return v && v.trim().startsWith('{') ? v : null;
  })()`, 'the response pane');
  await shot();
  let got;
  try {
    got = JSON.parse(text);
  } catch {
    await fail(`the response pane does not hold JSON: ${text}`);
  }
  if (JSON.stringify(got) !== JSON.stringify(EXPECTED)) await fail(`unexpected result in the response pane:\n  expected ${JSON.stringify(EXPECTED)}\n  got      ${JSON.stringify(got)}`);
  const introspected = await evaluate(`fetch(location.pathname, {method: 'POST', headers: {'content-type': 'application/json'},
    body: JSON.stringify({query: '{ __schema { queryType { name } } }'})}).then((r) => r.json())`);
  console.log(`GraphiQL ran the query through ${endpoint}; the response pane shows ${got.data.routerConfigs.length} configurations${screenshot ? `; screenshot ${screenshot}` : ''}`);
  console.log(`introspection from the page: ${JSON.stringify(introspected)}`);
} catch (e) {
  await fail(e.message);
}
console.log('graphiql_browser: 1 passed, 0 failed');
await cleanup();
