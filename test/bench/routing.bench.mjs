// Routing quality benchmark (issue "Routing that pays"): what the shipped router does with money and answers.
//  1. Decontamination: the project's training and test data against the held-out prompt list (when ../shared is there).
//  2. Leave-one-benchmark-out: for every task family of the shared outcome tables, the model is rebuilt without that
//     family and scores it; APGR and CPT(50%) beside prompt length and random.
//  3. Presets on the committed VS Code mix (the tier a careful engineer would pick): tier shares, misses, cost.
//  4. Presets on the outcome tables, held-out folds: quality and cost against the strong model.
//  5. Each rule (floors, escalations, high-stakes) added to or removed from balanced, with its effect on both.
// Run: node test/bench/run.mjs routing   (sections 1, 2, 4 and 5's outcome half need $LLM_ROUTER_SHARED_DATA or ../shared/data)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const imp = (f) => tsImport(`../../src/core/${f}`, import.meta.url);
const { createClassifier } = await imp('classifier/index.ts');
const { parseJsonl } = await imp('classifier/dataset.ts');
const { parseMultiJsonl } = await imp('classifier/outcomes.ts');
const { leaveOneBenchmarkOut, meanOf } = await imp('classifier/lobo.ts');
const { defaultConfig } = await imp('config.ts');
const { PRESET_NAMES } = await imp('presets.ts');
const { mixReport, routeOutcomes } = await imp('mixEval.ts');

const out = [];
const p = (s = '') => out.push(s);
const pc = (x, d = 1) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(d)} %`);
const f3 = (x) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
const dataDir = path.join(root, 'src/core/classifier/data');
const shared = [process.env.LLM_ROUTER_SHARED_DATA, path.join(root, '../shared/data')].find(
  (d) => d && fs.existsSync(d),
);
const TIER = { haiku: 0, sonnet: 1, opus: 2 };

p('## Routing: outcomes, presets and rules');
p();
// ---- 1. decontamination ----
if (shared) {
  const files = [
    ...fs
      .readdirSync(dataDir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => path.join(dataDir, f)),
    ...['test/fixtures/high-stakes'].flatMap((d) =>
      fs.existsSync(path.join(root, d)) ? fs.readdirSync(path.join(root, d)).map((f) => path.join(root, d, f)) : [],
    ),
  ];
  const r = spawnSync(process.execPath, [path.join(shared, '../tools/decontaminate.mjs'), ...files], {
    encoding: 'utf8',
  });
  p(`### Decontamination: ${r.status === 0 ? 'clean' : `FOUND held-out prompts (exit ${r.status})`}`);
  p();
  p('```');
  p((r.stdout + r.stderr).trim().split('\n').slice(-6).join('\n'));
  p('```');
} else p('### Decontamination: not run (no shared data folder)');
p();

