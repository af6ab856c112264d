// Budget reservations shared through the database file (issue 14, items 3 and 7): when a reservation has expired,
// what reconciling does to its call, what stays held against the budget, and that two stores on one file see each
// other's reservations under the lock. The process-level tests (test/process) run the same with real processes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { Conn } from '../../src/core/store/conn';
import { findWasm } from '../../src/core/store/wasm';
import { MIGRATIONS, migrate } from '../../src/core/store/migrations';
import {
  applyReservationOp,
  expired,
  ReservationBook,
  STALE_MS,
  KEEP_INTERRUPTED_MS,
  type Reservation,
} from '../../src/core/store/reservations';
import { holdsPath, readHolds, writeHolds, type LiveHold } from '../../src/core/store/holds';
import type { DecisionRecord } from '../../src/core/types';
import { DEC_COLS, DecisionColumns, UPSERT_DECISION } from '../../src/core/store/columns';
import { defaultConfig } from '../../src/core/config';
import { exportText } from '../../src/core/export';
import { buildViewModel } from '../../src/panel/viewModel';
import { makeRecord } from './fixtures/store-records';
import { useTempStores } from './fixtures/temp-store';

const HOST = 'this-host';
const ME = { pid: 4242, host: HOST };
/** A pid no process can have: above Linux's largest (2^22) and macOS's, and odd (Windows' pids are multiples of 4). */
const deadPid = (): number => 2 ** 22 + 12345;

