// What every routed request reads before its call (the budget, today's and this month's spend, calibrated
// thresholds, active adjustments), kept in memory so that the pre-call path runs no SQL. Each entry is read from the
// database once; this process's own changes keep it current (spend as a running figure moved by each decision's
// cost), and a merge of another process's rows, a reset, retention or a new database start it afresh (`clear`).
import type { RoutingAdjustment } from '../types';
import type { BudgetSettings } from './api';
import { num } from './columns';
import type { Conn } from './conn';
import { spendTouched, type Op } from './journal';
import { money, spendFrom, spendSince } from './stats';

interface Hot {
  budget?: BudgetSettings;
  meta: Map<string, string | null>;
  /** Active (not reverted) adjustments. */
  adjustments?: RoutingAdjustment[];
  /** Spend since a time (the key) as a running figure; rows at or after `from` count (see stats.spendSince). */
  spend: Map<number, { from: number; usd: number }>;
}
const coldHot = (): Hot => ({ meta: new Map(), spend: new Map() });

type SpendRow = { time: number; cost: number } | null;

export class HotFigures {
  private h: Hot = coldHot();

  constructor(private readonly conn: Conn) {}

  /** Forgets everything: the next read goes to the database. */
  clear(): void {
    this.h = coldHot();
  }

  /** Applies `op` with `apply` and keeps the figures it touches current. */
  track(op: Op, apply: () => void): void {
    const id = this.h.spend.size ? spendTouched(op) : null;
    const before = id === null ? null : this.spendRow(id);
    apply();
    if (id !== null) this.moveSpend(before, this.spendRow(id));
    this.keepHot(op);
  }

  /** What a change does to the in-memory figures (spend is moved by `track` itself). */
  private keepHot(op: Op): void {
    const h = this.h;
    switch (op.k) {
      case 'budget':
        h.budget = undefined;
        break;
      case 'meta':
        h.meta.delete(op.key);
        break;
      case 'adj':
      case 'revert':
        h.adjustments = undefined;
        break;
      case 'reset':
        this.clear();
        break;
      default:
        break;
    }
  }

  /** A decision's time and cost, for the running spend figures (a primary-key lookup, whatever the history). */
  private spendRow(id: string): SpendRow {
    const r = this.conn.all('SELECT time, cost_usd FROM decisions WHERE id = ?', [id])[0];
    return r ? { time: Number(r[0]), cost: Number(r[1] ?? 0) } : null;
  }

  private moveSpend(before: SpendRow, after: SpendRow): void {
    for (const e of this.h.spend.values()) {
      if (before && before.time >= e.from) e.usd -= before.cost;
      if (after && after.time >= e.from) e.usd += after.cost;
    }
  }

  spendSince(ms: number): number {
    const hot = this.h.spend;
    let e = hot.get(ms);
    if (!e) {
      // "today" and "this month" are asked for over and over; a new day or month starts a new entry
      if (hot.size >= 8) hot.clear();
      e = { from: spendFrom(this.conn, ms), usd: spendSince(this.conn, ms) };
      hot.set(ms, e);
    }
    return money(e.usd);
  }

  budget(): BudgetSettings {
    if (!this.h.budget) {
      const r = this.conn.all('SELECT daily_limit_usd, monthly_limit_usd, on_exhausted FROM budget WHERE id = 1')[0];
      this.h.budget = r
        ? {
            dailyLimitUsd: num(r[0]),
            monthlyLimitUsd: num(r[1]),
            onExhausted: r[2] === 'cheapest' ? 'cheapest' : 'block',
          }
        : { dailyLimitUsd: null, monthlyLimitUsd: null, onExhausted: 'block' };
    }
    return { ...this.h.budget };
  }

  meta(key: string): string | null {
    const m = this.h.meta;
    let v = m.get(key);
    if (v === undefined) {
      const r = this.conn.all('SELECT value FROM meta WHERE key = ?', [key])[0];
      v = r ? String(r[0]) : null;
      m.set(key, v);
    }
    return v;
  }

  /** The active adjustments, read with `read` the first time (copies: callers may change them). */
  adjustments(read: () => RoutingAdjustment[]): RoutingAdjustment[] {
    this.h.adjustments ??= read();
    return this.h.adjustments.map((a) => ({ ...a, evidence: { ...a.evidence } }));
  }
}
