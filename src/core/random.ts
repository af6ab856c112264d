// Seeded random numbers for what must come out the same on every run (training order, cross-validation folds).

/** xorshift32: a generator of numbers in [0, 1), the same sequence for the same seed (0 counts as 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}
