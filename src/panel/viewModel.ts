// What the cost panel shows, computed from the store (pure: no DOM, no `vscode`). Used by the extension host
// (./host.ts via src/vscode/panel.ts), the Chromium test harness and the benchmark, so all three show the
// same numbers. The webview only formats and draws a ViewModel; its shape is declared in webview/protocol.ts.
import { loadHealth } from '../core/pool/health';
import type { DecisionStore, Stats } from '../core/store/api';
import { featuresView } from './features';
import type { RouterService } from '../core/service-api';
import type { BudgetState, DecisionRecord, RoutingAdjustment, TierConfig } from '../core/types';
import { hasFineTunedModel, lastFineTune, type FineTuneResult } from '../core/classifier/finetune';
import { tierLabel } from '../core/format';
import { parseSince } from '../core/period';
import { dayStart, monthStart } from '../core/store/days';
import {
  PAGE_SIZE,
  type AdjustmentRow,
  type DecisionDetail,
  type DecisionRow,
  type FineTuneView,
  type Period,
  type Summary,
  type TierInfo,
  type ViewModel,
} from '../../webview/protocol';

/** More days than this in the period: the spend chart groups days by week (a sidebar cannot show 365 bars). */
export const MAX_DAY_BARS = 62;

/** Start of the period in ms: the same definition as the CLI's --since (src/core/period.ts): today = since local
 *  midnight; 7d/30d = today and the 6/29 days before. */
export function periodSince(period: Period, now: number): number | undefined {
  return parseSince(period, now);
}

export function fineTuneView(r: FineTuneResult | null): FineTuneView | null {
  if (!r) return null;
  return {
    at: r.at,
    trainRows: r.trainRows,
    heldBack: r.heldBack,
    accuracyBefore: r.accuracyBefore,
    accuracyAfter: r.accuracyAfter,
    rightBefore: r.rightBefore,
    rightAfter: r.rightAfter,
    before: r.before,
    kept: r.kept,
    message: r.message,
    removedAt: r.removedAt ?? null,
  };
}

export interface ViewModelInput {
  store: DecisionStore;
  service?: Pick<RouterService, 'config' | 'budgetState'> | null;
  tiers?: TierConfig[];
  period: Period;
  now?: number;
  hasKey?: boolean | null;
  pageSize?: number;
}

/** Where src/core/retrain.ts keeps the time of the last retraining (store meta, ms since epoch). */
export const LAST_RETRAIN_META_KEYS = ['lastRetrain'];

export function tierInfos(tiers: TierConfig[]): TierInfo[] {
  return tiers.map((t, index) => ({ index, id: t.id, label: t.label, model: t.model }));
}

/** What the summary was computed from: the rest of the view model reuses it. */
export interface SummaryBasis {
  summary: Summary;
  stats: Stats;
  tierCount: number;
  labelOf: (i: number) => string;
  page: { rows: DecisionRecord[]; total: number };
}

/** The headline figures and the budget (what the panel draws first), from one read of the statistics. */
export function buildSummary(input: ViewModelInput): SummaryBasis {
  const now = input.now ?? Date.now();
  const { store } = input;
  const tiers = tierInfos(input.tiers ?? input.service?.config.tiers ?? []);
  const since = periodSince(input.period, now);
  const stats: Stats = store.stats(since === undefined ? { now } : { since, now });
  const tierCount = Math.max(tiers.length, ...Object.keys(stats.byTier).map((k) => Number(k) + 1), 0);
  const budget = store.getBudget();
  let budgetState: BudgetState | null = null;
  try {
    budgetState = input.service?.budgetState() ?? null;
  } catch {
    budgetState = null;
  }
  const page = store.listDecisions({ limit: input.pageSize ?? PAGE_SIZE, offset: 0 });
  const summary: Summary = {
    period: input.period,
    since: since ?? null,
    generatedAt: now,
    empty: page.total === 0,
    hasKey: input.hasKey ?? null,
    tiers,
    headline: {
      spendUsd: stats.spendUsd,
      baselineUsd: stats.baselineUsd,
      savedUsd: stats.savedUsd,
      savedPct: stats.savedPct,
      requests: stats.requests,
      decisions: stats.decisions,
      avgCostUsd: stats.avgCostUsd,
      unpriced: stats.unpriced,
      interrupted: stats.interrupted,
      interruptedHeldUsd: stats.interruptedHeldUsd,
      feedbackUp: stats.feedback.up,
      feedbackDown: stats.feedback.down,
    },
    budget: {
      ...budget,
      state: budgetState,
      spentTodayUsd: stats.spentTodayUsd,
      spentMonthUsd: stats.spentMonthUsd,
      heldTodayUsd: store.reservations.heldSince(dayStart(now)),
      heldMonthUsd: store.reservations.heldSince(monthStart(now)),
    },
  };
  return { summary, stats, tierCount, labelOf: (i: number) => tierLabel(tiers, i), page };
}

