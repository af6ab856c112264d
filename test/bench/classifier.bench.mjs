// Classifier benchmark: per-prompt latency (p50/p99) of both strategies for prompts up to 4,000 characters, batch
// throughput of `llm-router classify --jsonl`, and eval numbers with cross-validation. Prints a Markdown section.
// Targets (issue 2): p50 ≤ 20 µs, p99 ≤ 200 µs per prompt.
// Run: node test/bench/run.mjs classifier   (or: node --expose-gc test/bench/classifier.bench.mjs [--quick])
// The RouterBench outcome tables are read from $LLM_ROUTER_SHARED_DATA or ../shared/data when present (a read-only
// workbench, not part of the repository); without them the outcome section says so and the rest still runs.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const quick = process.argv.includes('--quick');
const { createClassifier } = await tsImport('../../src/core/classifier/index.ts', import.meta.url);
const { parseJsonl } = await tsImport('../../src/core/classifier/dataset.ts', import.meta.url);
const { evaluate } = await tsImport('../../src/core/classifier/evaluate.ts', import.meta.url);
const { train } = await tsImport('../../src/core/classifier/train.ts', import.meta.url);
const { toJson } = await tsImport('../../src/core/classifier/model.ts', import.meta.url);
const { outcomeMetrics } = await tsImport('../../src/core/routingMetrics.ts', import.meta.url);

const out = [];
const p = (s = '') => out.push(s);
const load0 = os.loadavg()[0];
const dataDir = path.join(root, 'src/core/classifier/data');
const read = (f) => parseJsonl(fs.readFileSync(f, 'utf8'), path.basename(f)).rows;
// The labeled training files (the outcome tables and the calibration mix are measured in routing.bench.mjs).
const labeledFiles = fs
  .readdirSync(dataDir)
  .filter((f) => f.endsWith('.jsonl') && !/^(outcomes_train|vscode_mix)\./.test(f))
  .sort();
const labeled = labeledFiles.map((f) => ({ name: f, rows: read(path.join(dataDir, f)) }));
const allLabeled = labeled.flatMap((f) => f.rows);

// ---- latency ----
const chat = allLabeled.map((r) => r.prompt);
const codeBlock = fs.readFileSync(path.join(root, 'src/core/classifier/features.ts'), 'utf8');
function longPrompt(i, len) {
  // realistic long prompts: pasted code with a question, or several questions and context in prose
  if (i % 2 === 0) {
    const start = (i * 997) % Math.max(1, codeBlock.length - len);
    return `Why does this fail on empty input, and how would you refactor it?\n\`\`\`ts\n${codeBlock.slice(start, start + len - 80)}\n\`\`\``;
  }
  let s = '';
  let k = i;
  while (s.length < len) s += `${chat[k++ % chat.length]}\n`;
  return s.slice(0, len);
}
const buckets = [
  ['≤ 200 chars (chat)', chat.filter((x) => x.length <= 200)],
  ['200–1,000', Array.from({ length: 200 }, (_, i) => longPrompt(i, 300 + ((i * 37) % 700)))],
  ['1,000–2,000', Array.from({ length: 200 }, (_, i) => longPrompt(i, 1000 + ((i * 53) % 1000)))],
  ['2,000–4,000', Array.from({ length: 200 }, (_, i) => longPrompt(i, 2000 + ((i * 71) % 2000)))],
];
const pct = (a, q) => a[Math.min(a.length - 1, Math.floor(a.length * q))];
function measure(c, prompts, n) {
  for (let i = 0; i < 2000; i++) c.classify(prompts[i % prompts.length]);
  globalThis.gc?.();
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = prompts[i % prompts.length];
    const a = process.hrtime.bigint();
    c.classify(s);
    t[i] = Number(process.hrtime.bigint() - a) / 1000;
  }
  t.sort();
  return { p50: pct(t, 0.5), p99: pct(t, 0.99) };
}
const N = quick ? 5000 : 30000;
p('## Classifier');
p();
p(
  `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${load0.toFixed(2)} at start, Node ${process.version}. Targets: p50 ≤ 20 µs, p99 ≤ 200 µs.`,
);
p();
p('### Latency per prompt (µs, one call at a time)');
p();
p('| prompt length | prompts | rules p50 | rules p99 | learned p50 | learned p99 |');
p('|---|---:|---:|---:|---:|---:|');
const strategies = { rules: createClassifier('rules'), learned: createClassifier('learned') };
const mixed = [];
for (const [name, prompts] of buckets) {
  const r = measure(strategies.rules, prompts, N);
  const l = measure(strategies.learned, prompts, N);
  p(
    `| ${name} | ${prompts.length} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} |`,
  );
}
// a realistic mix: 70% chat-sized, 20% up to 1,000, 7% up to 2,000, 3% up to 4,000 characters
for (let i = 0; i < 1000; i++) {
  const b = i % 100 < 70 ? 0 : i % 100 < 90 ? 1 : i % 100 < 97 ? 2 : 3;
  mixed.push(buckets[b][1][i % buckets[b][1].length]);
}
const mr = measure(strategies.rules, mixed, N);
const ml = measure(strategies.learned, mixed, N);
p(
  `| **mix** (70 / 20 / 7 / 3 %) | ${mixed.length} | **${mr.p50.toFixed(1)}** | **${mr.p99.toFixed(1)}** | **${ml.p50.toFixed(1)}** | **${ml.p99.toFixed(1)}** |`,
);
p();

