// Budget reservations shared by every process that uses the database (VS Code windows, the CLI, the local endpoint).
//
// Before a call leaves, its worst case is written into the `reservations` table, under the store's file lock and on
// disk (DecisionStore.exclusive), after re-reading what the other processes hold: so calls in flight anywhere count
// against the limits. When the call settles, the reservation is dropped in the same save that records its real
// cost. Each row names its process (pid, host) and is renewed while the call runs (heartbeat); a reservation
// whose process is gone (same host: the pid is dead; any host: no heartbeat for STALE_MS) has expired. Its call is
// then marked `interrupted` (the cost is unknown) and the reservation stays, as `interrupted`, so that its worst
// case still counts in the budget of its day and month, until the real cost is recorded after all (the process
// was alive: it drops the reservation as usual).
import * as os from 'node:os';
import type { SqlValue } from 'sql.js';
export type { Reservation } from './api';
import { pidAlive } from './file';
import type { Reservation, Reservations } from './api';
import type { Conn } from './conn';

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

/** Journal operations on reservations; each is safe to replay on another process's file. */
export type ReservationOp =
  | { a: 'put'; r: Reservation }
  | { a: 'drop'; id: string }
  | { a: 'beat'; ids: string[]; time: number }
  /** The call's process is gone: the decision, if still pending, becomes interrupted; the reservation is kept. */
  | { a: 'interrupt'; id: string; error: string }
  | { a: 'forget'; before: number };

const COLS = 'id, usd, time, pid, host, heartbeat, state';

export function applyReservationOp(conn: Conn, op: ReservationOp): void {
  switch (op.a) {
    case 'put': {
      const r = op.r;
      conn.run(`INSERT OR REPLACE INTO reservations (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)`, [r.id, r.usd, r.time, r.pid, r.host, r.heartbeat, r.state]);
      break;
    }
    case 'drop':
      conn.run('DELETE FROM reservations WHERE id = ?', [op.id]);
      break;
    case 'beat':
      for (const id of op.ids) conn.run("UPDATE reservations SET heartbeat = MAX(heartbeat, ?) WHERE id = ? AND state = 'live'", [op.time, id]);
      break;
    case 'interrupt':
      conn.run("UPDATE reservations SET state = 'interrupted' WHERE id = ?", [op.id]);
      conn.run("UPDATE decisions SET status = 'interrupted', error = ? WHERE id = ? AND status = 'pending'", [op.error, op.id]);
      break;
    case 'forget':
      conn.run("DELETE FROM reservations WHERE state = 'interrupted' AND time < ?", [op.before]);
      break;
  }
}

/** The interrupted calls reserved in [since, until): how many, and the worst cases held for them. */
export function interruptedIn(conn: { all(sql: string, params?: SqlValue[]): SqlValue[][] }, since?: number, until?: number): { interrupted: number; interruptedHeldUsd: number } {
  const r = conn.all("SELECT COUNT(*), TOTAL(usd) FROM reservations WHERE state = 'interrupted' AND time >= ? AND time < ?",
    [since ?? -Number.MAX_SAFE_INTEGER, until ?? Number.MAX_SAFE_INTEGER])[0];
  return { interrupted: Number(r?.[0] ?? 0), interruptedHeldUsd: Number(r?.[1] ?? 0) };
}

const toReservation = (r: SqlValue[]): Reservation => ({
  id: String(r[0]), usd: Number(r[1]), time: Number(r[2]), pid: Number(r[3]), host: String(r[4]), heartbeat: Number(r[5]),
  state: r[6] === 'interrupted' ? 'interrupted' : 'live',
});

export interface Owner {
  pid: number;
  host: string;
}

export const THIS_PROCESS: Owner = { pid: process.pid, host: os.hostname() };

/** Whether a live reservation's process is gone: its pid is dead (same host), or it has not renewed it for STALE_MS. */
export function expired(r: Reservation, now: number, self: Owner = THIS_PROCESS, alive: (pid: number) => boolean = pidAlive): boolean {
  if (r.state !== 'live') return false;
  if (now - r.heartbeat > STALE_MS) return true;
  if (r.host === self.host && r.pid !== self.pid && !alive(r.pid)) return true;
  return false;
}

/** The reservations of one store: read from its open database, changed through its journal (`write`). */
export class ReservationBook implements Reservations {
  constructor(
    private readonly conn: Conn,
    private readonly write: (op: ReservationOp) => void,
    private readonly self: Owner = THIS_PROCESS,
  ) {}

  list(): Reservation[] {
    return this.conn.all(`SELECT ${COLS} FROM reservations ORDER BY time, id`).map(toReservation);
  }

  /**
   * Money held against the budget by reservations made at or after `since`: calls under way and interrupted ones.
   * An expired reservation still counts: its call becomes interrupted (held) unless its cost was recorded.
   */
  heldSince(since: number): number {
    return Number(this.conn.all('SELECT TOTAL(usd) FROM reservations WHERE time >= ?', [since])[0]?.[0] ?? 0);
  }

  /** Holds `usd` for the call `id` of this process, made at `time` (the day and month it counts in). */
  hold(id: string, usd: number, time = Date.now()): void {
    this.write({ a: 'put', r: { id, usd, time, pid: this.self.pid, host: this.self.host, heartbeat: Date.now(), state: 'live' } });
  }

  /** The call settled (its real cost is recorded with it): the money is no longer held. */
  release(id: string): void {
    this.write({ a: 'drop', id });
  }

  /** Renews this process's live reservations among `ids`. */
  beat(ids: string[], now = Date.now()): void {
    if (ids.length) this.write({ a: 'beat', ids, time: now });
  }

  /** The expired reservations (their calls are to be marked interrupted). */
  expiredNow(now = Date.now()): Reservation[] {
    return this.list().filter((r) => expired(r, now, this.self));
  }

  /**
   * Marks the calls of expired reservations interrupted and keeps their worst case held; forgets interrupted
   * reservations past any budget period. Returns how many calls were marked. Run it on the file's latest content
   * (under the lock), so that a call that finished meanwhile is not marked.
   */
  reconcile(now = Date.now()): number {
    const dead = this.expiredNow(now);
    for (const r of dead) {
      const status = this.conn.all('SELECT status FROM decisions WHERE id = ?', [r.id])[0]?.[0];
      if (status !== undefined && status !== 'pending') {
        this.write({ a: 'drop', id: r.id }); // its call was recorded: nothing is held for it any more
        continue;
      }
      const error = `interrupted: the process (pid ${r.pid} on ${r.host}) ended before the answer was recorded; its worst case $${r.usd.toFixed(6)} is held against the budget`;
      this.write({ a: 'interrupt', id: r.id, error });
    }
    const old = this.conn.all("SELECT COUNT(*) FROM reservations WHERE state = 'interrupted' AND time < ?", [now - KEEP_INTERRUPTED_MS])[0]?.[0];
    if (Number(old) > 0) this.write({ a: 'forget', before: now - KEEP_INTERRUPTED_MS });
    return dead.length;
  }
}
