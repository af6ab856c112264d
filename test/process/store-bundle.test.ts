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
  it('saves in its worker thread from the bundle: the worker script ships beside it (dist/store-saver.js)', async () => {
    const entry = path.join(dir, 'worker-entry.ts');
    const store = path.resolve(__dirname, '../../src/core/store').replace(/\\/g, '/');
    fs.writeFileSync(
      entry,
      `
      import { openStore } from '${store}';
      (async () => {
        const s = await openStore({ path: process.argv[2], saveInBackground: true });
        const saver = (s as any).persist.writer ? 'worker' : 'main thread';
        s.setMeta('from', 'bundle');
        await s.close();
        const again = await openStore({ path: process.argv[2] });
        process.stdout.write(saver + ' ' + String(again.getMeta('from')));
        await again.close();
      })().catch((e) => { process.stderr.write(e.message); process.exit(3); });
    `,
    );
    const outDir = path.join(dir, 'dist-worker');
    const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' } as const;
    await esbuild.build({ ...common, entryPoints: [entry], outfile: path.join(outDir, 'app.js') });
    const saver = path.resolve(__dirname, '../../src/core/store/background-worker.ts');
    await esbuild.build({ ...common, entryPoints: [saver], outfile: path.join(outDir, 'store-saver.js') });
    fs.copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join(outDir, 'sql-wasm.wasm'));
    const r = spawnSync(process.execPath, [path.join(outDir, 'app.js'), path.join(dir, 'worker.sqlite')], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'worker bundle');
    // The build makes that file and the packaged extension keeps it.
    const root = path.resolve(__dirname, '../..');
    assert.match(
      fs.readFileSync(path.join(root, 'esbuild.mjs'), 'utf8'),
      /background-worker\.ts'\], outfile: 'dist\/store-saver\.js'/,
    );
    assert.match(fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8'), /^!dist\/store-saver\.js$/m);
  });
});
