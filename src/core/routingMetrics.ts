// Metrics for the classifier: accuracy on labeled prompts, and the RouteLLM quality/cost summaries on outcome tables
// (PGR curve, APGR, CPT(50%), cost saved at 95% of the strong model's quality) next to random and length baselines.
// Plus k-fold helpers that never score a row the model trained on.
import type { Category, Complexity } from './types';
import { CATEGORIES, COMPLEXITIES } from './types';
import { seededRandom } from './random';

export interface Outcome {
  weak_score: number;
  strong_score: number;
  weak_cost: number;
  strong_cost: number;
}

export interface CurvePoint {
  /** Fraction of prompts sent to the strong model. */
  strongFraction: number;
  /** Mean quality at that point. */
  quality: number;
  /** Performance gap recovered: (Q - Q_weak) / (Q_strong - Q_weak). */
  pgr: number;
  /** Total cost at that point. */
  cost: number;
}

export interface OutcomeMetrics {
  rows: number;
  qualityWeak: number;
  qualityStrong: number;
  /** Share of rows where the strong model is needed (strong_score > weak_score). */
  needsStrong: number;
  /** Area under PGR over the strong-call fraction. Random ≈ 0.5. null when the two models tie on quality. */
  apgr: number | null;
  /** Smallest strong-call fraction that recovers half the quality gap. Random ≈ 0.5. */
  cpt50: number | null;
  /** Fraction of the all-strong cost saved at the cheapest point reaching 95% of the strong model's quality. */
  costSavedAt95: number | null;
  /** Strong-call fraction at that point. */
  strongFractionAt95: number | null;
  curve: CurvePoint[];
}

/** Sums over an outcome table: each model's scores and costs, and how many rows the strong model does better. */
export interface OutcomeTotals {
  weakScore: number;
  strongScore: number;
  weakCost: number;
  strongCost: number;
  needsStrong: number;
}

export function outcomeTotals(rows: readonly Outcome[]): OutcomeTotals {
  const t: OutcomeTotals = { weakScore: 0, strongScore: 0, weakCost: 0, strongCost: 0, needsStrong: 0 };
  for (const r of rows) {
    t.weakScore += r.weak_score;
    t.strongScore += r.strong_score;
    t.weakCost += r.weak_cost;
    t.strongCost += r.strong_cost;
    if (r.strong_score > r.weak_score) t.needsStrong++;
  }
  return t;
}

/**
 * Sends the highest-scoring prompts to the strong model first. Tied scores form one step whose inside is linear
 * (the expected curve under any order of the tie), so a constant score measures exactly like a random router.
 */
export function outcomeMetrics(rows: readonly Outcome[], scores: readonly number[]): OutcomeMetrics {
  const n = rows.length;
  if (n !== scores.length) throw new Error('outcomeMetrics: one score per row is needed');
  const { weakScore: qw, strongScore: qs, weakCost: cw, strongCost: cs, needsStrong: need } = outcomeTotals(rows);
  const order = rows.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const gap = qs - qw;
  const point = (k: number, qsum: number, cost: number): CurvePoint => ({
    strongFraction: n ? k / n : 0,
    quality: n ? qsum / n : 0,
    pgr: gap !== 0 ? (qsum - qw) / gap : 0,
    cost,
  });
  const curve: CurvePoint[] = [point(0, qw, cw)];
  let qsum = qw;
  let cost = cw;
  let k = 0;
  while (k < n) {
    let j = k;
    while (j < n && scores[order[j]] === scores[order[k]]) {
      const r = rows[order[j]];
      qsum += r.strong_score - r.weak_score;
      cost += r.strong_cost - r.weak_cost;
      j++;
    }
    k = j;
    curve.push(point(k, qsum, cost));
  }
  let apgr: number | null = null;
  let cpt50: number | null = null;
  if (gap !== 0 && n > 0) {
    apgr = 0;
    for (let i = 1; i < curve.length; i++) {
      const a = curve[i - 1];
      const b = curve[i];
      apgr += ((a.pgr + b.pgr) / 2) * (b.strongFraction - a.strongFraction);
      if (cpt50 === null && b.pgr >= 0.5) cpt50 = interp(a.strongFraction, a.pgr, b.strongFraction, b.pgr, 0.5);
    }
  }
  let costSavedAt95: number | null = null;
  let strongFractionAt95: number | null = null;
  if (n > 0 && cs > 0) {
    const target = (0.95 * qs) / n;
    for (let i = 0; i < curve.length; i++) {
      const b = curve[i];
      if (b.quality >= target - 1e-12) {
        const a = i > 0 ? curve[i - 1] : b;
        const f = i > 0 && b.quality !== a.quality ? (target - a.quality) / (b.quality - a.quality) : 1;
        const at = Math.max(0, Math.min(1, f));
        const c = a.cost + (b.cost - a.cost) * at;
        strongFractionAt95 = a.strongFraction + (b.strongFraction - a.strongFraction) * at;
        costSavedAt95 = 1 - c / cs;
        break;
      }
    }
  }
  return {
    rows: n,
    qualityWeak: n ? qw / n : 0,
    qualityStrong: n ? qs / n : 0,
    needsStrong: n ? need / n : 0,
    apgr,
    cpt50,
    costSavedAt95,
    strongFractionAt95,
    curve,
  };
}