// ---- the mix ----
const mix = fs
  .readFileSync(path.join(dataDir, 'vscode_mix.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const learned = createClassifier('learned');
const mixItems = mix.map((r) => ({ cls: learned.classify(r.prompt), need: TIER[r.tier] }));
const labeled = ['labeled_own.jsonl', 'labeled_prompts_mmrouter.jsonl', 'vscode_train.jsonl'].flatMap(
  (f) => parseJsonl(fs.readFileSync(path.join(dataDir, f), 'utf8')).rows,
);

// ---- 2. leave-one-benchmark-out ----
let held = [];
if (shared) {
  const t0 = Date.now();
  const train = parseMultiJsonl(fs.readFileSync(path.join(dataDir, 'outcomes_train.jsonl'), 'utf8'), 'outcomes_train');
  // Measured, never trained on: RouterDC's tables (no licence) and the test-only benchmarks left out of training.
  const testOnly = fs
    .readFileSync(path.join(shared, 'outcomes/llmrouter_14tasks_9models.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => /"benchmark": ?"(human_eval|gpqa)"/.test(l))
    .join('\n');
  const evalOnly = [
    ...parseMultiJsonl(
      fs.readFileSync(path.join(shared, 'outcomes/routerdc_9tasks_7models.jsonl'), 'utf8'),
      'routerdc',
    ),
    ...parseMultiJsonl(testOnly, 'test-only'),
  ];
  const lobo = leaveOneBenchmarkOut(train, evalOnly, labeled, { bits: 14, epochs: 20 });
  held = lobo.held;
  const res = lobo.results;
  p(
    `### Leave-one-benchmark-out (${res.length} tables in ${new Set(res.map((r) => r.family)).size} families, ${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
  p();
  p(
    'Each family is scored by a model rebuilt without it (ranker and heads). RouterDC tables (no licence) and HumanEval / GPQA (test sets only) are never trained on. Pair: a Claude pair where the table has one, else the median useful model → the best. APGR: random 0.500; CPT(50 %): random 50 %.',
  );
  p();
  p('| family | table | rows | pair | APGR | length | random | CPT(50 %) | length |');
  p('|---|---|---:|---|---:|---:|---:|---:|---:|');
  for (const r of res)
    p(
      `| ${r.family} | ${r.table} | ${r.rows} | ${r.pair} | ${f3(r.apgr)} | ${f3(r.lengthApgr)} | ${f3(r.randomApgr)} | ${pc(r.cpt50)} | ${pc(r.lengthCpt50)} |`,
    );
  const fams = [...new Set(res.map((r) => r.family))];
  const fm = fams.map((f) => {
    const rs = res.filter((r) => r.family === f);
    return { f, m: meanOf(rs.map((r) => r.apgr)), l: meanOf(rs.map((r) => r.lengthApgr)) };
  });
  p();
  p(
    `Per family (mean of its tables): model ${f3(meanOf(fm.map((x) => x.m)))} vs length ${f3(meanOf(fm.map((x) => x.l)))}; above length in ${fm.filter((x) => x.m > x.l).length} of ${fm.length} families (${fm
      .filter((x) => x.m > x.l)
      .map((x) => x.f)
      .join(', ')}).`,
  );
  p(`Per table: model ${f3(meanOf(res.map((r) => r.apgr)))} vs length ${f3(meanOf(res.map((r) => r.lengthApgr)))}.`);
} else p('### Leave-one-benchmark-out: not run (no shared data folder)');
p();

// ---- 3 + 4. presets ----
const outcomeItems = held.flatMap((h) => h.outcomes.map((o, i) => ({ cls: h.cls[i], outcome: o, table: h.table })));
const perTable = (config) => {
  const tables = [...new Set(outcomeItems.map((x) => x.table))];
  return tables.map((t) =>
    routeOutcomes(
      outcomeItems.filter((x) => x.table === t),
      config,
    ),
  );
};
const outcomeLine = (config) => {
  if (!outcomeItems.length) return 'n/a | n/a | n/a | n/a';
  const rs = perTable(config);
  const meet = rs.filter((r) => r.qualityVsStrong >= 0.95 && r.costVsStrong <= 0.5).length;
  return `${pc(meanOf(rs.map((r) => r.strongShare)))} | ${pc(meanOf(rs.map((r) => r.qualityVsStrong)))} | ${pc(meanOf(rs.map((r) => r.costVsStrong)))} | ${meet} of ${rs.length}`;
};
const mixLine = (config) => {
  const r = mixReport(mixItems, config);
  const toCheap = mixItems.filter((it) => it.need > 0).length;
  const cheapMiss = mixItems.filter((it) => it.need > 0 && decideTier(it.cls, config) === 0).length;
  return `${r.shares.map((s) => pc(s, 0)).join(' / ')} | ${pc(r.underOfNeedy)} | ${pc(cheapMiss / toCheap)} | ${pc(r.over)} | ${pc(r.costVsTop)}`;
};
const { decide } = await imp('policy.ts');
const decideTier = (cls, config) => decide(cls, config, { id: 'b', now: 0 }).tier;
p(
  `### Presets (VS Code mix: ${mix.length} prompts written for this project; outcome tables: held-out folds, cheapest tier = weak model, above = strong, cost 1 : 3)`,
);
p();
p(
  '| preset | mix: Haiku / Sonnet / Opus | mix: needing more, sent below | needing more, sent to Haiku | sent above need | mix cost vs all-Opus | outcomes: share to strong | quality vs strong | cost vs strong | tables at ≥ 95 % quality, ≤ 50 % cost |',
);
p('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
const old = {
  ...defaultConfig(),
  thresholds: [0.35, 0.7],
  categoryFloors: { code: 1, reasoning: 1 },
  complexityFloors: { complex: 1 },
  highStakesTier: 2,
  lowConfidenceThreshold: 0.45,
};
for (const name of PRESET_NAMES)
  p(`| ${name} | ${mixLine(defaultConfig(name))} | ${outcomeLine(defaultConfig(name))} |`);
p(`| (previous default rules, this model) | ${mixLine(old)} | ${outcomeLine(old)} |`);
p();

// ---- 5. rules ----
const bal = defaultConfig('balanced');
const rules = [
  ['code floor (code → Sonnet)', { ...bal, categoryFloors: { ...bal.categoryFloors, code: 1 } }],
  ['reasoning floor (reasoning → Sonnet)', { ...bal, categoryFloors: { ...bal.categoryFloors, reasoning: 1 } }],
  ['complex floor (complex → Sonnet)', { ...bal, complexityFloors: { complex: 1 } }],
  ['low confidence < 0.45 → one tier up', { ...bal, lowConfidenceThreshold: 0.45 }],
  ['high-stakes → Opus (instead of Sonnet)', { ...bal, highStakesTier: 2 }],
  ['high-stakes → Sonnet — kept', { ...bal, highStakesTier: 0 }],
];
p('### Rules, one at a time against balanced (a "kept" rule is shown removed; the others added)');
p();
p(
  '| rule | mix: Haiku / Sonnet / Opus | needing more, sent below | needing more, sent to Haiku | sent above need | mix cost vs all-Opus | outcomes: share to strong | quality vs strong | cost vs strong | tables at target |',
);
p('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
p(`| balanced as shipped | ${mixLine(bal)} | ${outcomeLine(bal)} |`);
for (const [name, cfg] of rules) p(`| ${name} | ${mixLine(cfg)} | ${outcomeLine(cfg)} |`);
p();
// ---- 6. high-stakes detection ----
const hsRead = (f) =>
  fs
    .readFileSync(path.join(root, 'test/fixtures/high-stakes', f), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const [pos, neg] = [hsRead('positive.jsonl'), hsRead('negative.jsonl')];
p(
  `### High-stakes detection (${pos.length} high-stakes prompts, ${neg.length} that use the same words without being so; written for this project)`,
);
p();
p('| strategy | precision | recall | false alarms |');
p('|---|---:|---:|---:|');
for (const s of ['learned', 'rules']) {
  const c = createClassifier(s);
  const tp = pos.filter((r) => c.classify(r.prompt).highStakes).length;
  const fp = neg.filter((r) => c.classify(r.prompt).highStakes).length;
  p(`| ${s} | ${pc(tp / Math.max(1, tp + fp))} | ${pc(tp / pos.length)} | ${fp} of ${neg.length} |`);
}
console.log(out.join('\n'));
