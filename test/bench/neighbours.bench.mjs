// Learning from similar past prompts, measured on the replayed outcome data (src/core/classifier/data/outcomes_train.jsonl):
// the rows in a fixed shuffled order stand for a user's history in time order. The first part is routed by the plain
// router and rated (its outcome on the tier it went to); every later prompt is routed twice, by the plain router and
// with the neighbours of what came before (whose outcomes were those of the neighbour-routed answers), and then joins
// the history. The cheapest tier stands for each table's weak model, every tier above for its strong one (cost 1 : 3),
// as in routing.bench.mjs. A "quality miss": sent to the weak model where it failed and the strong one passed.
// Caveat: the shipped learned model was trained on these prompts (its scores are optimistic); the rules strategy was not.
// Run: node test/bench/run.mjs neighbours
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const imp = (f) => tsImport(`../../src/core/${f}`, import.meta.url);
const { createClassifier } = await imp('classifier/index.ts');
const { parseMultiJsonl } = await imp('classifier/outcomes.ts');
const { defaultConfig } = await imp('config.ts');
const { decide } = await imp('policy.ts');
const { NeighbourIndex, adjustByNeighbours, DEFAULT_NEIGHBOURS } = await imp('neighbours/index.ts');

/** Each table's weak and strong model: a small and a large model of the same period. */
const PAIRS = {
  'ulab-uiuc/LLMRouter@4e7a796942ce': ['llama-3.1-8b-instruct', 'llama-3.1-nemotron-51b-instruct'],
  'WildEval/ZeroEval@8c1485edf12c': ['claude-3-haiku-20240307', 'claude-3-5-sonnet-20241022'],
  'withmartian/routerbench': ['gpt-3.5-turbo-1106', 'gpt-4-1106-preview'],
};
const COST = [1, 3];

const text = fs.readFileSync(path.join(root, 'src/core/classifier/data/outcomes_train.jsonl'), 'utf8');
const rows = parseMultiJsonl(text, 'outcomes_train.jsonl')
  .map((r) => {
    const p = PAIRS[r.source];
    return p && r.models[p[0]] !== undefined && r.models[p[1]] !== undefined
      ? { prompt: r.prompt, family: r.family, weak: r.models[p[0]], strong: r.models[p[1]] }
      : null;
  })
  .filter(Boolean);

// A fixed shuffle (mulberry32): the "time order" mixes the benchmarks as a user's days would.
let seed = 20261203;
const rand = () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [rows[i], rows[j]] = [rows[j], rows[i]];
}

const pc = (x) => `${(x * 100).toFixed(1)} %`;
const out = [];
const p = (s = '') => out.push(s);

function replay(strategy, config, opts, historyShare, ratedShare) {
  const cls = createClassifier(strategy);
  const index = new NeighbourIndex(opts.capacity);
  const warm = Math.floor(rows.length * historyShare);
  const tot = {
    base: { q: 0, c: 0, miss: 0, strong: 0 },
    nb: { q: 0, c: 0, miss: 0, strong: 0 },
    qs: 0,
    cs: 0,
    n: 0,
    moved: 0,
    up: 0,
    down: 0,
  };
  let ms = 0;
  const routed = [];
  let rr = 1;
  const rated = () => {
    rr = (rr * 48271) % 2147483647;
    return rr / 2147483647 < ratedShare;
  };
  const outcome = (r, tier) => (tier > 0 ? r.strong : r.weak);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const c0 = cls.classify(r.prompt);
    const t0 = decide(c0, config, { id: 'b', now: 0 }).tier;
    let t = t0;
    if (i >= warm) {
      const s = performance.now();
      const c1 = adjustByNeighbours(c0, r.prompt, config, index, opts);
      ms += performance.now() - s;
      t = decide(c1, config, { id: 'n', now: 0 }).tier;
      if (t !== t0) {
        tot.moved++;
        if (t > t0) tot.up++;
        else tot.down++;
      }
      for (const [k, tier] of [
        ['base', t0],
        ['nb', t],
      ]) {
        const m = tot[k];
        m.q += outcome(r, tier);
        m.c += COST[tier > 0 ? 1 : 0];
        if (tier > 0) m.strong++;
        if (tier === 0 && r.weak < 0.5 && r.strong >= 0.5) m.miss++;
      }
      routed.push({ r, c0 });
      tot.qs += r.strong;
      tot.cs += COST[1];
      tot.n++;
    }
    if (rated()) index.add({ id: String(i), prompt: r.prompt, tier: t, quality: outcome(r, t) });
  }
  return { ...tot, msPerPrompt: ms / Math.max(1, tot.n), sameCost: sameCost(routed, config, tot.nb.c) };
}

