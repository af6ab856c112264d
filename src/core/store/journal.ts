// The operation journal: every change the store makes is one of these, applied to the open database at once and
// kept until a save has written it. A save that finds another process's newer file replays the unsaved operations
// onto it, so each is safe to apply twice or on top of other rows: decisions are upserts by id, feedback has
// globally unique ids, adjustments are by id, budget and meta are last-writer-wins.
import type { SqlValue } from 'sql.js';
import type { RoutingAdjustment } from '../types';
import type { BudgetSettings } from './api';
import { FB_COLS, UPSERT_DECISION } from './columns';
import type { Conn } from './conn';
import { applyReservationOp, type ReservationOp } from './reservations';

export type Op =
  | { k: 'dec'; row: SqlValue[] }
  | { k: 'upd'; id: string; cols: string[]; vals: SqlValue[] }
  | { k: 'fb'; row: SqlValue[] }
  | { k: 'budget'; b: BudgetSettings }
  | { k: 'adj'; a: RoutingAdjustment }
  | { k: 'revert'; id: string; time: number }
  | { k: 'meta'; key: string; value: string }
  | { k: 'reset' }
  | { k: 'resv'; op: ReservationOp };

const INSERT_FEEDBACK = `INSERT OR IGNORE INTO feedback (${FB_COLS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?)`;
const UPSERT_BUDGET = `INSERT INTO budget (id, daily_limit_usd, monthly_limit_usd, on_exhausted) VALUES (1, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET daily_limit_usd = excluded.daily_limit_usd, monthly_limit_usd = excluded.monthly_limit_usd, on_exhausted = excluded.on_exhausted`;
const UPSERT_ADJUSTMENT = `INSERT INTO adjustments (id, complexity, category, kind, tier, reason, evidence, created_at, reverted_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET complexity = excluded.complexity, category = excluded.category, kind = excluded.kind,
    tier = excluded.tier, reason = excluded.reason, evidence = excluded.evidence, created_at = excluded.created_at,
    reverted_at = excluded.reverted_at`;
const REVERT_ADJUSTMENT = 'UPDATE adjustments SET reverted_at = ? WHERE id = ? AND reverted_at IS NULL';
const UPSERT_META = 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value';
const RESET = `DELETE FROM feedback; DELETE FROM decisions; DELETE FROM adjustments; DELETE FROM daily;
  DELETE FROM meta WHERE key = 'store.foldedBefore'; DELETE FROM reservations WHERE state = 'interrupted';`;

/** Applies one operation to the database `conn` has open. */
export function applyOp(conn: Conn, op: Op): void {
  switch (op.k) {
    case 'dec':
      conn.run(UPSERT_DECISION, op.row);
      break;
    case 'upd':
      conn.run(`UPDATE decisions SET ${op.cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [...op.vals, op.id]);
      break;
    case 'fb':
      conn.run(INSERT_FEEDBACK, op.row);
      break;
    case 'budget':
      conn.run(UPSERT_BUDGET, [op.b.dailyLimitUsd, op.b.monthlyLimitUsd, op.b.onExhausted]);
      break;
    case 'adj': {
      const a = op.a;
      conn.run(UPSERT_ADJUSTMENT, [
        a.id,
        a.complexity,
        a.category,
        a.kind,
        a.tier,
        a.reason,
        JSON.stringify(a.evidence),
        a.createdAt,
        a.revertedAt,
      ]);
      break;
    }
    case 'revert':
      conn.run(REVERT_ADJUSTMENT, [op.time, op.id]);
      break;
    case 'meta':
      conn.run(UPSERT_META, [op.key, op.value]);
      break;
    case 'reset':
      conn.exec(RESET);
      conn.resetStatements();
      break;
    case 'resv':
      applyReservationOp(conn, op.op);
      break;
  }
}

/** The decision whose time or cost an operation may change (the running spend figures follow it), or null. */
export function spendTouched(op: Op): string | null {
  if (op.k === 'dec') return String(op.row[0]);
  if (op.k === 'upd' && (op.cols.includes('cost_usd') || op.cols.includes('time'))) return op.id;
  return null;
}
