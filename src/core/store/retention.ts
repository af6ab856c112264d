// Retention: detailed rows beyond the cap (rows or days) are removed; their numbers already live in the `daily`
// aggregates (kept by triggers), so statistics over the whole history do not change. Feedback rows of folded
// decisions go with them (each decision's latest thumb and automatic quality are already counted in `daily`).
import type { Database } from 'sql.js';

export interface Retention { maxRows?: number; maxDays?: number }

export const FOLDED_BEFORE_KEY = 'store.foldedBefore';

/** Folds what is beyond the cap; returns how many decisions were folded. Runs inside the caller's transaction. */
export function foldOld(db: Database, r: Retention | undefined, now = Date.now()): number {
  if (!r) return 0;
  let cutoff = -Infinity;
  if (r.maxDays !== undefined && r.maxDays > 0) cutoff = now - r.maxDays * 86_400_000;
  if (r.maxRows !== undefined && r.maxRows >= 0) {
    const count = Number(db.exec('SELECT COUNT(*) FROM decisions')[0].values[0][0]);
    if (count > r.maxRows) {
      // the newest maxRows rows stay; rows sharing the boundary time go too, so at most maxRows remain
      const t = db.exec('SELECT time FROM decisions ORDER BY time DESC LIMIT 1 OFFSET ?', [r.maxRows])[0]?.values[0][0];
      if (t !== undefined && t !== null) cutoff = Math.max(cutoff, Number(t) + 1);
    }
  }
  if (cutoff === -Infinity) return 0;
  const first = db.exec('SELECT MIN(time) FROM decisions')[0]?.values[0][0];
  if (first === null || first === undefined || Number(first) >= cutoff) return 0;
  db.run('DELETE FROM feedback WHERE decision_id IN (SELECT id FROM decisions WHERE time < ?)', [cutoff]);
  db.run('DELETE FROM decisions WHERE time < ?', [cutoff]);
  const folded = db.getRowsModified();
  const prev = Number(db.exec('SELECT value FROM meta WHERE key = ?', [FOLDED_BEFORE_KEY])[0]?.values[0][0] ?? -Infinity);
  db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [
    FOLDED_BEFORE_KEY, String(Math.max(prev, cutoff)),
  ]);
  return folded;
}