/** The plain router with its first threshold moved (0.01 steps) to the cost nearest `cost`: its quality and misses. */
function sameCost(routed, config, cost) {
  let best = null;
  for (let a = 1; a <= 99; a++) {
    const cfg = { ...config, thresholds: [a / 100, Math.max(a / 100, config.thresholds[1])] };
    const m = { q: 0, c: 0, miss: 0 };
    for (const { r, c0 } of routed) {
      const tier = decide(c0, cfg, { id: 's', now: 0 }).tier;
      m.q += tier > 0 ? r.strong : r.weak;
      m.c += COST[tier > 0 ? 1 : 0];
      if (tier === 0 && r.weak < 0.5 && r.strong >= 0.5) m.miss++;
    }
    if (!best || Math.abs(m.c - cost) < Math.abs(best.c - cost)) best = { ...m, threshold: a / 100 };
  }
  return best;
}

p('## Neighbours: learning from similar past prompts (replayed outcome data)');
p();
p(
  `${rows.length} prompts of the outcome tables in a fixed shuffled order; weak model = cheapest tier, strong = the tiers above (cost 1 : 3). ` +
    'Quality and cost against sending everything to the strong model; a miss is a prompt sent to the weak model that it failed and the strong one passed. ' +
    `Defaults: k = ${DEFAULT_NEIGHBOURS.k}, similarity ≥ ${DEFAULT_NEIGHBOURS.minSimilarity}, ≥ ${DEFAULT_NEIGHBOURS.minNeighbours} neighbours, agreement ${DEFAULT_NEIGHBOURS.agreement}, index of ${DEFAULT_NEIGHBOURS.capacity}.`,
);
p();
p(
  '| classifier, preset | history | rated | routed | without: quality / cost / misses | with neighbours: quality / cost / misses | plain router, first threshold moved (0.01 steps) to the nearest cost: quality / cost / misses | moved (up / down) | search ms per prompt |',
);
p('|---|---:|---:|---:|---|---|---|---:|---:|');
const line = (name, strategy, preset, hist, rated, opts = DEFAULT_NEIGHBOURS) => {
  const r = replay(strategy, defaultConfig(preset), opts, hist, rated);
  const m = (x) => `${pc(x.q / r.qs)} / ${pc(x.c / r.cs)} / ${pc(x.miss / r.n)}`;
  p(
    `| ${name} | ${pc(hist)} | ${pc(rated)} | ${r.n} | ${m(r.base)} | ${m(r.nb)} | ${m(r.sameCost)} (threshold ${r.sameCost.threshold.toFixed(2)}) | ${r.moved} (${r.up} / ${r.down}) | ${r.msPerPrompt.toFixed(3)} |`,
  );
};
for (const strategy of ['learned', 'rules']) {
  for (const preset of ['economy', 'balanced']) {
    line(`${strategy}, ${preset}`, strategy, preset, 0.5, 1);
    line(`${strategy}, ${preset}`, strategy, preset, 0.5, 0.2);
  }
}
line('learned, balanced, k = 10, similarity ≥ 0.6', 'learned', 'balanced', 0.5, 1, {
  ...DEFAULT_NEIGHBOURS,
  k: 10,
  minSimilarity: 0.6,
});
line('learned, balanced, index of 5000', 'learned', 'balanced', 0.5, 1, { ...DEFAULT_NEIGHBOURS, capacity: 5000 });
p();
process.stdout.write(out.join('\n') + '\n');
