// Budget reservations shared through the database file (issue 14, items 3 and 7): when a reservation has expired,
// what reconciling does to its call, what stays held against the budget, and that two stores on one file see each
// other's reservations under the lock. The process-level tests (test/process) run the same with real processes.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { Conn } from '../../src/core/store/conn';
import { findWasm } from '../../src/core/store/wasm';
import { MIGRATIONS, migrate } from '../../src/core/store/migrations';
import { applyReservationOp, expired, ReservationBook, STALE_MS, KEEP_INTERRUPTED_MS, type Reservation } from '../../src/core/store/reservations';
import { DecisionColumns, UPSERT_DECISION } from '../../src/core/store/columns';
import { defaultConfig } from '../../src/core/config';
import { exportText } from '../../src/core/export';
import { buildViewModel } from '../../src/panel/viewModel';
import { makeRecord } from './fixtures/store-records';
import { useTempStores } from './fixtures/temp-store';

const HOST = 'this-host';
const ME = { pid: 4242, host: HOST };
/** A pid that is certainly not running: a child that has already exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

let SQL: SqlJsStatic;
before(async () => {
  SQL = await initSqlJs({ wasmBinary: fs.readFileSync(findWasm()) as unknown as ArrayBuffer });
});

function memoryBook(owner = ME): { conn: Conn; book: ReservationBook; insert: (id: string, status: string) => void } {
  const conn = new Conn(new SQL.Database());
  migrate(conn.db);
  const cols = new DecisionColumns('preview', 120);
  const book = new ReservationBook(conn, (op) => applyReservationOp(conn, op), owner);
  const insert = (id: string, status: string) => {
    const row = cols.row(makeRecord(id, { status: status as never, costUsd: null, usage: null }));
    conn.run(UPSERT_DECISION, row);
  };
  return { conn, book, insert };
}

const res = (over: Partial<Reservation>): Reservation => ({
  id: 'r', usd: 0.01, time: Date.now(), pid: ME.pid, host: HOST, heartbeat: Date.now(), state: 'live', ...over,
});

describe('budget reservations', () => {
  it('a reservation expires when its process is gone: a dead pid on this host, or no heartbeat for STALE_MS anywhere', () => {
    const now = Date.now();
    const alive = (pid: number) => pid === 7;
    assert.equal(expired(res({ pid: 7 }), now, ME, alive), false, 'a live process on this host');
    assert.equal(expired(res({ pid: 8 }), now, ME, alive), true, 'a dead pid on this host');
    assert.equal(expired(res({ pid: ME.pid }), now, ME, () => false), false, 'this very process');
    assert.equal(expired(res({ pid: 8, host: 'other' }), now, ME, alive), false, 'another host, renewed recently: its pid cannot be checked from here');
    assert.equal(expired(res({ pid: 8, host: 'other', heartbeat: now - STALE_MS - 1 }), now, ME, alive), true, 'another host, silent for too long');
    assert.equal(expired(res({ pid: 7, heartbeat: now - STALE_MS - 1 }), now, ME, alive), true, 'a live pid that stopped renewing (pid reused)');
    assert.equal(expired(res({ pid: 8, state: 'interrupted' }), now, ME, alive), false, 'already interrupted');
  });

  it('reconcile: the pending call of a dead process becomes interrupted and stays held; a recorded one is released', () => {
    const { conn, book, insert } = memoryBook();
    const dead = deadPid();
    insert('pending-call', 'pending');
    insert('recorded-call', 'ok');
    insert('mine', 'pending');
    applyReservationOp(conn, { a: 'put', r: res({ id: 'pending-call', pid: dead, usd: 0.003 }) });
    applyReservationOp(conn, { a: 'put', r: res({ id: 'recorded-call', pid: dead, usd: 0.004 }) });
    book.hold('mine', 0.002);
    assert.ok(Math.abs(book.heldSince(0) - 0.009) < 1e-12, 'everything counts until reconciled');
    assert.equal(book.reconcile(), 2);
    const status = (id: string) => String(conn.all('SELECT status, error FROM decisions WHERE id = ?', [id])[0][0]);
    assert.equal(status('pending-call'), 'interrupted');
    assert.equal(status('recorded-call'), 'ok');
    assert.equal(status('mine'), 'pending');
    assert.deepEqual(book.list().map((r) => `${r.id}:${r.state}`).sort(), ['mine:live', 'pending-call:interrupted']);
    assert.ok(Math.abs(book.heldSince(0) - 0.005) < 1e-12, 'the interrupted worst case and the live one are held');
    const err = String(conn.all('SELECT error FROM decisions WHERE id = ?', ['pending-call'])[0][0]);
    assert.match(err, new RegExp(`interrupted: the process \\(pid ${dead} on ${HOST}\\) ended before the answer was recorded; its worst case \\$0\\.003000 is held against the budget`));
    assert.equal(book.reconcile(), 0, 'nothing more to do');
  });

  it('held money counts in the day and month it was reserved; interrupted reservations are forgotten after two months', () => {
    const { book, conn } = memoryBook();
    const now = Date.now();
    book.hold('today', 0.001, now);
    applyReservationOp(conn, { a: 'put', r: res({ id: 'last-week', time: now - 7 * 86_400_000, state: 'interrupted', usd: 0.002 }) });
    applyReservationOp(conn, { a: 'put', r: res({ id: 'ancient', time: now - KEEP_INTERRUPTED_MS - 1, state: 'interrupted', usd: 0.5 }) });
    assert.ok(Math.abs(book.heldSince(now - 3_600_000) - 0.001) < 1e-12);
    assert.ok(Math.abs(book.heldSince(now - 30 * 86_400_000) - 0.003) < 1e-12);
    book.reconcile(now);
    assert.deepEqual(book.list().map((r) => r.id).sort(), ['last-week', 'today']);
  });

  describe('on a shared file', () => {
    const t = useTempStores('llmr-reservations-');

    it('two stores on one file see each other\'s reservations under the lock, and their release with the cost', async () => {
      const a = await t.open();
      const b = await t.open();
      a.setBudget({ dailyLimitUsd: 1, monthlyLimitUsd: null, onExhausted: 'block' });
      await a.exclusive(() => {
        a.insertDecision(makeRecord('call-a', { status: 'pending', costUsd: null, usage: null }));
        a.reservations.hold('call-a', 0.25);
      });
      assert.equal(await b.exclusive(() => b.reservations.heldSince(0)), 0.25, 'b sees a\'s call in flight');
      // a's call settles: the cost and the release land in one save.
      a.updateDecision('call-a', { status: 'ok', costUsd: 0.1 });
      a.reservations.release('call-a');
      await a.flush();
      const seen = await b.exclusive(() => ({ held: b.reservations.heldSince(0), spent: b.spendSince(0) }));
      assert.deepEqual(seen, { held: 0, spent: 0.1 });
    });

    it('a reservation journalled before another process saved is replayed onto that file', async () => {
      const a = await t.open({ debounceMs: 10_000 });
      const b = await t.open();
      a.reservations.hold('late', 0.05);
      b.insertDecision(makeRecord('from-b'));
      await b.flush();
      await a.flush();
      const c = await t.open();
      assert.deepEqual(c.reservations.list().map((r) => [r.id, r.usd]), [['late', 0.05]]);
      assert.ok(c.getDecision('from-b'));
    });

    /** Writes, straight into the file, a pending call and its reservation by a process that has died. */
    const leftByDeadProcess = async (id: string, usd: number) => {
      const first = await t.open();
      await first.close();
      const db = new SQL.Database(fs.readFileSync(t.file));
      const conn = new Conn(db);
      conn.run(UPSERT_DECISION, new DecisionColumns('preview', 120).row(makeRecord(id, { status: 'pending', costUsd: null, usage: null })));
      applyReservationOp(conn, { a: 'put', r: res({ id, usd, pid: deadPid(), host: os.hostname() }) });
      fs.writeFileSync(t.file, db.export());
      db.close();
    };

    it('the next open marks a call left by a killed process interrupted, and its worst case is held against the budget', async () => {
      await leftByDeadProcess('killed', 0.02);
      const s = await t.open();
      assert.equal(s.getDecision('killed')!.status, 'interrupted');
      assert.equal(s.reservations.heldSince(0), 0.02);
      // The file says so too (the reconciliation was saved).
      const again = await t.open();
      assert.equal(again.getDecision('killed')!.status, 'interrupted');
    });

    it('Reset Statistics forgets interrupted reservations (their calls are deleted) but keeps calls under way', async () => {
      await leftByDeadProcess('killed', 0.02);
      const a = await t.open();
      await a.exclusive(() => a.reservations.hold('under-way', 0.01));
      assert.equal(a.reservations.heldSince(0), 0.03);
      a.reset();
      await a.flush();
      assert.deepEqual(a.reservations.list().map((r) => r.id), ['under-way']);
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
      const cols = new DecisionColumns('preview', 120);
      const row = cols.row(makeRecord('left-pending', { status: 'pending', costUsd: null, usage: null }));
      old.run(`INSERT INTO decisions VALUES (${row.map(() => '?').join(', ')}, NULL, NULL)`, row);
      fs.writeFileSync(t.file, old.export());
      old.close();
      const s = await t.open();
      const rec = s.getDecision('left-pending')!;
      assert.equal(rec.status, 'interrupted');
      assert.match(rec.error!, /left pending by an earlier version/);
    });
  });
});
