// The few statistics an A/B comparison needs: a mean with its 95 % interval, a proportion with its Wilson interval,
// and the difference of two of either with a 95 % interval (Welch's normal approximation for means, the normal
// approximation with the Wilson-centred variances for proportions, i.e. Newcombe's hybrid score interval).
export const Z95 = 1.959963984540054;

export interface Estimate {
  n: number;
  value: number | null;
  lo: number | null;
  hi: number | null;
}

export interface MeanAcc {
  n: number;
  mean: number;
  m2: number;
}

/** Welford's running mean and variance. */
export function meanOf(xs: readonly number[]): MeanAcc {
  let n = 0,
    mean = 0,
    m2 = 0;
  for (const x of xs) {
    n++;
    const d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  return { n, mean, m2 };
}

const variance = (a: MeanAcc) => (a.n > 1 ? a.m2 / (a.n - 1) : 0);

export function meanEstimate(xs: readonly number[]): Estimate {
  const a = meanOf(xs);
  if (!a.n) return { n: 0, value: null, lo: null, hi: null };
  const se = Math.sqrt(variance(a) / a.n);
  return { n: a.n, value: a.mean, lo: a.n > 1 ? a.mean - Z95 * se : null, hi: a.n > 1 ? a.mean + Z95 * se : null };
}

export function wilson(k: number, n: number): Estimate {
  if (!n) return { n: 0, value: null, lo: null, hi: null };
  const p = k / n;
  const z2 = Z95 * Z95;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  return { n, value: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

export interface Difference {
  /** b − a */
  value: number | null;
  lo: number | null;
  hi: number | null;
}

/** Difference of means b − a with Welch's 95 % interval. */
export function meanDifference(a: readonly number[], b: readonly number[]): Difference {
  const A = meanOf(a),
    B = meanOf(b);
  if (A.n < 2 || B.n < 2) return { value: A.n && B.n ? B.mean - A.mean : null, lo: null, hi: null };
  const se = Math.sqrt(variance(A) / A.n + variance(B) / B.n);
  const d = B.mean - A.mean;
  return { value: d, lo: d - Z95 * se, hi: d + Z95 * se };
}

/** Difference of proportions b − a (Newcombe's hybrid score interval from the two Wilson intervals). */
export function proportionDifference(ka: number, na: number, kb: number, nb: number): Difference {
  if (!na || !nb) return { value: null, lo: null, hi: null };
  const A = wilson(ka, na),
    B = wilson(kb, nb);
  const pa = ka / na,
    pb = kb / nb;
  const d = pb - pa;
  const lo = d - Math.sqrt((pb - B.lo!) ** 2 + (A.hi! - pa) ** 2);
  const hi = d + Math.sqrt((B.hi! - pb) ** 2 + (pa - A.lo!) ** 2);
  return { value: d, lo, hi };
}
