// Spend split by workspace or by client (where a request came from), from the detailed decision rows (schema 4
// tags). Rows retention has folded into daily totals no longer say where they came from: they are left out here.
import type { SqlValue } from 'sql.js';
import type { BreakdownQuery, BreakdownRow } from './api';
import { Filter } from './filter';

type All = (sql: string, params?: SqlValue[]) => SqlValue[][];

const REQUESTS = "(status IN ('ok', 'error') OR (status = 'cancelled' AND input_tokens IS NOT NULL))";

export function breakdown(all: All, q: BreakdownQuery): BreakdownRow[] {
  const f = new Filter().period(q).when(q.workspaceId, 'workspace_id IS ?').when(q.source, 'source = ?');
  const key = q.by === 'workspace' ? 'workspace_id' : 'source';
  const name = q.by === 'workspace' ? 'MAX(workspace_name)' : 'source';
  const rows = all(
    `SELECT ${key}, ${name}, COUNT(*), SUM(${REQUESTS}), SUM(IFNULL(cost_usd, 0)),
       SUM(CASE WHEN cost_usd IS NULL THEN 0 ELSE IFNULL(baseline_cost_usd, cost_usd) END)
     FROM decisions${f.sql} GROUP BY ${key} ORDER BY 5 DESC, 3 DESC`,
    f.params,
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
