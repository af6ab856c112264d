// Training the learned model in pure TypeScript: AdaGrad SGD on eight logistic heads, deterministic (seeded order).
import type { Category, Complexity } from '../types';
import { CATEGORIES, COMPLEXITIES } from '../types';
import { sigmoid } from './strategy';
import type { Row, TierLabel } from './dataset';
import { DENSE, featurize } from './hashing';
import { H, emptyWeights, type Weights } from './model';
import { rankInputs, rankScore, type Ranker } from './ranker';
import { seededRandom } from '../random';

export interface TrainOptions {
  bits?: number;
  epochs?: number;
  lr?: number;
  l2?: number;
  /** Weight of one outcome row relative to one labeled row (outcome tables are large and narrow). */
  outcomeWeight?: number;
  files?: string[];
  seed?: number;
  /** Start from these weights (fine-tuning, e.g. the shipped model on a user's feedback) instead of zeros. */
  init?: Weights;
  /** The difficulty ranker (fitted first, on outcome tables): its beta × score is a fixed part of the score logit. */
  ranker?: Ranker & { beta: number };
}

interface Ex {
  dense: Float64Array;
  idx: Int32Array;
  s: number;
  /** Fixed part of the score logit (the ranker's). */
  off: number;
  target: number | null;
  tw: number;
  cx: number;
  cat: number;
}

const CX_TARGET: Record<Complexity, number> = { simple: 0, medium: 0.5, complex: 1 };
/** A tier label is a stronger statement than a complexity label: the cheapest tier that answers well. */
const TIER_TARGET: Record<TierLabel, number> = { haiku: 0.05, sonnet: 0.6, opus: 0.95 };

/** Trains a model on labeled rows (complexity, category, score) and outcome rows (score: needs the strong model). */
export function train(rows: readonly Row[], o: TrainOptions = {}): Weights {
  const w = startWeights(o);
  const exs = examples(rows, w, o.outcomeWeight ?? 0.25);
  const acc: Accumulators = {
    dense: new Float64Array(w.dense.length).fill(1e-8),
    sparse: new Float32Array(w.sparse.length).fill(1e-8),
    bias: new Float64Array(H).fill(1e-8),
  };
  const rate = { lr: o.lr ?? 0.3, l2: o.l2 ?? 1e-4 };
  const rand = seededRandom(o.seed ?? 42);
  const order = exs.map((_, i) => i);
  const l = new Float64Array(H);
  const g = new Float64Array(H);
  const epochs = o.epochs ?? 12;
  for (let ep = 0; ep < epochs; ep++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const oi of order) {
      const e = exs[oi];
      logits(w, e, l);
      gradient(e, l, g);
      step(w, e, g, acc, rate);
    }
  }
  w.trainedOn = { rows: rows.length, files: o.files ?? [], createdAt: new Date().toISOString() };
  return w;
}

/** Zero weights of `o.bits` (default 12), or a copy of `o.init`'s; the ranker given, else the initial model's. */
function startWeights(o: TrainOptions): Weights {
  const w = emptyWeights(o.init ? o.init.bits : (o.bits ?? 12));
  if (o.init) {
    w.bias.set(o.init.bias);
    w.dense.set(o.init.dense);
    w.sparse.set(o.init.sparse);
  }
  const rk = o.ranker ?? (o.init ? o.init.ranker : null);
  w.ranker = rk ? { w: rk.w.slice(), c: rk.c, beta: rk.beta } : null;
  return w;
}

/** The rows as training examples: features (sparse ones masked to the table), the ranker's fixed part of the score
 *  logit, and the targets of the heads each row trains (`ow`: an outcome row's weight). */
