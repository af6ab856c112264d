// Budget reservations shared by every process that uses the database (VS Code windows, the CLI, the local endpoint).
//
// Before a call leaves (with a limit set), its worst case is written to the holds file beside the database
// (holds.ts), under the store's file lock, after re-reading the database and the other processes' holds: so calls in
// flight anywhere count against the limits, and waiting for that write costs a small fsync whatever the size of the
// history. When the call settles, its hold is removed from the file in the same locked save that writes its real
// cost to the database. Each hold names its process (pid, host) and is renewed while the call runs (heartbeat);
// a hold whose process is gone (same host: the pid is dead; any host: no heartbeat for STALE_MS) has expired. Its
// call is then marked `interrupted` in the database (the cost is unknown; the row is written from the hold if it
// never reached the file) and an interrupted reservation row keeps its worst case counted in the budget of its day
// and month, until the real cost is recorded after all (its process was alive: it releases the call as usual).
import * as os from 'node:os';
import type { SqlValue } from 'sql.js';
export type { Reservation } from './api';
import { pidAlive } from './file';
import type { DecisionRecord } from '../types';
import type { Reservation, Reservations } from './api';
import type { Conn } from './conn';
import { holdsMtime, readHolds, writeHolds, type LiveHold } from './holds';

/** A live call renews its reservation this often. */
export const HEARTBEAT_MS = 30_000;
/** A reservation not renewed for this long has expired, whatever its host. */
export const STALE_MS = 3 * 60_000;
/** Interrupted reservations older than this are forgotten (past any day or month they could count in). */
export const KEEP_INTERRUPTED_MS = 62 * 24 * 3600_000;

