// Saving in a worker thread (saveInBackground, as the extension host opens the store): what the main thread records
// reaches the file, another store's rows come back, retention folds both copies alike, and a worker that dies (even in
// the middle of a save) hands saving back to the main thread without losing anything.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { openStore } from '../../src/core/store';
import type { DecisionStore, StoreOptions } from '../../src/core/store/api';
import { holdsPath, readHolds, writeHolds } from '../../src/core/store/holds';
import { makeRecord } from './fixtures/store-records';

/** The database this thread has open: the same object across a save means nothing was shipped back and reloaded. */
function dbOf(s: DecisionStore): unknown {
  return (s as unknown as { conn: { db: unknown } }).conn.db;
}

/** The store's worker thread (null: it saves on the main thread). Reached into only to kill it, as a crash would. */
function saverOf(s: DecisionStore): Worker | null {
  const p = (s as unknown as { persist: { writer?: { worker: Worker } | null } }).persist;
  return p.writer?.worker ?? null;
}

describe('decision store: saving in a worker thread', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  const opened: DecisionStore[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-saver-'));
    file = path.join(dir, 'router.sqlite');
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const open = async (o: Partial<StoreOptions> = {}) => {
    const s = await openStore({ path: file, saveInBackground: true, debounceMs: 5, ...o });
    opened.push(s);
    return s;
  };
  const idsInFile = async () => {
    const s = await openStore({ path: file });
    const ids = s.listDecisions({ limit: 100_000 }).rows.map((r) => r.id);
    const stats = s.stats();
    await s.close();
    return { ids: new Set(ids), stats };
  };

  it('writes inserts, updates and feedback through the worker; another process reads them', async () => {
    const s = await open();
    assert.ok(saverOf(s), 'a worker thread saves');
    for (let i = 0; i < 50; i++) s.insertDecision(makeRecord(`d${i}`, { tier: i % 3 }));
    s.updateDecision('d7', { latencyMs: 4321 });
    s.addFeedback({ decisionId: 'd3', thumb: 'down', autoQuality: null, signals: null });
    await s.flush();
    assert.ok(saverOf(s), 'still saving in the worker after a save');
    const other = await openStore({ path: file });
    assert.equal(other.listDecisions().total, 50);
    assert.equal(other.getDecision('d7')!.latencyMs, 4321);
    assert.equal(other.feedbackFor('d3')[0].thumb, 'down');
    assert.deepEqual(other.stats(), s.stats());
    await other.close();
  });

  it("two stores saving in workers merge each other's rows; refresh brings them in", async () => {
    const seed = await openStore({ path: file });
    seed.insertDecision(makeRecord('seed'));
    await seed.close();
    const a = await open();
    const b = await open();
    for (let i = 0; i < 40; i++) {
      a.insertDecision(makeRecord(`a${i}`));
      b.insertDecision(makeRecord(`b${i}`));
      if (i % 10 === 9) await Promise.all([a.flush(), b.flush()]);
    }
    await Promise.all([a.flush(), b.flush()]);
    await a.refresh();
    await b.refresh();
    for (const s of [a, b]) {
      assert.equal(s.listDecisions({ limit: 1000 }).total, 81);
      assert.ok(s.getDecision('a39') && s.getDecision('b39') && s.getDecision('seed'));
    }
    const { ids, stats } = await idsInFile();
    assert.equal(ids.size, 81);
    assert.equal(stats.decisions, 81);
  });

  it('retention folds the main thread copy and the file alike, without shipping the database back', async () => {
    const s = await open({ retention: { maxRows: 1000 } });
    for (let i = 0; i < 1200; i++) s.insertDecision(makeRecord(`r${i}`, { time: Date.now() - (1200 - i) * 1000 }));
    const db = dbOf(s);
    await s.flush();
    assert.equal(dbOf(s), db, 'the database was not shipped back from the worker (a reload would block this thread)');
    assert.equal(s.listDecisions({ limit: 0 }).total, 1000, 'this process folded too');
    const { ids, stats } = await idsInFile();
    assert.equal(ids.size, 1000);
    assert.ok(ids.has('r1199') && !ids.has('r199'), 'the oldest went');
    assert.equal(stats.decisions, 1200, 'the whole history still counts');
    assert.deepEqual(s.stats(), stats);
    assert.ok(saverOf(s));
  });

  it('a worker killed in the middle of a save: the main thread saves instead, nothing is lost', async () => {
    const s = await open({ promptStorage: 'full', debounceMs: 3_600_000 });
    const big = 'y'.repeat(3000);
    for (let i = 0; i < 2000; i++) s.insertDecision(makeRecord(`k${i}`, { prompt: `${i} ${big}` }));
    await s.flush(); // a few megabytes on disk, so the next save takes a while
    for (let i = 2000; i < 3000; i++) s.insertDecision(makeRecord(`k${i}`, { prompt: `${i} ${big}` }));
    const worker = saverOf(s)!;
    const saving = s.flush();
    await new Promise((r) => setTimeout(r, 5)); // the save has been handed over
    await worker.terminate();
    await saving;
    assert.equal(saverOf(s), null, 'the main thread saves from now on');
    s.insertDecision(makeRecord('after'));
    await s.flush();
    const { ids } = await idsInFile();
    assert.equal(ids.size, 3001);
    for (let i = 0; i < 3000; i += 97) assert.ok(ids.has(`k${i}`), `k${i}`);
    assert.ok(ids.has('after'));
    assert.ok(!fs.existsSync(`${file}.lock`), 'the lock is released');
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.includes('.tmp-')),
      [],
      'no temporary file left behind',
    );
  });

  it('a worker that died between saves: the next save and refresh run on the main thread', async () => {
    const s = await open();
    s.insertDecision(makeRecord('before'));
    await s.flush();
    await saverOf(s)!.terminate();
    s.insertDecision(makeRecord('after'));
    const other = await openStore({ path: file });
    other.insertDecision(makeRecord('from-other'));
    await other.close();
    await s.flush();
    await s.refresh();
    assert.ok(s.getDecision('from-other'));
    const { ids } = await idsInFile();
    assert.deepEqual([...ids].sort(), ['after', 'before', 'from-other']);
  });

  it('budget holds: taken under the lock, released in the save that writes the cost; another store sees both', async () => {
    const a = await open();
    const b = await open();
    a.setBudget({ dailyLimitUsd: 1, monthlyLimitUsd: null, onExhausted: 'block' });
    await a.locked(() => a.reservations.hold('call-a', 0.25));
    a.insertDecision(makeRecord('call-a', { status: 'pending', costUsd: null, usage: null }));
    assert.equal(await b.locked(() => b.reservations.heldSince(0)), 0.25, "b sees a's call in flight");
    a.updateDecision('call-a', { status: 'ok', costUsd: 0.1 });
    a.reservations.release('call-a');
    await a.flush();
    assert.ok(saverOf(a), 'the worker wrote that save');
    const seen = await b.locked(() => ({ held: b.reservations.heldSince(0), spent: b.spendSince(0) }));
    assert.deepEqual(seen, { held: 0, spent: 0.1 });
    assert.deepEqual(readHolds(holdsPath(file)).holds, [], 'the hold left the holds file');
  });

  it("a killed process's call is marked interrupted at open (exclusive), saved by the worker", async () => {
    const first = await openStore({ path: file });
    const rec = makeRecord('killed', { status: 'pending', costUsd: null, usage: null });
    first.insertDecision(rec);
    await first.close();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const hold = { id: 'killed', usd: 0.02, time: Date.now(), pid: dead, host: os.hostname(), heartbeat: Date.now() };
    writeHolds(holdsPath(file), [{ ...hold, record: rec }]);
    const s = await open();
    assert.ok(saverOf(s));
    assert.equal(s.getDecision('killed')!.status, 'interrupted');
    assert.equal(fs.existsSync(holdsPath(file)), false, 'the hold moved into the database');
    s.insertDecision(makeRecord('later'));
    await s.flush();
    const again = await openStore({ path: file });
    assert.equal(again.getDecision('killed')!.status, 'interrupted');
    assert.ok(Math.abs(again.reservations.heldSince(0) - 0.02) < 1e-12);
    assert.ok(again.getDecision('later'));
    await again.close();
  });

  it('a read-only file opens without a worker, and nothing is written', async () => {
    const seed = await openStore({ path: file });
    seed.insertDecision(makeRecord('seed'));
    await seed.close();
    fs.chmodSync(file, 0o444);
    const notices: string[] = [];
    const s = await open({ onNotice: (m) => notices.push(m) });
    assert.equal(saverOf(s), null);
    assert.ok(s.getDecision('seed'));
    assert.equal(notices.length, 1, notices.join('\n'));
  });
});
