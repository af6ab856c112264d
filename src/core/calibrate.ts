// Calibration: thresholds set so that a chosen share of recent traffic goes to the top tier (the RouteLLM-style
// cost/quality knob), with the expected cost of that traffic under the new thresholds.
import { decide } from './policy';
import type { DecisionStore } from './store/api';
import type { Classification, Decision, RouterConfig } from './types';

export interface CalibrationResult {
  thresholds: number[];
  previous: number[];
  /** What was asked for and what the scores give (ties can make it differ). */
  topShare: { asked: number; byScore: number; afterPolicy: number };
  samples: number;
  /** Share of the sampled traffic per tier after the full policy (floors, high-stakes, low confidence), new thresholds. */
  tierShares: number[];
  /** Mean estimated cost per request, before and after, and all on the top tier. */
  expected: { beforeUsd: number; afterUsd: number; baselineUsd: number };
  notes: string[];
}

/** What calibration needs of a past decision (a DecisionRecord has all of it). */
export type ScoredDecision = Pick<
  Decision,
  'score' | 'complexity' | 'category' | 'confidence' | 'highStakes' | 'estInputTokens' | 'strategy'
>;

/** The META key under which calibrated thresholds are kept; the service reads it. */
export const THRESHOLDS_META_KEY = 'thresholds';

/** Calibrated thresholds stored in the database, when valid for this config. */
export function storedThresholds(store: Pick<DecisionStore, 'getMeta'>, config: RouterConfig): number[] | null {
  const raw = store.getMeta(THRESHOLDS_META_KEY);
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as unknown;
    if (!Array.isArray(v) || v.length !== config.tiers.length - 1) return null;
    if (!v.every((x, i) => typeof x === 'number' && x >= 0 && x <= 1 && (i === 0 || x >= (v[i - 1] as number))))
      return null;
    return v as number[];
  } catch {
    return null;
  }
}

export function calibrate(items: readonly ScoredDecision[], config: RouterConfig, topShare: number): CalibrationResult {
  if (!(topShare >= 0 && topShare <= 1))
    throw new Error(`top share must be between 0 and 1 (e.g. 0.2 for 20 %), not ${topShare}`);
  const previous = [...config.thresholds];
  const n = items.length;
  const notes: string[] = [];
  const k = config.thresholds.length;
  if (k === 0) throw new Error('one tier only: there are no thresholds to calibrate');
  if (n === 0) throw new Error('no recent decisions to calibrate from: route or dry-run some prompts first');
  if (n < 50) notes.push(`only ${n} decisions: the shares will move as more traffic comes in`);

  const desc = items.map((d) => d.score).sort((a, b) => b - a);
  const want = Math.round(topShare * n);
  let top: number;
  if (want <= 0) top = 1;
  else if (want >= n) top = 0;
  else top = (desc[want - 1] + desc[want]) / 2;
  if (want > 0 && want < n && desc[want - 1] === desc[want])
    notes.push('many prompts share the same score at the cut: the top share is approximate');
  top = round4(top);
  // Lower thresholds keep their place relative to the top one (the middle tiers' bands scale with it).
  const prevTop = previous[k - 1];
  const thresholds = previous.map((t, i) =>
    i === k - 1 ? top : round4(prevTop > 0 ? (t / prevTop) * top : Math.min(t, top)),
  );
  for (let i = k - 2; i >= 0; i--) thresholds[i] = Math.max(0, Math.min(thresholds[i], thresholds[i + 1]));

  const byScore = desc.filter((s) => s >= top).length / n;
  const cfgAfter: RouterConfig = { ...config, thresholds };
  const topIdx = config.tiers.length - 1;
  const run = (cfg: RouterConfig) => {
    const counts = new Array<number>(config.tiers.length).fill(0);
    let cost = 0;
    let base = 0;
    for (const d of items) {
      const dec = decide(asClassification(d), cfg, { id: 'calibration', now: 0 });
      counts[dec.tier]++;
      cost += dec.estCostUsd ?? 0;
      base += dec.baselineEstCostUsd ?? 0;
    }
    return { counts, cost: cost / n, base: base / n };
  };
  const before = run(config);
  const after = run(cfgAfter);
  const afterPolicy = after.counts[topIdx] / n;
  if (afterPolicy > byScore + 0.05)
    notes.push(
      `floors, high-stakes and low-confidence rules send ${pct(afterPolicy)} to the top tier, above the ${pct(byScore)} the scores alone give`,
    );
  return {
    thresholds,
    previous,
    topShare: { asked: topShare, byScore, afterPolicy },
    samples: n,
    tierShares: after.counts.map((c) => c / n),
    expected: { beforeUsd: before.cost, afterUsd: after.cost, baselineUsd: after.base },
    notes,
  };
}

/** Calibrates from the store's most recent decisions (default 1,000). */
export function calibrateFromStore(
  store: DecisionStore,
  config: RouterConfig,
  topShare: number,
  limit = 1000,
): CalibrationResult {
  const rows = store.listDecisions({ limit }).rows.filter((r) => r.parentId === null);
  return calibrate(rows, config, topShare);
}

export function applyThresholds(store: DecisionStore, thresholds: number[]): void {
  store.setMeta(THRESHOLDS_META_KEY, JSON.stringify(thresholds));
}

function asClassification(d: ScoredDecision): Classification {
  return {
    score: d.score,
    complexity: d.complexity,
    category: d.category,
    confidence: d.confidence,
    reasons: [],
    highStakes: d.highStakes,
    estInputTokens: d.estInputTokens,
    strategy: d.strategy,
  };
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;
const pct = (x: number) => `${Math.round(x * 100)} %`;
