// Replay of a published outcome table with simulated feedback: quality and cost of the routing before retraining,
// after retraining on thumbs derived from the per-prompt scores, and after calibration. Prints a Markdown section.
// Table: test/fixtures/routerbench_mbpp_mixtral_gpt4.jsonl (RouterBench MBPP, Mixtral = weak, GPT-4 = strong; see
// test/fixtures/README.md). A prompt routed to the top tier gets the strong model's score and cost; routed to any
// cheaper tier, the weak model's. Thumbs: up when the score that tier would get is 1, down when 0.
// The real service, store (temp file), retraining and calibration run; no model is called.
// Run: node test/bench/run.mjs replay   (or: node test/bench/replay.bench.mjs)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const here = path.dirname(fileURLToPath(import.meta.url));
const { openStore } = await tsImport('../../src/core/store/index.ts', import.meta.url);
const { createRouterService } = await tsImport('../../src/core/service.ts', import.meta.url);
const { defaultConfig } = await tsImport('../../src/core/config.ts', import.meta.url);
const { planRetrain } = await tsImport('../../src/core/retrain.ts', import.meta.url);
const { calibrate, applyThresholds } = await tsImport('../../src/core/calibrate.ts', import.meta.url);

const TABLE = 'routerbench_mbpp_mixtral_gpt4.jsonl';
const rows = fs
  .readFileSync(path.join(here, '..', 'fixtures', TABLE), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));

// Deterministic split: even hash → feedback half ("train"), odd → evaluation half.
const hash = (s) => {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
};
const train = rows.filter((r) => hash(r.id) % 2 === 0);
const test = rows.filter((r) => hash(r.id) % 2 === 1);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-replay-'));
const store = await openStore({ path: path.join(dir, 'replay.sqlite'), debounceMs: 1000 });
const config = defaultConfig();
const TOP = config.tiers.length - 1;
let clock = Date.now() - 3600_000;
const svc = createRouterService({ config, store, retrainEvery: 0, now: () => (clock += 10) });

const outcome = (r, tier) =>
  tier === TOP ? { q: r.strong_score, c: r.strong_cost } : { q: r.weak_score, c: r.weak_cost };
function evaluate(set) {
  let q = 0,
    c = 0,
    top = 0;
  const tiers = new Array(config.tiers.length).fill(0);
  for (const r of set) {
    const d = svc.decide({ prompt: r.prompt });
    const o = outcome(r, d.tier);
    q += o.q;
    c += o.c;
    tiers[d.tier]++;
    if (d.tier === TOP) top++;
  }
  return { quality: q / set.length, cost: c, topShare: top / set.length, tiers: tiers.map((n) => n / set.length) };
}
const ref = (set, pick) => {
  let q = 0,
    c = 0,
    top = 0;
  for (const r of set) {
    const strong = pick(r);
    const o = strong ? { q: r.strong_score, c: r.strong_cost } : { q: r.weak_score, c: r.weak_cost };
    q += o.q;
    c += o.c;
    top += strong ? 1 : 0;
  }
  return { quality: q / set.length, cost: c, topShare: top / set.length };
};
// A random router at a given top share (expected value): quality and cost are linear in the share.
const random = (set, share) => {
  const w = ref(set, () => false),
    s = ref(set, () => true);
  return {
    quality: w.quality + share * (s.quality - w.quality),
    cost: w.cost + share * (s.cost - w.cost),
    topShare: share,
  };
};

const lines = [];
const row = (name, m, note = '') => {
  const w = ref(test, () => false),
    s = ref(test, () => true);
  const pgr = s.quality !== w.quality ? (m.quality - w.quality) / (s.quality - w.quality) : 0;
  lines.push(
    `| ${name} | ${(m.quality * 100).toFixed(1)} % | ${pgr.toFixed(2)} | $${m.cost.toFixed(3)} | ${(m.topShare * 100).toFixed(0)} % | ${note} |`,
  );
};

// 1. Before any feedback.
const before = evaluate(test);

// 2. Feedback: every train prompt is routed (recorded as a dry run) and rated by the score its tier would get.
let up = 0,
  down = 0;