export const RESERVATIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS reservations (
  id TEXT PRIMARY KEY,
  usd REAL NOT NULL,
  time INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  heartbeat INTEGER NOT NULL,
  state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reservations_time ON reservations(time);
`;

/** Journal operations on the interrupted reservations kept in the database; each is safe to replay on another file. */
export type ReservationOp =
  /** The call's process is gone: the reservation is kept as interrupted; the decision, if still pending, too. */
  | { a: 'interrupt'; r: Reservation; error: string }
  /** The call's real cost was recorded after all: nothing is held for it any more. */
  | { a: 'drop'; id: string }
  | { a: 'forget'; before: number };

const COLS = 'id, usd, time, pid, host, heartbeat, state';

export function applyReservationOp(conn: Conn, op: ReservationOp): void {
  switch (op.a) {
    case 'interrupt': {
      const r = op.r;
      conn.run(`INSERT OR REPLACE INTO reservations (${COLS}) VALUES (?, ?, ?, ?, ?, ?, 'interrupted')`, [
        r.id,
        r.usd,
        r.time,
        r.pid,
        r.host,
        r.heartbeat,
      ]);
      conn.run("UPDATE decisions SET status = 'interrupted', error = ? WHERE id = ? AND status = 'pending'", [
        op.error,
        r.id,
      ]);
      break;
    }
    case 'drop':
      conn.run('DELETE FROM reservations WHERE id = ?', [op.id]);
      break;
    case 'forget':
      conn.run("DELETE FROM reservations WHERE state = 'interrupted' AND time < ?", [op.before]);
      break;
  }
}

/** The interrupted calls reserved in [since, until): how many, and the worst cases held for them. */
export function interruptedIn(
  conn: { all(sql: string, params?: SqlValue[]): SqlValue[][] },
  since?: number,
  until?: number,
): { interrupted: number; interruptedHeldUsd: number } {
  const r = conn.all(
    "SELECT COUNT(*), TOTAL(usd) FROM reservations WHERE state = 'interrupted' AND time >= ? AND time < ?",
    [since ?? -Number.MAX_SAFE_INTEGER, until ?? Number.MAX_SAFE_INTEGER],
  )[0];
  return { interrupted: Number(r?.[0] ?? 0), interruptedHeldUsd: Number(r?.[1] ?? 0) };
}

const toReservation = ([id, usd, time, pid, host, heartbeat, state]: SqlValue[]): Reservation => ({
  id: String(id),
  usd: Number(usd),
  time: Number(time),
  pid: Number(pid),
  host: String(host),
  heartbeat: Number(heartbeat),
  state: state === 'interrupted' ? 'interrupted' : 'live',
});
const asLive = (h: LiveHold): Reservation => ({
  id: h.id,
  usd: h.usd,
  time: h.time,
  pid: h.pid,
  host: h.host,
  heartbeat: h.heartbeat,
  state: 'live',
});

export interface Owner {
  pid: number;
  host: string;
}

export const THIS_PROCESS: Owner = { pid: process.pid, host: os.hostname() };

/** Whether a live reservation's process is gone: its pid is dead (same host), or it has not renewed it for STALE_MS. */
export function expired(
  r: Reservation,
  now: number,
  self: Owner = THIS_PROCESS,
  alive: (pid: number) => boolean = pidAlive,
): boolean {
  if (r.state !== 'live') return false;
  if (now - r.heartbeat > STALE_MS) return true;
  if (r.host === self.host && r.pid !== self.pid && !alive(r.pid)) return true;
  return false;
}

export interface BookDeps {
  conn: Conn;
  /** Journals an operation on the database's reservations. */
  write(op: ReservationOp): void;
  /** Journals a decision row (an interrupted call whose pending row never reached the file). */
  insert(rec: DecisionRecord): void;
  /** The holds file. */
  file: string;
  /** Runs `fn` under the store's file lock (renewing holds). */
  locked(fn: () => void): Promise<unknown>;
  self?: Owner;
}

/** The reservations of one store: live holds in the holds file, interrupted ones in its database. */
export class ReservationBook implements Reservations {
  private cache: { holds: LiveHold[]; mtimeMs: number } = { holds: [], mtimeMs: -1 };
  /** Holds to write with the next save (no limit set: nothing waits for them). */
  private readonly toAdd = new Map<string, LiveHold>();
  /** Holds to remove from the file once the save that records their outcome is written. */
  private readonly releasing = new Set<string>();
  /** This process's holds in the file (renewed by the heartbeat). */
  private readonly mine = new Set<string>();
  private beat: ReturnType<typeof setInterval> | null = null;
  private readonly self: Owner;

  constructor(private readonly d: BookDeps) {
    this.self = d.self ?? THIS_PROCESS;
  }

  /** The holds in the file, re-read when it changed. */
  private live(): LiveHold[] {
    if (holdsMtime(this.d.file) !== this.cache.mtimeMs) this.cache = readHolds(this.d.file);
    return this.cache.holds.filter((h) => !this.releasing.has(h.id));
  }

  private interruptedRows(since = -Number.MAX_SAFE_INTEGER): Reservation[] {
    return this.d.conn
      .all(`SELECT ${COLS} FROM reservations WHERE time >= ? ORDER BY time, id`, [since])
      .map(toReservation);
  }

  list(): Reservation[] {
    const live = [...this.live(), ...this.toAdd.values()].map(asLive);
    return [...this.interruptedRows(), ...live].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
  }

  /**
   * Money held against the budget by reservations made at or after `since`: calls under way and interrupted ones.
   * An expired hold still counts: its call becomes interrupted (held) unless its cost was recorded.
   */
  heldSince(since: number): number {
    const db = Number(this.d.conn.all('SELECT TOTAL(usd) FROM reservations WHERE time >= ?', [since])[0]?.[0] ?? 0);
    const live = [...this.live(), ...this.toAdd.values()].filter((h) => h.time >= since && !this.isInterrupted(h.id));
    return db + live.reduce((s, h) => s + h.usd, 0);
  }

  private isInterrupted(id: string): boolean {
    return this.d.conn.all('SELECT 1 FROM reservations WHERE id = ?', [id]).length > 0;
  }

  private entry(id: string, usd: number, time: number, record: DecisionRecord | null): LiveHold {
    return {
      id,
      usd,
      time,
      pid: this.self.pid,
      host: this.self.host,
      heartbeat: Date.now(),
      record: record && { ...record, prompt: null },
    };
  }

  /** Holds `usd` for the call `id` of this process now: call it under the lock (DecisionStore.locked). */
  hold(id: string, usd: number, time = Date.now(), record: DecisionRecord | null = null): void {
    this.cache = readHolds(this.d.file);
    writeHolds(this.d.file, [...this.cache.holds.filter((h) => h.id !== id), this.entry(id, usd, time, record)]);
    this.cache.mtimeMs = -1;
    this.mine.add(id);
    this.startBeat();
  }

  /** Holds `usd` for the call `id`, written with the next save (no limit set: the call does not wait for it). */
  holdAtNextSave(id: string, usd: number, time = Date.now(), record: DecisionRecord | null = null): void {
    this.toAdd.set(id, this.entry(id, usd, time, record));
  }

  /** The call settled (its outcome is journalled with it): its hold goes with the save that records the outcome. */
  release(id: string): void {
    this.d.write({ a: 'drop', id });
    if (!this.toAdd.delete(id)) this.releasing.add(id);
    this.mine.delete(id);
    if (!this.mine.size) this.stopBeat();
  }

  /** Under the lock, right after the database was written: the holds file follows it. */
  afterSave(): void {
    if (!this.toAdd.size && !this.releasing.size) return;
    const { holds } = readHolds(this.d.file);
    const now = Date.now();
    const next = [
      ...holds.filter((h) => !this.releasing.has(h.id) && !this.toAdd.has(h.id)),
      ...[...this.toAdd.values()].map((h) => ({ ...h, heartbeat: now })),
    ];
    writeHolds(this.d.file, next);
    for (const id of this.toAdd.keys()) this.mine.add(id);
    this.toAdd.clear();
    this.releasing.clear();
    this.cache.mtimeMs = -1;
    if (this.mine.size) this.startBeat();
  }

  private startBeat(): void {
    if (this.beat) return;
    this.beat = setInterval(() => {
      void this.d
        .locked(() => {
          const { holds } = readHolds(this.d.file);
          const now = Date.now();
          writeHolds(
            this.d.file,
            holds.map((h) => (this.mine.has(h.id) ? { ...h, heartbeat: now } : h)),
          );
          this.cache.mtimeMs = -1;
        })
        .catch(() => undefined); // the next beat tries again; a hold renewed late is only held longer
    }, HEARTBEAT_MS);
    this.beat.unref?.();
  }

  private stopBeat(): void {
    if (this.beat) clearInterval(this.beat);
    this.beat = null;
  }

  /** The store is closing. */
  dispose(): void {
    this.stopBeat();
  }

  /** The expired holds (their calls are to be marked interrupted). */
  expiredNow(now = Date.now()): Reservation[] {
    return this.live()
      .map(asLive)
      .filter((r) => expired(r, now, this.self));
  }

  /**
   * Marks the calls of expired holds interrupted and keeps their worst case held; forgets interrupted reservations
   * past any budget period. Returns how many calls were marked. Run it under the lock with a save
   * (DecisionStore.exclusive): the holds leave the file once the database says what became of their calls.
   */
  reconcile(now = Date.now()): number {
    this.cache = readHolds(this.d.file);
    let n = 0;
    for (const h of this.cache.holds) {
      const r = asLive(h);
      if (this.releasing.has(h.id) || !expired(r, now, this.self)) continue;
      n++;
      this.releasing.add(h.id);
      const status = this.d.conn.all('SELECT status FROM decisions WHERE id = ?', [h.id])[0]?.[0];
      if (status !== undefined && status !== 'pending') {
        this.d.write({ a: 'drop', id: h.id }); // its call was recorded: nothing is held for it (the save drops the hold)
        continue;
      }
      const error = `interrupted: the process (pid ${h.pid} on ${h.host}) ended before the answer was recorded; its worst case $${h.usd.toFixed(6)} is held against the budget`;
      if (status === undefined && h.record) this.d.insert({ ...h.record, status: 'interrupted', error });
      this.d.write({ a: 'interrupt', r, error });
    }
    const old = this.d.conn.all("SELECT COUNT(*) FROM reservations WHERE state = 'interrupted' AND time < ?", [
      now - KEEP_INTERRUPTED_MS,
    ])[0]?.[0];
    if (Number(old) > 0) this.d.write({ a: 'forget', before: now - KEEP_INTERRUPTED_MS });
    return n;
  }
}
