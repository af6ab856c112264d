// Retention: detailed rows beyond the cap (rows or days) are removed; their numbers already live in the `daily`
// aggregates (kept by triggers), so statistics over the whole history do not change. Feedback rows of folded
// decisions go with them (each decision's latest thumb and automatic quality are already counted in `daily`).
import type { Database } from 'sql.js';
import type { Conn } from './conn';

export interface Retention {
  maxRows?: number;
  maxDays?: number;
}

export const FOLDED_BEFORE_KEY = 'store.foldedBefore';

/** Folds what is beyond the cap; returns how many decisions were folded. Runs inside the caller's transaction. */
export function foldOld(db: Database, r: Retention | undefined, now = Date.now()): number {
  if (!r) return 0;
  // Rows before (cutoff time, and at the cutoff time up to cutoff rowid) are folded.
  let cutoff = -Infinity;
  let cutoffRowid = -1;
  if (r.maxDays !== undefined && r.maxDays > 0) cutoff = now - r.maxDays * 86_400_000;
  if (r.maxRows !== undefined && r.maxRows >= 0) {
    const count = Number(db.exec('SELECT COUNT(*) FROM decisions')[0].values[0][0]);
    if (count > r.maxRows) {
      // the newest maxRows rows stay (ties on time broken by insertion order)
      const b = db.exec('SELECT time, rowid FROM decisions ORDER BY time DESC, rowid DESC LIMIT 1 OFFSET ?', [
        r.maxRows,
      ])[0]?.values[0];
      if (b && Number(b[0]) >= cutoff) {
        cutoff = Number(b[0]);
        cutoffRowid = Number(b[1]);
      }
    }
  }
  if (cutoff === -Infinity) return 0;
  const first = db.exec('SELECT MIN(time) FROM decisions')[0]?.values[0][0];
  if (first === null || first === undefined || Number(first) > cutoff || (Number(first) === cutoff && cutoffRowid < 0))
    return 0;
  const where = 'time < ? OR (time = ? AND rowid <= ?)';
  const args = [cutoff, cutoff, cutoffRowid];
  db.run(`DELETE FROM feedback WHERE decision_id IN (SELECT id FROM decisions WHERE ${where})`, args);
  db.run(`DELETE FROM decisions WHERE ${where}`, args);
  const folded = db.getRowsModified();
  const prev = Number(
    db.exec('SELECT value FROM meta WHERE key = ?', [FOLDED_BEFORE_KEY])[0]?.values[0][0] ?? -Infinity,
  );
  db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [
    FOLDED_BEFORE_KEY,
    String(Math.max(prev, cutoffRowid >= 0 ? cutoff + 1 : cutoff)),
  ]);
  return folded;
}

/**
 * Folds rows beyond the retention cap into the daily aggregates (they already count them), in a transaction of its
 * own, and, with `compact`, gives freed pages back (for the copy that is written to the file; a copy that is never
 * written skips it: new rows reuse the freed pages). `renumbered`: a VACUUM ran, which may renumber rows.
 */
export function foldRetained(
  conn: Conn,
  r: Retention | undefined,
  now = Date.now(),
  compact = true,
): { folded: number; renumbered: boolean } {
  const folded = conn.transaction(() => foldOld(conn.db, r, now));
  if (folded === 0 || !compact) return { folded, renumbered: false };
  if (conn.pragma('auto_vacuum') === 2) {
    conn.exec('PRAGMA incremental_vacuum'); // new databases: give the freed pages back now
    return { folded, renumbered: false };
  }
  // Older files without auto-vacuum: new rows reuse freed pages; give them back only when half the file is
  // free (retention first applied to a big file), since VACUUM rewrites the whole database.
  const free = conn.pragma('freelist_count');
  if (free * conn.pragma('page_size') > 256 * 1024 && free > conn.pragma('page_count') / 2) {
    conn.freeStatements();
    conn.exec('VACUUM');
    return { folded, renumbered: true };
  }
  return { folded, renumbered: false };
}