for (const r of train) {
  const rec = svc.dryRun({ prompt: r.prompt, source: 'cli' });
  const good = outcome(r, rec.tier).q >= 1;
  svc.feedback(rec.id, good ? 'up' : 'down');
  good ? up++ : down++;
}
const groups = new Map();
for (const s of store.qualitySamples()) {
  const k = `${s.complexity}/${s.category} on ${config.tiers[s.tier].label}`;
  const g = groups.get(k) ?? { n: 0, bad: 0 };
  g.n++;
  if (s.quality < 0.5) g.bad++;
  groups.set(k, g);
}
const retrained = svc.retrain();
const afterRetrain = evaluate(test);
// The same evidence with a looser "consistently bad" rule (half the answers bad instead of 80 %): what the knob does.
const loose = planRetrain(store.qualitySamples(), config, store.listAdjustments(true), {
  consistency: 0.45,
  newId: () => `loose-${Math.random()}`,
});
for (const a of loose.added) store.addAdjustment(a);
const afterLoose = evaluate(test);
for (const a of loose.added) store.revertAdjustment(a.id);

// 3. Calibration on the recorded train decisions, evaluated on the test half.
const recorded = store.listDecisions({ limit: 10_000 }).rows;
const cal = [];
for (const share of [0.1, 0.2, 0.3, 0.5]) {
  const c = calibrate(recorded, config, share);
  applyThresholds(store, c.thresholds);
  cal.push({ share, c, m: evaluate(test) });
}
store.setMeta('thresholds', '');

lines.push(`## Replay: learning and calibration on an outcome table (${TABLE})`);
lines.push('');
lines.push(
  `${rows.length} MBPP prompts, split by id hash into ${train.length} for feedback and ${test.length} for evaluation. Top tier = the strong model's score and cost (GPT-4); any cheaper tier = the weak model's (Mixtral). Costs are the table's real USD. Feedback: ${up} thumbs up, ${down} down.`,
);
lines.push('');
lines.push('| routing (evaluation half) | quality | PGR | cost | to top tier | note |');
lines.push('|---|---|---|---|---|---|');
row(
  'all on the cheaper tier',
  ref(test, () => false),
);
row(
  'all on the top tier',
  ref(test, () => true),
);
row(
  'oracle (top tier only where it is needed)',
  ref(test, (r) => r.strong_score > r.weak_score),
);
row('router, before feedback', before, `tiers ${before.tiers.map((x) => `${(x * 100).toFixed(0)}%`).join(' / ')}`);
row('random at the same top share', random(test, before.topShare));
row('router, after retraining (defaults)', afterRetrain, `${retrained.added.length} adjustment(s)`);
row(
  'router, after retraining (≥ 45 % bad counts as consistent)',
  afterLoose,
  `${loose.added.length} adjustment(s): ${loose.added.map((a) => `${a.complexity}/${a.category} → ${config.tiers[a.tier].label}`).join(', ') || 'none'}`,
);
for (const { share, c, m } of cal) {
  row(`router, calibrated --top-share ${share}`, m, `thresholds ${c.thresholds.join(', ')}`);
  const r = random(test, m.topShare);
  lines.push(
    `| ↳ random at ${(m.topShare * 100).toFixed(0)} % top | ${(r.quality * 100).toFixed(1)} % | | $${r.cost.toFixed(3)} | | |`,
  );
}
lines.push('');
lines.push(
  'Feedback groups (train half): ' + [...groups].map(([k, g]) => `${k}: ${g.bad}/${g.n} bad`).join('; ') + '.',
);
lines.push('');
lines.push('Retraining (defaults) said: ' + (retrained.report.join('; ') || 'nothing to report') + '.');
lines.push('');
const worst = Math.max(...[...groups.values()].filter((g) => g.n >= 5).map((g) => g.bad / g.n));
lines.push(
  `Reading: code prompts never go below the middle tier, so "cheaper tier" here means Sonnet against Opus. The defaults raise a group only when at least 80 % of its recent answers on a tier were rated bad; the worst group with 5+ samples here had ${(worst * 100).toFixed(0)} % bad, so the defaults made ${retrained.added.length} change(s). Calibration moves the quality/cost point along the curve; compare each with a random router at the same top-tier share.`,
);
console.log(lines.join('\n'));

await store.close();
fs.rmSync(dir, { recursive: true, force: true });