// ---- throughput through the CLI ----
const cliJs = path.join(root, 'dist/cli.js');
const cliArgs = fs.existsSync(cliJs) ? [cliJs] : ['--import', 'tsx', path.join(root, 'src/cli/main.ts')];
function runCli(lines, strategy) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [...cliArgs, 'classify', '--jsonl', '-', '--strategy', strategy], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let n = 0;
    child.stdout.on('data', (b) => {
      for (const x of b) if (x === 10) n++;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ n, ms: Number(process.hrtime.bigint() - t0) / 1e6 })
        : reject(new Error(`classify exited ${code}`)),
    );
    child.stdin.end(lines);
  });
}
const NB = quick ? 5000 : 50000;
const batch =
  Array.from({ length: NB }, (_, i) => JSON.stringify({ id: `b${i}`, prompt: mixed[i % mixed.length] })).join('\n') +
  '\n';
p(
  `### Batch: \`llm-router classify --jsonl -\` (${fs.existsSync(cliJs) ? 'dist/cli.js' : 'src via tsx'}, ${NB.toLocaleString('en-US')} prompts of the mix, ${(batch.length / 1048576).toFixed(1)} MB in)`,
);
p();
p('| strategy | wall time | prompts/s (incl. start-up) | start-up (1 prompt) |');
p('|---|---:|---:|---:|');
for (const s of ['rules', 'learned']) {
  const one = await runCli(`${JSON.stringify({ id: 'x', prompt: 'hi' })}\n`, s);
  const r = await runCli(batch, s);
  if (r.n !== NB) throw new Error(`expected ${NB} output lines, got ${r.n}`);
  p(
    `| ${s} | ${(r.ms / 1000).toFixed(2)} s | ${Math.round((r.n / r.ms) * 1000).toLocaleString('en-US')} | ${one.ms.toFixed(0)} ms |`,
  );
}
p();

