// Learning from similar past prompts: a small local index over the user's own rated prompts (hashed word unigrams
// and bigrams folded into a fixed-size signed vector, cosine similarity, no network, at most `capacity` prompts,
// oldest dropped first). The outcomes of the nearest ones move a new prompt's score by at most one tier, and the
// neighbours are named in the decision's reasons.
import { QUALITY_GATE } from '../quality';
import { tierForScore } from '../policy';
import type { Classification, RouterConfig } from '../types';

/** Dimensions of a prompt vector (signed feature hashing). */
export const DIM = 512;

export interface NeighbourItem {
  /** The decision it came from. */
  id: string;
  /** The stored prompt (a preview is fine). */
  prompt: string;
  /** The tier that answered it. */
  tier: number;
  /** Combined quality in [0, 1] (thumbs, the judge, automatic signals). */
  quality: number;
}

export interface NeighbourOptions {
  /** Most prompts kept (default 1000). */
  capacity: number;
  /** Neighbours looked at (default 5). */
  k: number;
  /** Least cosine similarity for a prompt to count as a neighbour (default 0.5). */
  minSimilarity: number;
  /** Neighbours needed before the score moves (default 2). */
  minNeighbours: number;
  /** Share of the neighbours' similarity that must point the same way (default 0.6). */
  agreement: number;
}

export const DEFAULT_NEIGHBOURS: NeighbourOptions = {
  capacity: 1000,
  k: 5,
  minSimilarity: 0.5,
  minNeighbours: 2,
  agreement: 0.6,
};

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A prompt as a unit vector: word unigrams and bigrams, hashed with a sign into DIM buckets. */
export function vectorize(text: string): Float32Array {
  const v = new Float32Array(DIM);
  const words =
    text
      .toLowerCase()
      .slice(0, 4000)
      .match(/[a-z0-9_]+/g) ?? [];
  const add = (g: string) => {
    const h = fnv(g);
    v[h % DIM] += h & 0x80000000 ? 1 : -1;
  };
  for (let i = 0; i < words.length; i++) {
    add(words[i]);
    if (i > 0) add(`${words[i - 1]} ${words[i]}`);
  }
  let n = 0;
  for (let i = 0; i < DIM; i++) n += v[i] * v[i];
  if (n > 0) {
    const s = 1 / Math.sqrt(n);
    for (let i = 0; i < DIM; i++) v[i] *= s;
  }
  return v;
}

export interface Neighbour extends NeighbourItem {
  similarity: number;
}

export class NeighbourIndex {
  private readonly items: (NeighbourItem & { v: Float32Array })[] = [];
  private next = 0;
  constructor(readonly capacity = DEFAULT_NEIGHBOURS.capacity) {}

  get size(): number {
    return this.items.length;
  }

  /** Adds a rated prompt; past the capacity, the oldest one makes room. */
  add(item: NeighbourItem): void {
    const entry = { ...item, v: vectorize(item.prompt) };
    if (this.items.length < this.capacity) this.items.push(entry);
    else {
      this.items[this.next] = entry;
      this.next = (this.next + 1) % this.capacity;
    }
  }

  /** The k most similar prompts at or above minSimilarity, most similar first. */
  nearest(prompt: string, k: number, minSimilarity: number): Neighbour[] {
    const q = vectorize(prompt);
    // Only the query's non-zero buckets count: a short prompt touches a few dozen of the DIM.
    const nz: number[] = [];
    for (let i = 0; i < DIM; i++) if (q[i] !== 0) nz.push(i);
    const best: Neighbour[] = [];
    for (const it of this.items) {
      let s = 0;
      const v = it.v;
      for (const i of nz) s += q[i] * v[i];
      if (s < minSimilarity || (best.length >= k && s <= best[best.length - 1].similarity)) continue;
      best.push({ id: it.id, prompt: it.prompt, tier: it.tier, quality: it.quality, similarity: s });
      best.sort((a, b) => b.similarity - a.similarity);
      if (best.length > k) best.pop();
    }
    return best;
  }
}

const quote = (p: string) => {
  const one = p.replace(/\s+/g, ' ').trim();
  return `“${one.length > 40 ? `${one.slice(0, 40)}…` : one}”`;
};

/**
 * The classification with its score moved by the neighbours' outcomes, or unchanged. A neighbour answered badly on
 * the tier this score picks (or a higher one) votes one tier up; one answered well on a cheaper tier votes one down.
 * The score moves to the edge of the next tier when enough of the neighbours' similarity agrees.
 */
export function adjustByNeighbours(
  cls: Classification,
  prompt: string,
  cfg: RouterConfig,
  index: NeighbourIndex,
  o: NeighbourOptions = DEFAULT_NEIGHBOURS,
): Classification {
  if (!index.size || !cfg.thresholds.length) return cls;
  const found = index.nearest(prompt, o.k, o.minSimilarity);
  if (found.length < o.minNeighbours) return cls;
  const top = cfg.tiers.length - 1;
  const c = tierForScore(cfg, cls.score);
  let up = 0;
  let down = 0;
  let all = 0;
  for (const n of found) {
    all += n.similarity;
    const good = n.quality >= QUALITY_GATE;
    if (!good && n.tier >= c) up += n.similarity;
    else if (good && n.tier < c) down += n.similarity;
  }
  let score = cls.score;
  if (c < top && up >= o.agreement * all) score = Math.max(score, cfg.thresholds[c]);
  else if (c > 0 && down >= o.agreement * all) score = Math.min(score, cfg.thresholds[c - 1] - 0.005);
  if (score === cls.score) return cls;
  const label = (t: number) => cfg.tiers[t]?.label ?? `tier ${t}`;
  const named = found
    .slice(0, 3)
    .map(
      (n) =>
        `${quote(n.prompt)} (${n.similarity.toFixed(2)}, ${label(n.tier)}, ${n.quality >= QUALITY_GATE ? 'good' : 'bad'})`,
    );
  return {
    ...cls,
    score: Math.round(score * 1000) / 1000,
    reasons: [
      ...cls.reasons,
      `similar past prompts: ${named.join('; ')} → score ${cls.score.toFixed(2)} → ${score.toFixed(2)}`,
    ],
  };
}
