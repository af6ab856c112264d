// The store bundled the way esbuild.mjs bundles dist/cli.js and dist/extension.js, run as its own process from a
// folder with no node_modules above it: it must find sql-wasm.wasm beside the bundle, and say where it looked.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

describe('decision store from a bundle', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-bundle-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads sql.js from the wasm file next to the bundle, and says where it looked when it is missing', async () => {
    const entry = path.join(dir, 'entry.ts');
    const store = path.resolve(__dirname, '../../src/core/store').replace(/\\/g, '/');
    fs.writeFileSync(
      entry,
      `
      import { openStore } from '${store}';
      (async () => {
        const s = await openStore({ path: process.argv[2] });
        s.setMeta('from', 'bundle');
        await s.close();
        const again = await openStore({ path: process.argv[2] });
        process.stdout.write(String(again.getMeta('from')));
        await again.close();
      })().catch((e) => { process.stderr.write(e.message); process.exit(3); });
    `,
    );
    const outDir = path.join(dir, 'dist');
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: path.join(outDir, 'app.js'),
      logLevel: 'silent',
    });
    fs.copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join(outDir, 'sql-wasm.wasm'));
    // run from a folder with no node_modules anywhere above it
    const run = () =>
      spawnSync(process.execPath, [path.join(outDir, 'app.js'), path.join(dir, 'db.sqlite')], {
        cwd: dir,
        encoding: 'utf8',
      });
    const ok = run();
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'bundle');
    fs.rmSync(path.join(outDir, 'sql-wasm.wasm'));
    const missing = run();
    assert.equal(missing.status, 3);
    assert.match(missing.stderr, /sql\.js WebAssembly file not found; looked at: .*dist[\\/]sql-wasm\.wasm/);
  });
});