let SQL: SqlJsStatic;
/** The folders memoryBook made, removed after the file's tests. */
const folders: string[] = [];
before(async () => {
  SQL = await initSqlJs({ wasmBinary: fs.readFileSync(findWasm()) as unknown as ArrayBuffer });
});
after(() => {
  for (const d of folders.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function memoryBook(owner = ME): {
  conn: Conn;
  book: ReservationBook;
  insert: (id: string, status: string) => void;
  file: string;
} {
  const conn = new Conn(new SQL.Database());
  migrate(conn.db);
  const cols = new DecisionColumns('preview', 120);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-holds-'));
  folders.push(dir);
  const file = path.join(dir, 'router.sqlite.holds');
  const book = new ReservationBook({
    conn,
    file,
    self: owner,
    write: (op) => applyReservationOp(conn, op),
    insert: (rec) => conn.run(UPSERT_DECISION, cols.row(rec)),
    locked: async (fn) => fn(),
  });
  const insert = (id: string, status: string) => {
    conn.run(UPSERT_DECISION, cols.row(makeRecord(id, { status: status as never, costUsd: null, usage: null })));
  };
  return { conn, book, insert, file };
}

/** A hold in the file, as another process wrote it. */
const liveHold = (r: Reservation, record: DecisionRecord | null = null): LiveHold => ({
  id: r.id,
  usd: r.usd,
  time: r.time,
  pid: r.pid,
  host: r.host,
  heartbeat: r.heartbeat,
  record,
});
const addHold = (file: string, h: LiveHold) => writeHolds(file, [...readHolds(file).holds, h]);

const res = (over: Partial<Reservation>): Reservation => ({
  id: 'r',
  usd: 0.01,
  time: Date.now(),
  pid: ME.pid,
  host: HOST,
  heartbeat: Date.now(),
  state: 'live',
  ...over,
});

describe('budget reservations', () => {
  it('a reservation expires when its process is gone: a dead pid on this host, or no heartbeat for STALE_MS anywhere', () => {
    const now = Date.now();
    const alive = (pid: number) => pid === 7;
    assert.equal(expired(res({ pid: 7 }), now, ME, alive), false, 'a live process on this host');
    assert.equal(expired(res({ pid: 8 }), now, ME, alive), true, 'a dead pid on this host');
    assert.equal(
      expired(res({ pid: ME.pid }), now, ME, () => false),
      false,
      'this very process',
    );
    assert.equal(
      expired(res({ pid: 8, host: 'other' }), now, ME, alive),
      false,
      'another host, renewed recently: its pid cannot be checked from here',
    );
    assert.equal(
      expired(res({ pid: 8, host: 'other', heartbeat: now - STALE_MS - 1 }), now, ME, alive),
      true,
      'another host, silent for too long',
    );
    assert.equal(
      expired(res({ pid: 7, heartbeat: now - STALE_MS - 1 }), now, ME, alive),
      true,
      'a live pid that stopped renewing (pid reused)',
    );
    assert.equal(expired(res({ pid: 8, state: 'interrupted' }), now, ME, alive), false, 'already interrupted');
  });

  it('reconcile: the pending call of a dead process becomes interrupted and stays held; a recorded one is released', () => {
    const { conn, book, insert, file } = memoryBook();
    const dead = deadPid();
    insert('pending-call', 'pending');
    insert('recorded-call', 'ok');
    insert('mine', 'pending');
    addHold(file, liveHold(res({ id: 'pending-call', pid: dead, usd: 0.003 })));
    addHold(file, liveHold(res({ id: 'recorded-call', pid: dead, usd: 0.004 })));
    addHold(
      file,
      liveHold(
        res({ id: 'never-reached-the-db', pid: dead, usd: 0.001 }),
        makeRecord('never-reached-the-db', { status: 'pending', costUsd: null, usage: null }),
      ),
    );
    book.hold('mine', 0.002);
    assert.ok(Math.abs(book.heldSince(0) - 0.01) < 1e-12, 'everything counts until reconciled');
    assert.equal(book.reconcile(), 3);
    book.afterSave(); // the save that writes what reconcile journalled
    const status = (id: string) => String(conn.all('SELECT status FROM decisions WHERE id = ?', [id])[0][0]);
    assert.equal(status('pending-call'), 'interrupted');
    assert.equal(status('recorded-call'), 'ok');
    assert.equal(status('never-reached-the-db'), 'interrupted', 'written from the hold');
    assert.equal(status('mine'), 'pending');
    assert.deepEqual(
      book
        .list()
        .map((r) => `${r.id}:${r.state}`)
        .sort(),
      ['mine:live', 'never-reached-the-db:interrupted', 'pending-call:interrupted'],
    );
    assert.deepEqual(
      readHolds(file).holds.map((h) => h.id),
      ['mine'],
      'only the live call is left in the holds file',
    );
    assert.ok(Math.abs(book.heldSince(0) - 0.006) < 1e-12, 'the interrupted worst cases and the live one are held');
    const err = String(conn.all('SELECT error FROM decisions WHERE id = ?', ['pending-call'])[0][0]);
    assert.match(
      err,
      new RegExp(
        `interrupted: the process \\(pid ${dead} on ${HOST}\\) ended before the answer was recorded; its worst case \\$0\\.003000 is held against the budget`,
      ),
    );
    assert.equal(book.reconcile(), 0, 'nothing more to do');
    assert.equal(readHolds(file).holds[0].record, null, 'no record was given for this one');
    book.dispose();
  });

  it('a hold keeps no prompt on disk; released, it leaves the file with the save that records the cost', () => {
    const { book, file } = memoryBook();
    book.hold('c1', 0.01, Date.now(), makeRecord('c1', { prompt: 'a secret question' }));
    assert.equal(readHolds(file).holds[0].record?.prompt, null);
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /secret/);
    book.release('c1');
    assert.equal(book.heldSince(0), 0, 'this process no longer counts it (its cost is recorded here)');
    assert.equal(readHolds(file).holds.length, 1, 'others still see it until the save');
    book.afterSave();
    assert.equal(fs.existsSync(file), false);
    book.holdAtNextSave('c2', 0.02);
    assert.equal(book.heldSince(0), 0.02);
    assert.equal(fs.existsSync(file), false, 'written with the next save, not now');
    book.afterSave();
    assert.deepEqual(
      readHolds(file).holds.map((h) => [h.id, h.usd]),
      [['c2', 0.02]],
    );
    book.dispose();
  });

  it('held money counts in the day and month it was reserved; interrupted reservations are forgotten after two months', () => {
    const { book, conn } = memoryBook();
    const now = Date.now();
    book.hold('today', 0.001, now);
    applyReservationOp(conn, {
      a: 'interrupt',
      r: res({ id: 'last-week', time: now - 7 * 86_400_000, usd: 0.002 }),
      error: 'x',
    });
    applyReservationOp(conn, {
      a: 'interrupt',
      r: res({ id: 'ancient', time: now - KEEP_INTERRUPTED_MS - 1, usd: 0.5 }),
      error: 'x',
    });
    assert.ok(Math.abs(book.heldSince(now - 3_600_000) - 0.001) < 1e-12);
    assert.ok(Math.abs(book.heldSince(now - 30 * 86_400_000) - 0.003) < 1e-12);
    book.reconcile(now);
    assert.deepEqual(
      book
        .list()
        .map((r) => r.id)
        .sort(),
      ['last-week', 'today'],
    );
    book.dispose();
  });

  describe('on a shared file', () => {
    const t = useTempStores('llmr-reservations-');

    it("two stores on one file see each other's reservations under the lock, and their release with the cost", async () => {
      const a = await t.open();
      const b = await t.open();
      a.setBudget({ dailyLimitUsd: 1, monthlyLimitUsd: null, onExhausted: 'block' });
      await a.locked(() => a.reservations.hold('call-a', 0.25));
      a.insertDecision(makeRecord('call-a', { status: 'pending', costUsd: null, usage: null }));
      assert.equal(await b.locked(() => b.reservations.heldSince(0)), 0.25, "b sees a's call in flight");
      // a's call settles: the cost and the release land in one save.
      a.updateDecision('call-a', { status: 'ok', costUsd: 0.1 });
      a.reservations.release('call-a');
      await a.flush();
      const seen = await b.locked(() => ({ held: b.reservations.heldSince(0), spent: b.spendSince(0) }));
      assert.deepEqual(seen, { held: 0, spent: 0.1 });
    });

    it("a hold made without waiting (no limit) is written with the save of its pending row, merged with another process's save", async () => {
      const a = await t.open({ debounceMs: 10_000 });
      const b = await t.open();
      a.insertDecision(makeRecord('late', { status: 'pending', costUsd: null, usage: null }));
      a.reservations.holdAtNextSave('late', 0.05);
      b.insertDecision(makeRecord('from-b'));
      await b.flush();
      await a.flush();
      const c = await t.open();
      assert.deepEqual(
        c.reservations.list().map((r) => [r.id, r.usd, r.state]),
        [['late', 0.05, 'live']],
      );
      assert.ok(c.getDecision('from-b'));
      assert.equal(c.getDecision('late')!.status, 'pending');
    });

    /** Writes, straight into the file, a pending call and its reservation by a process that has died. */
    const leftByDeadProcess = async (id: string, usd: number, { inDb = true } = {}) => {
      const first = await t.open();
      const rec = makeRecord(id, { status: 'pending', costUsd: null, usage: null });
      if (inDb) first.insertDecision(rec);
      await first.close();
      addHold(holdsPath(t.file), liveHold(res({ id, usd, pid: deadPid(), host: os.hostname() }), rec));
    };

    it('the next open marks a call left by a killed process interrupted, and its worst case is held against the budget', async () => {
      await leftByDeadProcess('killed', 0.02);
      await leftByDeadProcess('killed-before-its-row-was-saved', 0.01, { inDb: false });
      const s = await t.open();
      assert.equal(s.getDecision('killed')!.status, 'interrupted');
      assert.equal(s.getDecision('killed-before-its-row-was-saved')!.status, 'interrupted');
      assert.ok(Math.abs(s.reservations.heldSince(0) - 0.03) < 1e-12);
      assert.equal(fs.existsSync(holdsPath(t.file)), false, 'the holds moved into the database');
      // The file says so too (the reconciliation was saved).
      const again = await t.open();
      assert.equal(again.getDecision('killed')!.status, 'interrupted');
      assert.ok(Math.abs(again.reservations.heldSince(0) - 0.03) < 1e-12);
    });

    it('Reset Statistics forgets interrupted reservations (their calls are deleted) but keeps calls under way', async () => {
      await leftByDeadProcess('killed', 0.02);
      const a = await t.open();
      await a.locked(() => a.reservations.hold('under-way', 0.01));
      assert.equal(a.reservations.heldSince(0), 0.03);
      a.reset();
      await a.flush();
      assert.deepEqual(
        a.reservations.list().map((r) => r.id),
        ['under-way'],
      );
    });

    it('an interrupted call is counted and explained in the statistics, the panel and the export', async () => {
      await leftByDeadProcess('killed', 0.02);
      const s = await t.open();
      const st = s.stats();
      assert.equal(st.interrupted, 1);
      assert.equal(st.interruptedHeldUsd, 0.02);
      assert.equal(st.spendUsd, 0, 'an unknown cost is not spend');
      const vm = buildViewModel({ store: s, tiers: defaultConfig().tiers, period: 'today' });
      assert.deepEqual([vm.headline.interrupted, vm.headline.interruptedHeldUsd], [1, 0.02]);
      assert.deepEqual([vm.budget.heldTodayUsd, vm.budget.heldMonthUsd], [0.02, 0.02]);
      assert.equal(vm.recent.rows[0].status, 'interrupted');
      const csv = exportText(s, 'csv').text.split('\n')[1];
      assert.match(csv, /,interrupted,/);
      assert.match(csv, /its worst case \$0\.020000 is held against the budget/);
    });

    it('upgrading a schema-3 file marks calls an earlier version left pending as interrupted', async () => {
      const old = new SQL.Database();
      for (const m of MIGRATIONS.slice(0, 3)) m(old);
      old.exec('PRAGMA user_version = 3');
      // The columns a schema-3 file has: today's but those later migrations added.
      const full = new DecisionColumns('preview', 120).row(
        makeRecord('left-pending', { status: 'pending', costUsd: null, usage: null }),
      );
      const v3 = new Set(old.exec('PRAGMA table_info(decisions)')[0].values.map((v) => String(v[1])));
      const keep = DEC_COLS.map((c, i) => [c, i] as const).filter(([c]) => v3.has(c));
      old.run(
        `INSERT INTO decisions (${keep.map(([c]) => c).join(', ')}) VALUES (${keep.map(() => '?').join(', ')})`,
        keep.map(([, i]) => full[i]),
      );
      fs.writeFileSync(t.file, old.export());
      old.close();
      const s = await t.open();
      const rec = s.getDecision('left-pending')!;
      assert.equal(rec.status, 'interrupted');
      assert.match(rec.error!, /left pending by an earlier version/);
    });
  });
});
