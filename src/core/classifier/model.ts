// The learned model: weights of eight logistic heads (score, three complexities, four categories) over hashed
// sparse features and dense rule signals, and its compact JSON form (int8-quantised weights in base64).
import { DENSE } from './hashing';
import { RANK_INPUTS, type Ranker } from './ranker';

export const HEADS = ['score', 'simple', 'medium', 'complex', 'factual', 'reasoning', 'creative', 'code'] as const;
export const H = HEADS.length;

export interface ModelJson {
  format: 'llm-router-logreg';
  /** 1: score blended from the heads and the rules; 2: score head plus the difficulty ranker. */
  version: 1 | 2;
  bits: number;
  heads: string[];
  bias: number[];
  /** DENSE × heads, row-major. */
  dense: number[];
  /** Per head: weight = int8 × scale. */
  scale: number[];
  /** base64 of Int8Array(2^bits × heads), row-major. */
  sparse: string;
  /** Version 2: the within-family difficulty ranker and its weight in the score logit. */
  ranker?: { w: number[]; c: number; beta: number };
  trainedOn: { rows: number; files: string[]; createdAt: string; note?: string };
}

export interface Weights {
  bits: number;
  mask: number;
  bias: Float64Array;
  dense: Float64Array;
  sparse: Float32Array;
  /** The difficulty ranker (version 2 models), added to the score logit × beta; null in version 1 models. */
  ranker: (Ranker & { beta: number }) | null;
  trainedOn: ModelJson['trainedOn'];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    out += B64[a >> 2] + B64[((a & 3) << 4) | (b >> 4)];
    out += i + 1 < bytes.length ? B64[((b & 15) << 2) | (c >> 6)] : '=';
    out += i + 2 < bytes.length ? B64[c & 63] : '=';
  }
  return out;
}

function fromBase64(s: string): Uint8Array {
  const lut = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) lut[B64.charCodeAt(i)] = i;
  let len = s.length;
  while (len > 0 && s[len - 1] === '=') len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bitsN = 0;
  for (let i = 0; i < len; i++) {
    const v = lut[s.charCodeAt(i)];
    if (v < 0) throw new Error('model file: sparse weights are not valid base64');
    acc = (acc << 6) | v;
    bitsN += 6;
    if (bitsN >= 8) {
      bitsN -= 8;
      out[o++] = (acc >> bitsN) & 255;
    }
  }
  return out;
}

export function emptyWeights(bits: number): Weights {
  return {
    bits,
    mask: (1 << bits) - 1,
    bias: new Float64Array(H),
    dense: new Float64Array(DENSE * H),
    sparse: new Float32Array((1 << bits) * H),
    ranker: null,
    trainedOn: { rows: 0, files: [], createdAt: '' },
  };
}

export function toJson(w: Weights): ModelJson {
  const scale: number[] = [];
  for (let k = 0; k < H; k++) {
    let m = 0;
    for (let i = k; i < w.sparse.length; i += H) m = Math.max(m, Math.abs(w.sparse[i]));
    scale.push(m > 0 ? m / 127 : 1);
  }
  const q = new Int8Array(w.sparse.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w.sparse[i] / scale[i % H])));
  const r = (x: number) => Math.round(x * 1e5) / 1e5;
  return {
    format: 'llm-router-logreg',
    version: w.ranker ? 2 : 1,
    bits: w.bits,
    heads: [...HEADS],
    bias: [...w.bias].map(r),
    dense: [...w.dense].map(r),
    scale: scale.map((x) => +x.toPrecision(6)),
    sparse: toBase64(new Uint8Array(q.buffer)),
    ...(w.ranker
      ? { ranker: { w: w.ranker.w.map((x) => +x.toPrecision(6)), c: +w.ranker.c.toPrecision(6), beta: w.ranker.beta } }
      : {}),
    trainedOn: w.trainedOn,
  };
}

/** Reads a model file's JSON; throws with a clear message when it is not one. */
export function fromJson(j: unknown): Weights {
  const m = j as Partial<ModelJson>;
  if (!m || m.format !== 'llm-router-logreg' || (m.version !== 1 && m.version !== 2))
    throw new Error('not an llm-router model file (format llm-router-logreg, version 1 or 2)');
  if (!m.heads || m.heads.join() !== HEADS.join()) throw new Error(`model file: heads must be ${HEADS.join(', ')}`);
  const bits = m.bits ?? 0;
  if (!(Number.isInteger(bits) && bits >= 8 && bits <= 20))
    throw new Error('model file: bits must be an integer in 8..20');
  if (!m.dense || m.dense.length !== DENSE * H)
    throw new Error(`model file: expected ${DENSE * H} dense weights (this version's signals), got ${m.dense?.length}`);
  const w = emptyWeights(bits);
  w.bias.set(m.bias ?? []);
  w.dense.set(m.dense);
  const q = new Int8Array(fromBase64(m.sparse ?? '').buffer);
  if (q.length !== w.sparse.length) throw new Error('model file: sparse weights have the wrong size');
  const scale = m.scale ?? [];
  for (let i = 0; i < q.length; i++) w.sparse[i] = q[i] * scale[i % H];
  if (m.version === 2) {
    const r = m.ranker;
    if (!r || !Array.isArray(r.w) || r.w.length !== RANK_INPUTS || !Number.isFinite(r.c) || !Number.isFinite(r.beta)) {
      throw new Error(`model file: a version 2 model needs a ranker with ${RANK_INPUTS} weights, c and beta`);
    }
    w.ranker = { w: r.w.slice(), c: r.c, beta: r.beta };
  }
  w.trainedOn = m.trainedOn ?? { rows: 0, files: [], createdAt: '' };
  return w;
}