function examples(rows: readonly Row[], w: Weights, ow: number): Ex[] {
  const mask = w.mask;
  const rk = w.ranker;
  return rows.map((r) => {
    const fz = featurize(r.prompt);
    const idx = new Int32Array(fz.n);
    for (let j = 0; j < fz.n; j++) idx[j] = fz.idx[j] & mask;
    const dense = fz.dense.slice();
    const off = rk ? rk.beta * rankScore(rk, rankInputs(r.prompt, dense)) : 0;
    const base = { dense, idx, s: 1 / Math.sqrt(fz.n + 1), off };
    if (r.kind === 'labeled') {
      return {
        ...base,
        target: r.tier ? TIER_TARGET[r.tier] : CX_TARGET[r.complexity],
        tw: r.tier ? 1.5 : 1,
        cx: COMPLEXITIES.indexOf(r.complexity),
        cat: CATEGORIES.indexOf(r.category as Category),
      };
    }
    if (r.kind === 'scored') return { ...base, target: r.target, tw: r.weight, cx: -1, cat: -1 };
    return { ...base, target: r.strong_score > r.weak_score ? 1 : 0, tw: ow, cx: -1, cat: -1 };
  });
}

/** The eight heads' logits for an example, into `l`. */
function logits(w: Weights, e: Ex, l: Float64Array): void {
  for (let k = 0; k < H; k++) l[k] = w.bias[k];
  l[0] += e.off;
  for (let d = 0; d < DENSE; d++) {
    const x = e.dense[d];
    if (x !== 0) for (let k = 0; k < H; k++) l[k] += x * w.dense[d * H + k];
  }
  for (let j = 0; j < e.idx.length; j++) {
    const b = e.idx[j] * H;
    for (let k = 0; k < H; k++) l[k] += e.s * w.sparse[b + k];
  }
}

/** The loss gradient of each head at logits `l`, into `g`: logistic for the score, softmax for complexity and
 *  category (zero for a head the example does not train). */
function gradient(e: Ex, l: Float64Array, g: Float64Array): void {
  g.fill(0);
  if (e.target !== null) g[0] = (sigmoid(l[0]) - e.target) * e.tw;
  if (e.cx >= 0) {
    const m = Math.max(l[1], l[2], l[3]);
    const ex = [Math.exp(l[1] - m), Math.exp(l[2] - m), Math.exp(l[3] - m)];
    const sum = ex[0] + ex[1] + ex[2];
    for (let k = 0; k < 3; k++) g[1 + k] = ex[k] / sum - (k === e.cx ? 1 : 0);
  }
  if (e.cat >= 0) {
    const m = Math.max(l[4], l[5], l[6], l[7]);
    const ex = [Math.exp(l[4] - m), Math.exp(l[5] - m), Math.exp(l[6] - m), Math.exp(l[7] - m)];
    const sum = ex[0] + ex[1] + ex[2] + ex[3];
    for (let k = 0; k < 4; k++) g[4 + k] = ex[k] / sum - (k === e.cat ? 1 : 0);
  }
}

/** AdaGrad's squared-gradient sums, one per weight. */
interface Accumulators {
  dense: Float64Array;
  sparse: Float32Array;
  bias: Float64Array;
}

/** One AdaGrad step on the weights the example touches (with L2 on dense and sparse weights). */
function step(w: Weights, e: Ex, g: Float64Array, acc: Accumulators, { lr, l2 }: { lr: number; l2: number }): void {
  for (let k = 0; k < H; k++) {
    const gk = g[k];
    if (gk === 0) continue;
    acc.bias[k] += gk * gk;
    w.bias[k] -= (lr * gk) / Math.sqrt(acc.bias[k]);
    for (let d = 0; d < DENSE; d++) {
      const x = e.dense[d];
      if (x === 0) continue;
      const p = d * H + k;
      const gg = gk * x + l2 * w.dense[p];
      acc.dense[p] += gg * gg;
      w.dense[p] -= (lr * gg) / Math.sqrt(acc.dense[p]);
    }
    for (let j = 0; j < e.idx.length; j++) {
      const p = e.idx[j] * H + k;
      const gg = gk * e.s + l2 * w.sparse[p];
      acc.sparse[p] += gg * gg;
      w.sparse[p] -= (lr * gg) / Math.sqrt(acc.sparse[p]);
    }
  }
}
