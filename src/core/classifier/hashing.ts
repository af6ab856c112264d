// The learned model's inputs: hashed word unigrams and bigrams (FNV-1a, from features.ts's single pass), hashed
// character trigrams of the prompt's head and tail, and the rule signals as dense values. Deterministic on every
// platform: 32-bit integer arithmetic only.
import { extract, sat, type Features } from './features';
import { S, SIGNAL_COUNT } from './signals';
import { RULE_BIAS, ruleTerms } from './rules';

export const DENSE = SIGNAL_COUNT + 1;
/** Characters of the head and of the tail that feed character trigrams (the whole prompt when shorter). */
const CHAR_WINDOW = 300;

export interface Featurized {
  f: Features;
  /** Rule terms (contribution of each signal in the rules strategy). */
  terms: Float64Array;
  dense: Float64Array;
  /** Hashed sparse features (unmasked 32-bit hashes); `n` of them are valid. */
  idx: Uint32Array;
  n: number;
}

let buf = new Uint32Array(4096);
let count = 0;

function push(h: number) {
  if (count >= buf.length) {
    const nb = new Uint32Array(buf.length * 2);
    nb.set(buf);
    buf = nb;
  }
  buf[count++] = h;
}

function charGrams(lower: string, from: number, to: number) {
  let a = 32;
  let b = 32;
  for (let i = from; i < to; i++) {
    let c = lower.charCodeAt(i);
    if (c === 10 || c === 9 || c === 13) c = 32;
    if (c === 32 && b === 32) continue;
    let h = Math.imul(0x5bd1e995 ^ a, 0x01000193);
    h = Math.imul(h ^ b, 0x01000193);
    h = Math.imul(h ^ c, 0x01000193);
    push(h >>> 0);
    a = b;
    b = c;
  }
}

/** Features of one text. The returned `idx` is a shared buffer: use it before the next call. */
export function featurize(text: string, extraStakes: readonly string[] = [], withChars = true): Featurized {
  count = 0;
  const lower = text.toLowerCase();
  const f = extract(lower, extraStakes, push, true);
  const terms = ruleTerms(f);
  if (withChars) {
    const n = lower.length;
    if (n <= 2 * CHAR_WINDOW) charGrams(lower, 0, n);
    else {
      charGrams(lower, 0, CHAR_WINDOW);
      charGrams(lower, n - CHAR_WINDOW, n);
    }
  }
  const s = f.sig;
  const dense = new Float64Array(DENSE);
  for (let i = 0; i < SIGNAL_COUNT; i++) dense[i] = i === S.Length ? Math.min(s[i], 6) / 6 : sat(s[i], 1.5);
  let z = RULE_BIAS;
  for (let i = 0; i < terms.length; i++) z += terms[i];
  dense[SIGNAL_COUNT] = z / 3;
  return { f, terms, dense, idx: buf, n: count };
}
