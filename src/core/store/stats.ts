// Statistics from the daily aggregates (whole days) and the detailed rows (the partial days at a period's edges).
// Whole-history statistics read only the small `daily` table, so they stay fast however many rows there are, and
// stay right after retention folded old rows away (folding never touches `daily`).
import type { SqlValue } from 'sql.js';
import type { DayRow, GroupRow, Stats } from './api';
import { ceilDay, dayStart, monthStart } from './days';
import { DAILY_SUMS, DETAIL_AGGREGATE } from './migrations';
import { FOLDED_BEFORE_KEY } from './retention';
import { interruptedIn } from './reservations';

export interface Query {
  all(sql: string, params?: SqlValue[]): SqlValue[][];
}

interface Agg {
  day: string;
  tier: number;
  model: string;
  decisions: number;
  requests: number;
  priced: number;
  spend: number;
  baseline: number;
  unpriced: number;
  up: number;
  down: number;
  autoSum: number;
  autoN: number;
}

const MIN = -Number.MAX_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;
const SUM_COLS = DAILY_SUMS.join(', ');

/** Rounds away the float noise of adding and subtracting costs (1e-9 USD is far below any price). */
export const money = (v: number) => Math.round(v * 1e9) / 1e9 + 0;

function toAgg(r: SqlValue[]): Agg {
  const n = (i: number) => Number(r[i] ?? 0);
  // columns: day, day_start, tier, model, then DAILY_SUMS in order
  const s = (name: (typeof DAILY_SUMS)[number]) => n(4 + DAILY_SUMS.indexOf(name));
  return {
    day: String(r[0]),
    tier: n(2),
    model: String(r[3]),
    decisions: s('decisions'),
    requests: s('requests'),
    priced: s('priced'),
    spend: s('spend'),
    baseline: s('baseline'),
    unpriced: s('unpriced'),
    up: s('up'),
    down: s('down'),
    autoSum: s('auto_sum'),
    autoN: s('auto_n'),
  };
}

/** Aggregate rows covering [since, until): daily rows for whole local days, detailed rows for the partial ones. */
export function aggregates(db: Query, since?: number, until?: number): Agg[] {
  const daily = (lo: number, hi: number) =>
    db.all(
      `SELECT day, day_start, tier, model, ${SUM_COLS} FROM daily WHERE day_start >= ? AND day_start < ? AND decisions != 0`,
      [lo, hi],
    );
  const detail = (lo: number, hi: number) =>
    lo < hi
      ? db.all(`${DETAIL_AGGREGATE} WHERE time >= ? AND time < ? GROUP BY day, tier, COALESCE(answered_model, model)`, [
          lo,
          hi,
        ])
      : [];
  if (since === undefined && until === undefined) return daily(MIN, MAX).map(toAgg);
  const s = since ?? MIN;
  const u = until ?? MAX;
  // Where retention folded the detailed rows away, only whole days are known: a period edge that falls there
  // takes in its whole day.
  const folded = foldedBefore(db);
  const lo = since === undefined ? MIN : since < folded ? dayStart(since) : ceilDay(since);
  const hi = until === undefined ? MAX : until < folded ? ceilDay(until) : dayStart(until);
  if (lo >= hi) return detail(s, u).map(toAgg);
  return [...daily(lo, hi), ...detail(s, lo), ...detail(hi, u)].map(toAgg);
}

function foldedBefore(db: Query): number {
  const v = db.all(`SELECT value FROM meta WHERE key = '${FOLDED_BEFORE_KEY}'`)[0]?.[0];
  return v === undefined || v === null ? MIN : Number(v);
}

/**
 * The first time whose decisions spendSince(ms) counts: `ms` itself, or the start of its day where retention folded
 * the detailed rows away (only whole days are known there).
 */
export function spendFrom(db: Query, ms: number): number {
  return ms < foldedBefore(db) ? dayStart(ms) : ms;
}

/** Spend since a time: daily rows for whole days, detailed rows for the part-day before the first midnight. */
export function spendSince(db: Query, ms: number): number {
  const lo = ms < foldedBefore(db) ? dayStart(ms) : ceilDay(ms);
  const full = Number(db.all('SELECT TOTAL(spend) FROM daily WHERE day_start >= ?', [lo])[0][0]);
  const part =
    lo > ms ? Number(db.all('SELECT TOTAL(cost_usd) FROM decisions WHERE time >= ? AND time < ?', [ms, lo])[0][0]) : 0;
  return money(full + part);
}

