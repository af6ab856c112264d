// Multi-model outcome tables (one prompt, the score of many models on it) turned into what the router learns from
// and is measured on: a task family per benchmark (for leave-one-benchmark-out cross-validation), a difficulty
// target per prompt, and weak/strong pairs for the RouteLLM summaries (APGR, CPT(50%)).
import type { Outcome } from '../routingMetrics';

export interface MultiRow {
  id: string;
  prompt: string;
  /** The benchmark as the source names it. */
  benchmark: string;
  /** The task family it belongs to (several sources publish the same benchmark under different names). */
  family: string;
  source: string;
  /** Model → score in [0, 1]. */
  models: Record<string, number>;
}

/** Benchmarks that are one task family, whatever the source calls them. MATH's subsets are MATH. */
const FAMILY: Record<string, string> = {
  'agentverse-logicgrid': 'logic-grid',
  human_eval: 'humaneval',
  humaneval_js: 'humaneval',
  'math-l5': 'math',
  math_prealgebra: 'math',
  arc_easy: 'arc',
  arc_challenge: 'arc',
  'arc-challenge': 'arc',
  winograde: 'winogrande',
};

export const familyOf = (benchmark: string): string => FAMILY[benchmark] ?? benchmark;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** One JSON object of an outcome table, or why it is not one. */
export function toMultiRow(o: unknown, fallbackId: string): MultiRow | string {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return 'not a JSON object';
  const r = o as Record<string, unknown>;
  if (typeof r.prompt !== 'string' || !r.prompt) return 'missing "prompt"';
  const benchmark = typeof r.benchmark === 'string' ? r.benchmark : typeof r.group === 'string' ? r.group : 'unknown';
  const models: Record<string, number> = {};
  if (r.models && typeof r.models === 'object') {
    for (const [m, s] of Object.entries(r.models as Record<string, unknown>)) if (isNum(s)) models[m] = s;
  } else if (isNum(r.weak_score) && isNum(r.strong_score)) {
    models[String(r.weak_model ?? 'weak')] = r.weak_score;
    models[String(r.strong_model ?? 'strong')] = r.strong_score;
  }
  if (Object.keys(models).length < 2)
    return 'needs the scores of at least two models ("models", or weak_score and strong_score)';
  return {
    id: r.id === undefined ? fallbackId : String(r.id),
    prompt: r.prompt,
    benchmark,
    family: familyOf(benchmark),
    source: typeof r.source === 'string' ? r.source : 'unknown',
    models,
  };
}

export function parseMultiJsonl(text: string, name: string): MultiRow[] {
  const out: MultiRow[] = [];
  text.split('\n').forEach((line, i) => {
    const s = line.trim();
    if (!s) return;
    const r = toMultiRow(JSON.parse(s), `${name}:${i + 1}`);
    if (typeof r !== 'string') out.push(r);
  });
  return out;
}

/** A table: the rows of one benchmark from one source (they share their models). */
export interface Table {
  key: string;
  family: string;
  rows: MultiRow[];
}

export function tables(rows: readonly MultiRow[]): Table[] {
  const by = new Map<string, Table>();
  for (const r of rows) {
    const key = `${r.source.split('@')[0]}:${r.benchmark}`;
    let t = by.get(key);
    if (!t) by.set(key, (t = { key, family: r.family, rows: [] }));
    t.rows.push(r);
  }
  return [...by.values()];
}

/** Mean score of each model over a table. */
export function modelMeans(rows: readonly MultiRow[]): Map<string, number> {
  const sum = new Map<string, [number, number]>();
  for (const r of rows) {
    for (const [m, s] of Object.entries(r.models)) {
      const a = sum.get(m) ?? [0, 0];
      a[0] += s;
      a[1]++;
      sum.set(m, a);
    }
  }
  return new Map([...sum].map(([m, [s, n]]) => [m, s / n]));
}

/**
 * Models that answer a table at all: a model whose mean is under 5% there failed on the format, not on the
 * questions (a chat model that never names an option letter), and says nothing about how hard each prompt is.
 */
export function usefulModels(rows: readonly MultiRow[]): string[] {
  return [...modelMeans(rows)].filter(([, m]) => m >= 0.05).map(([m]) => m);
}

/**
 * Difficulty of each prompt: the share of the useful models that fail it (1 − mean score). With many models this
 * ranks prompts by how far up the model ladder one must go, a richer target than one weak/strong pair.
 */
export function difficulties(t: Table): number[] {
  const ms = usefulModels(t.rows);
  return t.rows.map((r) => {
    let s = 0;
    let n = 0;
    for (const m of ms) {
      if (r.models[m] === undefined) continue;
      s += r.models[m];
      n++;
    }
    return n ? 1 - s / n : 0.5;
  });
}

/** Rank of each value in [0, 1] (ties share their mean rank). */
export function percentileRanks(xs: readonly number[]): number[] {
  const n = xs.length;
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const out = new Array<number>(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && xs[order[j + 1]] === xs[order[i]]) j++;
    const r = n > 1 ? (i + j) / 2 / (n - 1) : 0.5;
    for (let k = i; k <= j; k++) out[order[k]] = r;
    i = j + 1;
  }
  return out;
}

export interface Pair {
  weak: string;
  strong: string;
}

/** Claude pairs where a table has them (the product's own tiers' ancestors), in order of preference. */
const CLAUDE_PAIRS: Pair[] = [
  { weak: 'claude-3-5-haiku-20241022', strong: 'claude-3-5-sonnet-20241022' },
  { weak: 'claude-3-haiku-20240307', strong: 'claude-3-opus-20240229' },
];

/**
 * The weak/strong pair a table is summarised with: a Claude pair when the table has one; two models when there
 * are only two; otherwise the best useful model as strong and the median useful model as weak — a gap every
 * table has, chosen the same way for all.
 */
export function pairFor(t: Table): Pair {
  const means = modelMeans(t.rows);
  for (const p of CLAUDE_PAIRS) if (means.has(p.weak) && means.has(p.strong)) return p;
  const ranked = usefulModels(t.rows).sort((a, b) => (means.get(a) ?? 0) - (means.get(b) ?? 0));
  if (ranked.length < 2) {
    const all = [...means.keys()].sort((a, b) => (means.get(a) ?? 0) - (means.get(b) ?? 0));
    return { weak: all[0], strong: all[all.length - 1] };
  }
  return { weak: ranked[Math.floor((ranked.length - 1) / 2)], strong: ranked[ranked.length - 1] };
}

/** Relative cost of one call on the weak and the strong model, when the table publishes none (Haiku vs Sonnet). */
export const DEFAULT_COST_RATIO = { weak: 1, strong: 3 };

/** Weak/strong outcomes of a table's rows (rows missing either model are left out, with their index). */
export function pairOutcomes(
  t: Table,
  p: Pair = pairFor(t),
): { outcomes: (Outcome & { prompt: string })[]; index: number[] } {
  const outcomes: (Outcome & { prompt: string })[] = [];
  const index: number[] = [];
  t.rows.forEach((r, i) => {
    const w = r.models[p.weak];
    const s = r.models[p.strong];
    if (w === undefined || s === undefined) return;
    outcomes.push({
      prompt: r.prompt,
      weak_score: w,
      strong_score: s,
      weak_cost: DEFAULT_COST_RATIO.weak,
      strong_cost: DEFAULT_COST_RATIO.strong,
    });
    index.push(i);
  });
  return { outcomes, index };
}
