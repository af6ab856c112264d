// Bundles the three programs this repository ships. Type-checking runs apart (`npm run typecheck`).
//   dist/extension.js  VS Code extension host (Node, CommonJS, `vscode` external)
//   dist/heavyModules.js the extension's heavy half, loaded after activation
//   dist/cli.js        the `llm-router` command (Node, CommonJS)
//   dist/store-saver.js the decision store's background save worker (a worker thread of the extension host)
//   dist/webview.js    the cost panel (browser, ES module; chunks in dist/webview-chunks) + its CSS and codicons
//   out/test/...       integration tests loaded by the real extension host (CommonJS, `vscode` and mocha external)
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production') || process.env.NODE_ENV === 'production';
mkdirSync('dist', { recursive: true });
// The webview's chunks have hashed names: drop the last build's.
rmSync('dist/webview-chunks', { recursive: true, force: true });

// sql.js loads its WebAssembly file from next to the bundle at run time.
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), 'dist/sql-wasm.wasm');
// codicons: the font and its stylesheet, referenced by the webview's <link>.
const codiconDir = dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
copyFileSync(join(codiconDir, 'codicon.css'), 'dist/codicon.css');
copyFileSync(join(codiconDir, 'codicon.ttf'), 'dist/codicon.ttf');
// The shipped workflow examples, read at run time by src/core/workflows/library.ts (dist/workflows).
mkdirSync('dist/workflows', { recursive: true });
for (const f of readdirSync('src/core/workflows/examples'))
  copyFileSync(join('src/core/workflows/examples', f), join('dist/workflows', f));

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

const builds = [
  // Activation parses only the thin glue; the engine (store, service, SDK, zod) is its own file, required on
  // first use (see src/vscode/runtime.ts). Measured: activation ~25 ms as one bundle, ~4 ms split.
  {
    ...node,
    entryPoints: ['src/vscode/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode', './heavyModules'],
  },
  // The OpenTelemetry export (1.5 MB of SDK and exporters) is its own file, required only when the export is on
  // (src/core/telemetry/index.ts: require('./otel')), so neither the engine nor the CLI parse it otherwise.
  {
    ...node,
    entryPoints: ['src/vscode/heavyModules.ts'],
    outfile: 'dist/heavyModules.js',
    external: ['vscode', './otel'],
  },
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    external: ['./otel'],
  },
  { ...node, entryPoints: ['src/core/telemetry/otel.ts'], outfile: 'dist/otel.js' },
  // The store's background save worker (src/core/store/background.ts looks for it beside the bundle).
  { ...node, entryPoints: ['src/core/store/background-worker.ts'], outfile: 'dist/store-saver.js' },
  // An ES module split in chunks: the page parses only the panel's own code (~30 KB) before it draws the headline
  // figures; chart.js and the web components (~250 KB) are chunks under dist/webview-chunks, loaded by import().
  {
    ...common,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    target: 'es2022',
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    chunkNames: 'webview-chunks/[name]-[hash]',
  },
];

// Integration tests: each suite file becomes its own CommonJS file under out/test/integration.
const integrationDir = 'test/integration/suite';
if (existsSync(integrationDir)) {
  const entries = readdirSync(integrationDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(integrationDir, f));
  if (entries.length) {
    builds.push({ ...node, entryPoints: entries, outdir: 'out/test/integration', external: ['vscode', 'mocha'] });
  }
}

if (watch) {
  // One line per rebuild and per error, in the shape .vscode/tasks.json's problem matcher reads.
  const report = {
    name: 'report',
    setup(build) {
      build.onStart(() => console.log('[esbuild] rebuilding'));
      build.onEnd((r) => {
        for (const e of r.errors) {
          const l = e.location;
          console.log(`${l ? `${l.file}:${l.line}:${l.column + 1}` : 'esbuild.mjs:1:1'}: error: ${e.text}`);
        }
        console.log(
          `[esbuild] rebuilt ${build.initialOptions.outfile ?? build.initialOptions.outdir} (${r.errors.length} errors)`,
        );
      });
    },
  };
  const contexts = await Promise.all(builds.map((b) => esbuild.context({ ...b, plugins: [report] })));
  await Promise.all(contexts.map((c) => c.rebuild().catch(() => undefined))); // errors were printed by `report`
  console.log('[esbuild] watching');
  for (const c of contexts) await c.watch();
} else {
  const t0 = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`[esbuild] built ${builds.length} bundles in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
}