export function computeStats(db: Query, q: { since?: number; until?: number; now?: number } = {}): Stats {
  const now = q.now ?? Date.now();
  const rows = aggregates(db, q.since, q.until);
  const st: Stats = {
    decisions: 0,
    requests: 0,
    byTier: {},
    spendByTier: {},
    spendUsd: 0,
    baselineUsd: 0,
    savedUsd: 0,
    savedPct: 0,
    avgCostUsd: 0,
    unpriced: 0,
    feedback: { up: 0, down: 0 },
    byDay: [],
    byModel: [],
    qualityByTier: [],
    ...interruptedIn(db, q.since, q.until),
    spentTodayUsd: 0,
    spentMonthUsd: 0,
  };
  let priced = 0;
  const days = new Map<string, DayRow>();
  const models = new Map<string, GroupRow>();
  const quality = new Map<number, { up: number; down: number; autoSum: number; autoN: number }>();
  for (const r of rows) {
    st.decisions += r.decisions;
    st.requests += r.requests;
    st.byTier[r.tier] = (st.byTier[r.tier] ?? 0) + r.decisions;
    st.spendByTier[r.tier] = (st.spendByTier[r.tier] ?? 0) + r.spend;
    st.spendUsd += r.spend;
    st.baselineUsd += r.baseline;
    st.unpriced += r.unpriced;
    st.feedback.up += r.up;
    st.feedback.down += r.down;
    priced += r.priced;
    const dk = `${r.day}|${r.tier}`;
    const d = days.get(dk) ?? { day: r.day, tier: r.tier, requests: 0, spendUsd: 0, baselineUsd: 0 };
    d.requests += r.requests;
    d.spendUsd += r.spend;
    d.baselineUsd += r.baseline;
    days.set(dk, d);
    const m = models.get(r.model) ?? { key: r.model, requests: 0, spendUsd: 0, baselineUsd: 0, savedUsd: 0 };
    m.requests += r.requests;
    m.spendUsd += r.spend;
    m.baselineUsd += r.baseline;
    models.set(r.model, m);
    const qt = quality.get(r.tier) ?? { up: 0, down: 0, autoSum: 0, autoN: 0 };
    qt.up += r.up;
    qt.down += r.down;
    qt.autoSum += r.autoSum;
    qt.autoN += r.autoN;
    quality.set(r.tier, qt);
  }
  for (const k of Object.keys(st.byTier)) {
    const t = Number(k);
    if (!st.byTier[t]) {
      delete st.byTier[t];
      delete st.spendByTier[t];
    } else st.spendByTier[t] = money(st.spendByTier[t]);
  }
  st.spendUsd = money(st.spendUsd);
  st.baselineUsd = money(st.baselineUsd);
  st.savedUsd = money(st.baselineUsd - st.spendUsd);
  st.savedPct = st.baselineUsd > 0 ? st.savedUsd / st.baselineUsd : 0;
  st.avgCostUsd = priced > 0 ? money(st.spendUsd / priced) : 0;
  st.byDay = [...days.values()]
    .map((d) => ({ ...d, spendUsd: money(d.spendUsd), baselineUsd: money(d.baselineUsd) }))
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.tier - b.tier));
  st.byModel = [...models.values()]
    .map((m) => ({
      ...m,
      spendUsd: money(m.spendUsd),
      baselineUsd: money(m.baselineUsd),
      savedUsd: money(m.baselineUsd - m.spendUsd),
    }))
    .sort((a, b) => b.spendUsd - a.spendUsd || b.requests - a.requests || a.key.localeCompare(b.key));
  st.qualityByTier = [...quality.entries()]
    .filter(([t]) => st.byTier[t])
    .sort((a, b) => a[0] - b[0])
    .map(([tier, v]) => ({
      tier,
      up: v.up,
      down: v.down,
      upRate: v.up + v.down > 0 ? v.up / (v.up + v.down) : null,
      autoQuality: v.autoN > 0 ? v.autoSum / v.autoN : null,
      autoCount: v.autoN,
    }));
  st.spentTodayUsd = spendSince(db, dayStart(now));
  st.spentMonthUsd = spendSince(db, monthStart(now));
  return st;
}
