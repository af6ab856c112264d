// The difficulty ranker: a ridge regression from a prompt's structure and signals to how hard it is *within its
// task family* (the percentile of the share of models that fail it). Every outcome table is centred on its own
// mean before fitting, so the ranker learns what makes one maths problem, one multiple-choice question or one coding
// task harder than another of its kind, not which benchmark is hard; the absolute level comes from the labeled head.
import { DENSE, featurize } from './hashing';
import { STRUCT_COUNT, structure } from './structure';

export const RANK_INPUTS = STRUCT_COUNT + DENSE;

export interface Ranker {
  /** One weight per input (structure, then the dense signals). */
  w: number[];
  /** Added so that the mean training prompt ranks 0. */
  c: number;
}

/** The ranker's inputs for one prompt. */
export function rankInputs(text: string, dense?: Float64Array): Float64Array {
  const x = new Float64Array(RANK_INPUTS);
  x.set(structure(text), 0);
  x.set(dense ?? featurize(text, [], false).dense, STRUCT_COUNT);
  return x;
}

export function rankScore(r: Ranker, x: ArrayLike<number>): number {
  let z = r.c;
  for (let i = 0; i < RANK_INPUTS; i++) z += r.w[i] * x[i];
  return z;
}

/** Solves (A) w = b for a small dense symmetric positive-definite system (Gaussian elimination, partial pivoting). */
export function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    const d = M[c][c] || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / d;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[n] / (row[i] || 1e-12));
}

export interface RankGroup {
  /** Inputs of each prompt of one table. */
  x: Float64Array[];
  /** Target of each prompt (e.g. difficulty percentile within the table). */
  y: number[];
}

/**
 * Fits the ranker on groups (tables), each centred on its own means. Large tables weigh as much as about `cap`
 * prompts, so no single benchmark decides the weights. `lambda` is the ridge penalty on standardised inputs.
 */
export function fitRanker(groups: readonly RankGroup[], lambda = 10, cap = 400): Ranker {
  const n = RANK_INPUTS;
  const A = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const b = new Array<number>(n).fill(0);
  const gmean = new Float64Array(n);
  const sq = new Float64Array(n);
  let total = 0;
  const centred: { x: Float64Array; y: number; w: number }[] = [];
  for (const g of groups) {
    if (g.x.length < 2) continue;
    const mu = new Float64Array(n);
    let my = 0;
    g.x.forEach((x, i) => {
      for (let k = 0; k < n; k++) mu[k] += x[k] / g.x.length;
      my += g.y[i] / g.x.length;
    });
    const w = Math.min(1, cap / g.x.length);
    g.x.forEach((x, i) => {
      const cx = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        cx[k] = x[k] - mu[k];
        gmean[k] += w * x[k];
        sq[k] += w * cx[k] * cx[k];
      }
      total += w;
      centred.push({ x: cx, y: g.y[i] - my, w });
    });
  }
  const sd = Array.from(sq, (s) => Math.sqrt(s / Math.max(1, total)) || 1);
  for (const e of centred) {
    for (let i = 0; i < n; i++) {
      const xi = e.x[i] / sd[i];
      b[i] += e.w * xi * e.y;
      for (let j = 0; j < n; j++) A[i][j] += (e.w * xi * e.x[j]) / sd[j];
    }
  }
  for (let i = 0; i < n; i++) A[i][i] += lambda;
  const ws = solve(A, b).map((v, i) => v / sd[i]);
  let c = 0;
  for (let k = 0; k < n; k++) c -= (ws[k] * gmean[k]) / Math.max(1, total);
  return { w: ws, c };
}
