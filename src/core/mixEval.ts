// The router measured on a labeled mix of prompts (the tier a careful engineer would pick for each): where each
// prompt goes, how often it goes below the tier it needs (a miss that costs answer quality) or above it (money
// spent for nothing), and what the mix costs against sending everything to the top tier. Calibrates the presets.
import { decide } from './policy';
import { outcomeTotals, type Outcome } from './routingMetrics';
import type { Classification, RouterConfig } from './types';

export interface MixRow {
  prompt: string;
  /** Index of the tier it needs. */
  need: number;
}

export interface MixReport {
  rows: number;
  /** Share of prompts per tier. */
  shares: number[];
  /** Share sent below the tier they need, and among those that need more than the cheapest tier. */
  under: number;
  underOfNeedy: number;
  /** Share sent above the tier they need. */
  over: number;
  /** Estimated cost against all on the top tier, and against the labels' own tiers. */
  costVsTop: number;
  costVsLabels: number;
}

export interface Scored {
  cls: Classification;
  need: number;
}

export function mixReport(items: readonly Scored[], config: RouterConfig): MixReport {
  const shares = config.tiers.map(() => 0);
  // counts of prompts (sent under, needing more than the cheapest tier, both, sent over) and estimated costs
  const t = { under: 0, needy: 0, underNeedy: 0, over: 0, cost: 0, top: 0, labels: 0 };
  for (const it of items) {
    const d = decide(it.cls, config, { id: 'mix', now: 0 });
    shares[d.tier]++;
    if (d.tier < it.need) t.under++;
    if (it.need > 0) {
      t.needy++;
      if (d.tier < it.need) t.underNeedy++;
    }
    if (d.tier > it.need) t.over++;
    const perTier = (tier: number) => (d.baselineEstCostUsd ?? 0) * priceRatio(config, tier);
    t.cost += perTier(d.tier);
    t.top += d.baselineEstCostUsd ?? 0;
    t.labels += perTier(it.need);
  }
  const n = Math.max(1, items.length);
  return {
    rows: items.length,
    shares: shares.map((s) => s / n),
    under: t.under / n,
    underOfNeedy: t.needy ? t.underNeedy / t.needy : 0,
    over: t.over / n,
    costVsTop: t.top ? t.cost / t.top : 0,
    costVsLabels: t.labels ? t.cost / t.labels : 0,
  };
}

/** Cost of a request on tier t relative to the top tier (blended input/output price, 1 : 4 tokens). */
export function priceRatio(config: RouterConfig, t: number): number {
  const blend = (i: number) => config.tiers[i].price.input + 4 * config.tiers[i].price.output;
  return blend(t) / blend(config.tiers.length - 1);
}

export interface Target {
  /** Most share of the prompts that need more than the cheapest tier sent below the tier they need. */
  maxUnder: number;
  maxTopShare?: number;
  minCheapShare?: number;
}

/** The cheapest thresholds (on a 0.02 grid) that meet the target on these items, or null when none does. */
export function fitThresholds(
  items: readonly Scored[],
  config: RouterConfig,
  target: Target,
): { thresholds: number[]; report: MixReport } | null {
  let best: { thresholds: number[]; report: MixReport } | null = null;
  for (let a = 4; a <= 96; a += 2) {
    for (let b = a; b <= 98; b += 2) {
      const thresholds = [a / 100, b / 100];
      const report = mixReport(items, { ...config, thresholds });
      if (report.underOfNeedy > target.maxUnder) continue;
      if (target.maxTopShare !== undefined && report.shares[report.shares.length - 1] > target.maxTopShare) continue;
      if (target.minCheapShare !== undefined && report.shares[0] < target.minCheapShare) continue;
      if (!best || report.costVsTop < best.report.costVsTop - 1e-12) best = { thresholds, report };
    }
  }
  return best;
}

export interface OutcomeRouting {
  rows: number;
  /** Share routed above the cheapest tier (answered by the table's strong model). */
  strongShare: number;
  /** Quality against sending everything to the strong model, and cost against the same. */
  qualityVsStrong: number;
  costVsStrong: number;
}

/**
 * A config on an outcome table: the cheapest tier stands for the table's weak model, every tier above it for the
 * strong one (the tables have two models to compare, not three).
 */
export function routeOutcomes(
  items: readonly {
    cls: Classification;
    outcome: Outcome;
  }[],
  config: RouterConfig,
): OutcomeRouting {
  const { strongScore: qs, strongCost: cs } = outcomeTotals(items.map((it) => it.outcome));
  let q = 0;
  let c = 0;
  let strong = 0;
  for (const it of items) {
    const up = decide(it.cls, config, { id: 'outcomes', now: 0 }).tier > 0;
    if (up) strong++;
    q += up ? it.outcome.strong_score : it.outcome.weak_score;
    c += up ? it.outcome.strong_cost : it.outcome.weak_cost;
  }
  const n = Math.max(1, items.length);
  return {
    rows: items.length,
    strongShare: strong / n,
    qualityVsStrong: qs ? q / qs : 1,
    costVsStrong: cs ? c / cs : 0,
  };
}