export function buildViewModel(input: ViewModelInput, basis: SummaryBasis = buildSummary(input)): ViewModel {
  const { store } = input;
  const { summary, stats, tierCount, labelOf, page } = basis;
  const tierDist = Array.from({ length: tierCount }, (_, i) => ({
    tier: i,
    label: labelOf(i),
    decisions: stats.byTier[i] ?? 0,
    spendUsd: stats.spendByTier[i] ?? 0,
  }));

  const quality = Array.from({ length: tierCount }, (_, i) => {
    const q = stats.qualityByTier.find((r) => r.tier === i);
    return {
      tier: i,
      label: labelOf(i),
      up: q?.up ?? 0,
      down: q?.down ?? 0,
      upRate: q?.upRate ?? null,
      autoQuality: q?.autoQuality ?? null,
      autoCount: q?.autoCount ?? 0,
    };
  });

  let lastRun: number | null = null;
  for (const k of LAST_RETRAIN_META_KEYS) {
    const v = store.getMeta(k);
    if (v !== null && v !== '') {
      const n = Number(v);
      lastRun = Number.isFinite(n) ? n : Date.parse(v) || null;
      if (lastRun !== null) break;
    }
  }

  const adjustments = store
    .listAdjustments(true)
    .slice()
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((a) => adjustmentRow(a, labelOf));

  return {
    ...summary,
    tierDist,
    days: daySeries(stats, tierCount, summary.since ?? undefined, summary.generatedAt),
    quality,
    retrain: {
      lastRun,
      adjustments,
      fineTune: fineTuneView(lastFineTune(store)),
      fineTunedInUse: hasFineTunedModel(store),
    },
    recent: { rows: page.rows.map((r) => decisionRow(store, r, labelOf)), total: page.total },
    backends: loadHealth(store),
    features: featuresView(store, summary.since ?? undefined, summary.generatedAt),
  };
}

/** Local calendar date "YYYY-MM-DD" of a time. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function daySeries(stats: Stats, tierCount: number, since: number | undefined, now: number): ViewModel['days'] {
  const present = stats.byDay.map((r) => r.day).sort();
  const first = since !== undefined ? localDay(since) : present[0];
  const last = [localDay(now), present[present.length - 1] ?? ''].sort()[1];
  const labels: string[] = [];
  if (first) {
    // Walk calendar days at local noon so daylight-saving changes never skip or repeat a day.
    const [y, m, d] = first.split('-').map(Number);
    const cur = new Date(y, m - 1, d, 12);
    for (let guard = 0; guard < 20_000; guard++) {
      const label = localDay(cur.getTime());
      if (label > last) break;
      labels.push(label);
      cur.setDate(cur.getDate() + 1);
    }
  }
  // Weeks are counted back from the last day, so the newest bucket is always a full 7 days ending today.
  const week = labels.length > MAX_DAY_BARS;
  const bucketOf = (i: number) => (week ? Math.floor((i - ((labels.length - 1) % 7) + 6) / 7) : i);
  const buckets = labels.length ? bucketOf(labels.length - 1) + 1 : 0;
  const bucketLabels = new Array<string>(buckets).fill('');
  labels.forEach((l, i) => {
    const b = bucketOf(i);
    if (!bucketLabels[b]) bucketLabels[b] = l;
  });
  const index = new Map(labels.map((l, i) => [l, bucketOf(i)]));
  const spendByTier = Array.from({ length: tierCount }, () => new Array<number>(buckets).fill(0));
  for (const r of stats.byDay) {
    const i = index.get(r.day);
    if (i === undefined || r.tier < 0 || r.tier >= tierCount) continue;
    spendByTier[r.tier][i] += r.spendUsd;
  }
  return { unit: week ? 'week' : 'day', labels: bucketLabels, spendByTier };
}

export function adjustmentRow(a: RoutingAdjustment, labelOf: (i: number) => string): AdjustmentRow {
  return {
    id: a.id,
    group: `${a.complexity}/${a.category}`,
    kind: a.kind,
    tier: a.tier,
    tierLabel: labelOf(a.tier),
    reason: a.reason,
    samples: a.evidence?.samples ?? 0,
    createdAt: a.createdAt,
    revertedAt: a.revertedAt,
  };
}

export function decisionRow(store: DecisionStore, r: DecisionRecord, labelOf: (i: number) => string): DecisionRow {
  const fb = store.feedbackFor(r.id);
  let feedback: 'up' | 'down' | null = null;
  let autoQuality: number | null = null;
  for (const f of fb) {
    if (f.thumb) feedback = f.thumb;
    if (f.autoQuality !== null) autoQuality = f.autoQuality;
  }
  return {
    id: r.id,
    time: r.time,
    model: r.answeredModel ?? r.model,
    tier: r.tier,
    tierLabel: labelOf(r.tier),
    complexity: r.complexity,
    category: r.category,
    reasons: r.reasons ?? [],
    costUsd: r.costUsd,
    baselineCostUsd: r.baselineCostUsd,
    status: r.status,
    source: r.source,
    prompt: r.prompt,
    feedback,
    autoQuality,
  };
}

export function decisionDetail(store: DecisionStore, id: string, tiers: TierInfo[]): DecisionDetail | null {
  const r = store.getDecision(id);
  if (!r) return null;
  const labelOf = (i: number) => tierLabel(tiers, i);
  return {
    ...decisionRow(store, r, labelOf),
    record: r,
    feedbackHistory: store.feedbackFor(id).map((f) => ({ thumb: f.thumb, autoQuality: f.autoQuality, time: f.time })),
  };
}
