// The learned strategy: eight logistic heads over hashed n-grams and the rule signals. Inference is one pass over
// the prompt plus one weight lookup per feature per head.
import type { Category, Complexity } from '../types';
import { CATEGORIES, COMPLEXITIES } from '../types';
import { boundaryConfidence, reasonsFrom, sigmoid, type Partial1, type StrategyCore } from './strategy';
import { DENSE, featurize } from './hashing';
import { H, type Weights } from './model';
import { rankInputs, rankScore } from './ranker';

export interface Logits {
  l: Float64Array;
  /** Contribution of each dense signal to the score logit. */
  contrib: Float64Array;
}

const ACC = new Float64Array(H);

export function logits(
  w: Weights,
  text: string,
  extraStakes: readonly string[],
): { l: Float64Array; fz: ReturnType<typeof featurize> } {
  const fz = featurize(text, extraStakes);
  const l = new Float64Array(H);
  for (let k = 0; k < H; k++) l[k] = w.bias[k];
  const d = fz.dense;
  const wd = w.dense;
  for (let i = 0; i < DENSE; i++) {
    const x = d[i];
    if (x === 0) continue;
    const o = i * H;
    for (let k = 0; k < H; k++) l[k] += x * wd[o + k];
  }
  const sp = w.sparse;
  const mask = w.mask;
  const idx = fz.idx;
  const acc = ACC;
  acc.fill(0);
  for (let j = 0; j < fz.n; j++) {
    const o = (idx[j] & mask) * H;
    acc[0] += sp[o];
    acc[1] += sp[o + 1];
    acc[2] += sp[o + 2];
    acc[3] += sp[o + 3];
    acc[4] += sp[o + 4];
    acc[5] += sp[o + 5];
    acc[6] += sp[o + 6];
    acc[7] += sp[o + 7];
  }
  const s = 1 / Math.sqrt(fz.n + 1);
  for (let k = 0; k < H; k++) l[k] += acc[k] * s;
  return { l, fz };
}

/** Probabilities of a softmax over l[from..from+n). */
function softmax(l: Float64Array, from: number, n: number): number[] {
  let m = -Infinity;
  for (let k = 0; k < n; k++) m = Math.max(m, l[from + k]);
  const e: number[] = [];
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const v = Math.exp(l[from + k] - m);
    e.push(v);
    sum += v;
  }
  return e.map((v) => v / sum);
}

/**
 * Score: the score head, the expected complexity (0 / ½ / 1) and the rules' score, blended. Measured (5-fold CV on
 * the labeled data, and the RouterBench tables unseen): the blend ranks as well as the heads alone on labeled data and
 * generalises better to the unseen tables than either learned part on its own.
 */
export const BLEND = { head: 0.35, complexity: 0.35, rules: 0.3 };

export function scoreFrom(
  l: Float64Array,
  rulesZ: number,
  rankZ: number | null = null,
): { score: number; pCx: number[]; pCat: number[] } {
  const pCx = softmax(l, 1, 3);
  const pCat = softmax(l, 4, 4);
  if (rankZ !== null) return { score: sigmoid(l[0] + rankZ), pCx, pCat };
  const expected = pCx[1] * 0.5 + pCx[2];
  const score = BLEND.head * sigmoid(l[0]) + BLEND.complexity * expected + BLEND.rules * sigmoid(rulesZ);
  return { score, pCx, pCat };
}

/** The ranker's part of the score logit (version 2 models), or null for version 1 models. */
export function rankPart(w: Weights, text: string, dense: Float64Array): number | null {
  return w.ranker ? w.ranker.beta * rankScore(w.ranker, rankInputs(text, dense)) : null;
}

export function learnedCore(w: Weights, extraStakes: readonly string[]): StrategyCore {
  return {
    name: 'learned',
    one(text: string): Partial1 {
      const { l, fz } = logits(w, text, extraStakes);
      const { score, pCx, pCat } = scoreFrom(l, fz.dense[DENSE - 1] * 3, rankPart(w, text, fz.dense));
      let ci = 0;
      for (let k = 1; k < 3; k++) if (pCx[k] > pCx[ci]) ci = k;
      let ki = 0;
      for (let k = 1; k < 4; k++) if (pCat[k] > pCat[ki]) ki = k;
      const complexity: Complexity = COMPLEXITIES[ci];
      const category: Category = CATEGORIES[ki];
      // Reasons: the signals whose learned weights moved the score head most for this prompt.
      const contrib = new Float64Array(DENSE - 1);
      for (let i = 0; i < DENSE - 1; i++)
        contrib[i] =
          fz.dense[i] * (w.dense[i * H] + 0.5 * (w.dense[i * H + 3] - w.dense[i * H + 1])) + 0.5 * fz.terms[i];
      const confidence = Math.min(1, 0.15 + 0.45 * pCat[ki] + 0.4 * Math.max(pCx[ci], boundaryConfidence(score) - 0.2));
      return {
        score,
        complexity,
        category,
        confidence,
        reasons: reasonsFrom(contrib, fz.f, 3, score),
        highStakesDomain: fz.f.highStakesDomain,
      };
    },
  };
}