function interp(x0: number, y0: number, x1: number, y1: number, y: number): number {
  if (y1 === y0) return x0;
  return x0 + ((y - y0) * (x1 - x0)) / (y1 - y0);
}

/** The random router, in expectation: PGR is linear in the strong-call fraction. */
export function randomBaseline(
  rows: readonly Outcome[],
): Pick<OutcomeMetrics, 'apgr' | 'cpt50' | 'costSavedAt95' | 'strongFractionAt95'> {
  // A constant score is one big tie: exactly the expected random curve.
  const m = outcomeMetrics(
    rows,
    rows.map(() => 0),
  );
  return { apgr: m.apgr, cpt50: m.cpt50, costSavedAt95: m.costSavedAt95, strongFractionAt95: m.strongFractionAt95 };
}

/** The prompt-length router: longer prompts go to the strong model first. */
export function lengthBaseline(rows: readonly (Outcome & { prompt: string })[]): OutcomeMetrics {
  return outcomeMetrics(
    rows,
    rows.map((r) => r.prompt.length),
  );
}

export interface LabeledPrediction {
  complexity: Complexity;
  category: Category;
  score: number;
}
export interface LabeledTruth {
  complexity: Complexity;
  category: Category;
}

export interface LabeledMetrics {
  rows: number;
  complexityAccuracy: number;
  categoryAccuracy: number;
  bothAccuracy: number;
  /** Of all pairs with different complexity labels, the share the score orders correctly (ties count half). */
  scoreRankAccuracy: number | null;
  /** confusion[truth][predicted] counts for complexity. */
  complexityConfusion: Record<Complexity, Record<Complexity, number>>;
  categoryConfusion: Record<Category, Record<Category, number>>;
}

export function labeledMetrics(truth: readonly LabeledTruth[], pred: readonly LabeledPrediction[]): LabeledMetrics {
  const n = truth.length;
  if (n !== pred.length) throw new Error('labeledMetrics: one prediction per row is needed');
  const cxc = Object.fromEntries(
    COMPLEXITIES.map((a) => [a, Object.fromEntries(COMPLEXITIES.map((b) => [b, 0]))]),
  ) as LabeledMetrics['complexityConfusion'];
  const cac = Object.fromEntries(
    CATEGORIES.map((a) => [a, Object.fromEntries(CATEGORIES.map((b) => [b, 0]))]),
  ) as LabeledMetrics['categoryConfusion'];
  let cx = 0;
  let ca = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    const a = truth[i].complexity === pred[i].complexity;
    const b = truth[i].category === pred[i].category;
    if (a) cx++;
    if (b) ca++;
    if (a && b) both++;
    cxc[truth[i].complexity][pred[i].complexity]++;
    cac[truth[i].category][pred[i].category]++;
  }
  // Pairwise ordering by label rank, counted per label pair in O(n log n)-ish via grouping.
  const byLevel: number[][] = [[], [], []];
  for (let i = 0; i < n; i++) byLevel[COMPLEXITIES.indexOf(truth[i].complexity)].push(pred[i].score);
  let pairs = 0;
  let good = 0;
  for (let lo = 0; lo < 3; lo++) {
    for (let hi = lo + 1; hi < 3; hi++) {
      for (const a of byLevel[lo]) {
        for (const b of byLevel[hi]) {
          pairs++;
          good += b > a ? 1 : b === a ? 0.5 : 0;
        }
      }
    }
  }
  return {
    rows: n,
    complexityAccuracy: n ? cx / n : 0,
    categoryAccuracy: n ? ca / n : 0,
    bothAccuracy: n ? both / n : 0,
    scoreRankAccuracy: pairs ? good / pairs : null,
    complexityConfusion: cxc,
    categoryConfusion: cac,
  };
}

/**
 * k folds over rows, grouping rows with the same key (e.g. the same prompt in two outcome tables) into the same fold,
 * so no prompt is scored by a model that saw it. Deterministic for a given seed.
 */
export function kFolds(keys: readonly string[], k: number, seed = 1): number[][] {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error('folds must be an integer ≥ 2');
  const groups = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const names = [...groups.keys()];
  // Deterministic shuffle of group names, then round-robin.
  const rand = seededRandom(seed);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [names[i], names[j]] = [names[j], names[i]];
  }
  const folds: number[][] = Array.from({ length: k }, () => []);
  names.forEach((name, i) => folds[i % k].push(...(groups.get(name) as number[])));
  return folds.map((f) => f.sort((a, b) => a - b));
}

/**
 * Out-of-fold predictions: for each fold, `fit` gets the indices of the other folds and returns a predictor used only
 * on the held-out fold's rows.
 */
export function crossValidate<P>(
  keys: readonly string[],
  k: number,
  fit: (trainIdx: number[]) => (i: number) => P,
  seed = 1,
): P[] {
  const folds = kFolds(keys, k, seed);
  const out: P[] = new Array(keys.length);
  for (let f = 0; f < folds.length; f++) {
    const held = new Set(folds[f]);
    const trainIdx: number[] = [];
    for (let i = 0; i < keys.length; i++) if (!held.has(i)) trainIdx.push(i);
    const predict = fit(trainIdx);
    for (const i of folds[f]) out[i] = predict(i);
  }
  return out;
}

export const pctStr = (x: number | null, digits = 1) => (x === null ? 'n/a' : `${(x * 100).toFixed(digits)}%`);
