// Spend split by workspace or by client (where a request came from), from the detailed decision rows (schema 4
// tags). Rows retention has folded into daily totals no longer say where they came from: they are left out here.
import type { SqlValue } from 'sql.js';
import type { BreakdownQuery, BreakdownRow } from './api';

type All = (sql: string, params?: SqlValue[]) => SqlValue[][];

const REQUESTS = "(status IN ('ok', 'error') OR (status = 'cancelled' AND input_tokens IS NOT NULL))";

export function breakdown(all: All, q: BreakdownQuery): BreakdownRow[] {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.since !== undefined) {
    where.push('time >= ?');
    params.push(q.since);
  }
  if (q.until !== undefined) {
    where.push('time < ?');
    params.push(q.until);
  }
  if (q.workspaceId !== undefined) {
    where.push('workspace_id IS ?');
    params.push(q.workspaceId);
  }
  if (q.source !== undefined) {
    where.push('source = ?');
    params.push(q.source);
  }
  const key = q.by === 'workspace' ? 'workspace_id' : 'source';
  const name = q.by === 'workspace' ? 'MAX(workspace_name)' : 'source';
  const rows = all(
    `SELECT ${key}, ${name}, COUNT(*), SUM(${REQUESTS}), SUM(IFNULL(cost_usd, 0)),
       SUM(CASE WHEN cost_usd IS NULL THEN 0 ELSE IFNULL(baseline_cost_usd, cost_usd) END)
     FROM decisions${where.length ? ` WHERE ${where.join(' AND ')}` : ''} GROUP BY ${key} ORDER BY 5 DESC, 3 DESC`,
    params,
  );
  return rows.map((r) => {
    const spendUsd = Number(r[4] ?? 0);
    const baselineUsd = Number(r[5] ?? 0);
    return {
      key: r[0] === null ? null : String(r[0]),
      name: r[1] === null ? null : String(r[1]),
      decisions: Number(r[2]),
      requests: Number(r[3] ?? 0),
      spendUsd,
      baselineUsd,
      savedUsd: baselineUsd - spendUsd,
    };
  });
}
