// Bundles GraphiQL (npm graphiql + react + react-dom, versions from package-lock.json) into
// graphiql/dist/graphiql.js and graphiql.css, which examples/server.mjs serves.
// Run: npm ci --prefix examples && npm run --prefix examples build   (a few seconds)
// The bundle (about 2.5 MB) is not committed; scripts/demo and the HTTP tests build it.
import { build } from 'esbuild';

const here = new URL('.', import.meta.url).pathname;
await build({
  entryPoints: { graphiql: `${here}index.jsx` },
  outdir: `${here}dist`,
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  jsx: 'automatic',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl' },
  logLevel: 'warning',
});
