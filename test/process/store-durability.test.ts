// Durability of the store with real files and real processes: an older schema upgraded in place, damaged files
// set aside, several processes writing at once, a process killed in the middle of saving.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import { SCHEMA_V1, SCHEMA_VERSION } from '../../src/core/store/migrations';
import { findWasm } from '../../src/core/store/wasm';
import { makeRecord } from '../unit/fixtures/store-records';

const WORKER = path.join(__dirname, '..', 'unit', 'fixtures', 'store-worker.ts');

function runWorker(
  args: string[],
  background = false,
): { child: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> } {
  const env = { ...process.env, LLMR_TEST_SAVE_IN_BACKGROUND: background ? '1' : '0' };
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, err })),
  );
  return { child, done };
}

describe('decision store durability', function () {
  this.timeout(180_000);
  let dir: string;
  let file: string;
  const opened: DecisionStore[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-durable-'));
    file = path.join(dir, 'router.sqlite');
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const openHere = async (o: Partial<Parameters<typeof openStore>[0]> = {}) => {
    const s = await openStore({ path: file, ...o });
    opened.push(s);
    return s;
  };

  it('upgrades a version-1 file in place and keeps its rows and feedback', async () => {
    const SQL = await initSqlJs({ wasmBinary: fs.readFileSync(findWasm()) as unknown as ArrayBuffer });
    const old = new SQL.Database();
    old.exec(SCHEMA_V1);
    old.exec('PRAGMA user_version = 1');
    const t = Date.now();
    const ins =
      old.prepare(`INSERT INTO decisions (id, time, tier, tier_id, model, score, complexity, category, confidence, reasons,
      est_input_tokens, adjustments, high_stakes, blocked, strategy, source, prompt, input_tokens, output_tokens, cache_write_tokens,
      cache_read_tokens, cost_usd, baseline_cost_usd, status) VALUES (?, ?, ?, ?, ?, 0.5, 'medium', 'code', 0.7, '["old"]', 100, '[]', 0, 0,
      'rules', 'cli', 'old prompt', 100, 50, 0, 0, ?, ?, 'ok')`);
    ins.run(['v1-a', t - 86_400_000, 0, 'haiku', 'claude-haiku-4-5', 0.001, 0.004]);
    ins.run(['v1-b', t, 1, 'sonnet', 'claude-sonnet-4-6', 0.002, 0.004]);
    ins.free();
    old.run(
      "INSERT INTO feedback (uid, decision_id, thumb, auto_quality, signals, time) VALUES ('f1', 'v1-b', 'down', NULL, NULL, ?)",
      [t],
    );
    old.run("INSERT INTO meta (key, value) VALUES ('lastRetrain', '42')");
    fs.writeFileSync(file, old.export());
    old.close();

    const s = await openHere();
    assert.equal(s.getDecision('v1-a')!.prompt, 'old prompt');
    assert.deepEqual(s.getDecision('v1-b')!.reasons, ['old']);
    assert.equal(s.getMeta('lastRetrain'), '42');
    const st = s.stats();
    assert.equal(st.decisions, 2);
    assert.deepEqual(st.byTier, { 0: 1, 1: 1 });
    assert.equal(st.spendUsd, 0.003);
    assert.deepEqual(st.feedback, { up: 0, down: 1 });
    assert.equal(st.spentTodayUsd, 0.002);
    s.insertDecision(makeRecord('new'));
    await s.close();
    opened.length = 0;
    // the file on disk now carries the current schema number
    const check = new SQL.Database(fs.readFileSync(file));
    assert.equal(check.exec('PRAGMA user_version')[0].values[0][0], SCHEMA_VERSION);
    assert.equal(check.exec('SELECT COUNT(*) FROM decisions')[0].values[0][0], 3);
    // schema 3: the newest-first listing reads an index (no full scan and sort, whatever the limit)
    const plan = check
      .exec('EXPLAIN QUERY PLAN SELECT id, prompt FROM decisions ORDER BY time DESC, id DESC LIMIT 1')[0]
      .values.map((v) => String(v[3]));
    assert.deepEqual(plan, ['SCAN decisions USING INDEX decisions_time_id'], plan.join('; '));
    check.close();
  });

  for (const [what, damage] of [
    [
      'garbage',
      () =>
        fs.writeFileSync(
          file,
          Buffer.from('this is not a database at all, just some text the user saved here\n'.repeat(50)),
        ),
    ],
    [
      'a truncated file',
      () => {
        const bytes = fs.readFileSync(file);
        fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2) + 100));
      },
    ],
    [
      'a file cut at a page boundary',
      () => {
        const bytes = fs.readFileSync(file);
        fs.writeFileSync(file, bytes.subarray(0, bytes.readUInt16BE(16) * 2));
      },
    ],
  ] as const) {
    it(`sets ${what} aside as a dated backup, starts fresh and says where the backup is`, async () => {
      const s = await openHere({ promptStorage: 'full' });
      for (let i = 0; i < 300; i++)
        s.insertDecision(makeRecord(`c${i}`, { prompt: `prompt ${i} ${'lorem ipsum '.repeat(20)}` }));
      await s.close();
      opened.length = 0;
      damage();
      const damaged = fs.readFileSync(file);
      const notices: string[] = [];
      const fresh = await openHere({ onNotice: (m) => notices.push(m) });
      assert.equal(notices.length, 1, notices.join('\n'));
      const backups = fs.readdirSync(dir).filter((f) => /^router\.corrupt-\d{8}-\d{6}\.sqlite$/.test(f));
      assert.equal(backups.length, 1, fs.readdirSync(dir).join(', '));
      assert.ok(notices[0].includes(path.join(dir, backups[0])), notices[0]);
      assert.deepEqual(
        fs.readFileSync(path.join(dir, backups[0])),
        damaged,
        'the backup is the damaged file, byte for byte',
      );
      assert.equal(fresh.listDecisions().total, 0);
      fresh.insertDecision(makeRecord('after'));
      await fresh.close();
      opened.length = 0;
      const again = await openHere({ onNotice: (m) => notices.push(m) });
      assert.ok(again.getDecision('after'));
      assert.equal(notices.length, 1, 'the new database opens cleanly');
    });
  }

  it('a file damaged while open is set aside at the next save, and what this process knew is written back', async () => {
    const notices: string[] = [];
    const s = await openHere({ onNotice: (m) => notices.push(m) });
    s.insertDecision(makeRecord('known-1'));
    s.insertDecision(makeRecord('known-2'));
    await s.flush();
    fs.writeFileSync(file, 'overwritten by something else');
    assert.equal(await s.refresh(), false, 'a damaged file is not loaded');
    assert.ok(s.getDecision('known-1'));
    s.insertDecision(makeRecord('after-damage'));
    await s.flush();
    assert.equal(notices.length, 1);
    assert.match(notices[0], /router\.corrupt-\d{8}-\d{6}\.sqlite/);
    const backups = fs.readdirSync(dir).filter((f) => f.includes('.corrupt-'));
    assert.equal(fs.readFileSync(path.join(dir, backups[0]), 'utf8'), 'overwritten by something else');
    const other = await openStore({ path: file });
    assert.deepEqual(
      other
        .listDecisions()
        .rows.map((r) => r.id)
        .sort(),
      ['after-damage', 'known-1', 'known-2'],
    );
    await other.close();
  });

  it('refuses, without touching it, an SQLite file that belongs to another program', async () => {
    const SQL = await initSqlJs({ wasmBinary: fs.readFileSync(findWasm()) as unknown as ArrayBuffer });
    const other = new SQL.Database();
    other.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos (name) VALUES ('cat.jpg')");
    const bytes = other.export();
    other.close();
    fs.writeFileSync(file, bytes);
    await assert.rejects(openStore({ path: file }), /another program.*photos/);
    assert.deepEqual(new Uint8Array(fs.readFileSync(file)), bytes);
    assert.deepEqual(fs.readdirSync(dir), ['router.sqlite']);
  });

  // The CLI saves on its one thread; the extension host saves in a worker thread (saveInBackground). Both must hold.
  for (const [how, background] of [
    ['saving on the main thread', false],
    ['saving in a worker thread', true],
  ] as const) {
    it(`several real processes appending at once, ${how}: every row arrives, none twice, feedback across processes`, async () => {
      const seed = await openHere();
      seed.insertDecision(makeRecord('seed'));
      await seed.close();
      opened.length = 0;
      const n = 4;
      const count = 150;
      // worker i rates a decision written by worker i+1 (and the last one rates the seed row written by this process)
      const runs = Array.from({ length: n }, (_, i) =>
        runWorker(
          ['append', file, `w${i}`, String(count), i === n - 1 ? 'seed' : `w${i + 1}-${count - 1}`],
          background,
        ),
      );
      const results = await Promise.all(runs.map((r) => r.done));
      for (const r of results) assert.equal(r.code, 0, r.err);
      const s = await openHere();
      const { rows, total } = s.listDecisions({ limit: 10_000 });
      assert.equal(total, n * count + 1);
      const ids = new Set(rows.map((r) => r.id));
      assert.equal(ids.size, total, 'no duplicates');
      for (let i = 0; i < n; i++)
        for (let j = 0; j < count; j++) assert.ok(ids.has(`w${i}-${j}`), `w${i}-${j} is missing`);
      assert.equal(
        rows.filter((r) => r.latencyMs === 1234).length,
        n * rows.filter((r) => r.id.startsWith('w0-') && r.latencyMs === 1234).length,
      );
      assert.equal(s.feedbackFor('seed').length, 1);
      for (let i = 1; i < n; i++) assert.equal(s.feedbackFor(`w${i}-${count - 1}`).length, 1, `feedback for w${i}`);
      // the aggregates stayed consistent through every merge
      const st = s.stats();
      assert.equal(st.decisions, total);
      assert.equal(st.feedback.up, n);
      const spend = rows.reduce((a, r) => a + (r.costUsd ?? 0), 0);
      assert.ok(Math.abs(st.spendUsd - spend) < 1e-6, `${st.spendUsd} vs ${spend}`);
      assert.ok(!fs.existsSync(`${file}.lock`), 'the lock is released');
    });

    it(`a process killed (SIGKILL) while saving, ${how}, leaves a database that opens, missing at most the unsaved batch`, async () => {
      let expectedAtLeast = 0;
      for (let round = 0; round < 3; round++) {
        const w = runWorker(['hammer', file, `k${round}`], background);
        let saved = -1;
        await new Promise<void>((resolve) => {
          w.child.on('close', () => resolve()); // died on its own: the assertions below say why
          let buf = '';
          let watcher: fs.FSWatcher | null = null;
          w.child.stdout!.on('data', (d: Buffer) => {
            buf += d.toString();
            const m = [...buf.matchAll(/saved (\d+)/g)];
            if (m.length) saved = Number(m[m.length - 1][1]);
            // After a few saves (a multi-megabyte file by then), kill it the moment it starts writing the file again.
            if (m.length >= 4 + round && !watcher) {
              watcher = fs.watch(dir, (_event, name) => {
                if (!name || name.includes('.lock')) return; // the lock comes first; wait for the data itself
                watcher!.close();
                w.child.kill('SIGKILL');
                resolve();
              });
            }
          });
        });
        const r = await w.done;
        assert.equal(r.code, null, `killed, not exited: ${r.err}`);
        const notices: string[] = [];
        const s = await openStore({ path: file, onNotice: (m) => notices.push(m) });
        assert.deepEqual(notices, [], 'the file is intact');
        const ids = new Set(s.listDecisions({ limit: 1_000_000 }).rows.map((x) => x.id));
        // every acknowledged save is there, and what is there is a prefix (whole batches, nothing torn)
        for (let i = 0; i < saved; i++)
          assert.ok(ids.has(`k${round}-${i}`), `k${round}-${i} was saved before the kill`);
        const mine = [...ids].filter((id) => id.startsWith(`k${round}-`)).length;
        assert.ok(mine >= saved && mine % 200 === 0, `${mine} rows of round ${round}`);
        for (let i = 0; i < mine; i++) assert.ok(ids.has(`k${round}-${i}`));
        expectedAtLeast += saved;
        assert.ok(ids.size >= expectedAtLeast);
        assert.equal(s.stats().decisions, ids.size);
        await s.close();
      }
      const leftovers = fs.readdirSync(dir).filter((f) => f.includes('.tmp-'));
      assert.deepEqual(leftovers, [], 'temporary files of dead processes are cleaned up');
    });
  }
});