// ---- eval ----
const f3 = (x) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
const pc = (x) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(1)}%`);
p('### Labeled prompts (in-repo data; learned: 5-fold cross-validation, folds grouped by prompt)');
p();
p('| data | rows | strategy | complexity | category | both | score orders complexity pairs |');
p('|---|---:|---|---:|---:|---:|---:|');
const labRules = evaluate(labeled, { strategy: 'rules', folds: 0 });
const labLearned = evaluate(labeled, { strategy: 'learned', folds: 5 });
for (let i = 0; i < labeled.length; i++) {
  for (const [s, rep] of [
    ['rules', labRules[i]],
    ['learned (CV)', labLearned[i]],
  ]) {
    const m = rep.labeled;
    p(
      `| ${labeled[i].name} | ${m.rows} | ${s} | ${pc(m.complexityAccuracy)} | ${pc(m.categoryAccuracy)} | ${pc(m.bothAccuracy)} | ${pc(m.scoreRankAccuracy)} |`,
    );
  }
}
p();
p(
  'The rules were written while reading labeled_prompts_mmrouter.jsonl, and labeled_own.jsonl was written for this project, so the rules rows are not an unseen test.',
);
p();

const shared = [process.env.LLM_ROUTER_SHARED_DATA, path.join(root, '../shared/data')].find(
  (d) => d && fs.existsSync(d),
);
const tables = shared
  ? fs
      .readdirSync(shared)
      .filter((f) => /^routerbench_.*\.jsonl$/.test(f))
      .sort()
  : [];
if (!tables.length) {
  p('### Outcome tables: not run (no RouterBench tables found in $LLM_ROUTER_SHARED_DATA or ../shared/data)');
} else {
  const files = tables.map((f) => ({
    name: f.replace(/^routerbench_|_train|\.jsonl$/g, ''),
    rows: read(path.join(shared, f)),
  }));
  // learned (shipped recipe): trained on the in-repo labeled data only, so every table row is unseen.
  const shippedRecipe = evaluate(files, { strategy: 'learned', folds: 0, model: toJson(train(allLabeled)) });
  const rules = evaluate(files, { strategy: 'rules', folds: 0 });
  // learned with the tables in training: 5-fold CV over all tables (the same prompt in two tables stays in one fold),
  // in-repo labeled rows added to every fold's training set.
  const withTables = quick ? null : evaluate(files, { strategy: 'learned', folds: 5, extraTrain: allLabeled });
  p('### RouterBench outcome tables (APGR: random 0.5; CPT(50%): random 50%; cost saved at 95% of GPT-4 quality)');
  p();
  p(
    "learned = the shipped recipe (trained on the in-repo labeled prompts only: every table row is unseen); learned+tables = 5-fold CV with the tables' own rows in training.",
  );
  p();
  p(
    '| table | rows | needs strong | APGR rules | APGR learned | APGR learned+tables | APGR length | CPT(50%) rules / learned / length | cost saved @95% rules / learned / random / length |',
  );
  p('|---|---:|---:|---:|---:|---:|---:|---|---|');
  const sum = { rules: 0, learned: 0, tables: 0, length: 0, cr: 0, cl: 0, crand: 0, clen: 0 };
  files.forEach((f, i) => {
    const r = rules[i].outcome;
    const l = shippedRecipe[i].outcome;
    const t = withTables?.[i].outcome;
    sum.rules += r.router.apgr;
    sum.learned += l.router.apgr;
    sum.tables += t ? t.router.apgr : 0;
    sum.length += r.length.apgr;
    sum.cr += r.router.costSavedAt95;
    sum.cl += l.router.costSavedAt95;
    sum.crand += r.random.costSavedAt95;
    sum.clen += r.length.costSavedAt95;
    p(
      `| ${f.name} | ${r.router.rows} | ${pc(r.router.needsStrong)} | ${f3(r.router.apgr)} | ${f3(l.router.apgr)} | ${t ? f3(t.router.apgr) : 'skipped'} | ${f3(r.length.apgr)} | ${pc(r.router.cpt50)} / ${pc(l.router.cpt50)} / ${pc(r.length.cpt50)} | ${pc(r.router.costSavedAt95)} / ${pc(l.router.costSavedAt95)} / ${pc(r.random.costSavedAt95)} / ${pc(r.length.costSavedAt95)} |`,
    );
  });
  const k = files.length;
  p(
    `| **mean** | | | **${f3(sum.rules / k)}** | **${f3(sum.learned / k)}** | ${withTables ? f3(sum.tables / k) : 'skipped'} | ${f3(sum.length / k)} | | ${pc(sum.cr / k)} / ${pc(sum.cl / k)} / ${pc(sum.crand / k)} / ${pc(sum.clen / k)} |`,
  );
  p();
  void outcomeMetrics;
}
p(`Load average at the end: ${os.loadavg()[0].toFixed(2)} (other work on this machine inflates latencies).`);
process.stdout.write(out.join('\n') + '\n');
