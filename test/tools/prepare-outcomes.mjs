// Writes src/core/classifier/data/outcomes_train.jsonl: the outcome tables whose licence allows training the shipped
// model (MIT / Apache-2.0, see that folder's README), in one compact form — prompt, benchmark, source and each
// model's score. Reads the project's shared data folder ($LLM_ROUTER_SHARED_DATA or ../shared/data); a developer
// tool, never needed at run time. RouterBench's two files per benchmark (weak = GPT-3.5 or Mixtral, strong = GPT-4)
// are joined by prompt id into one three-model row. RouterDC's tables (no licence stated) are left out, and so are
// benchmarks that exist only as a test set (HumanEval, GPQA): they are measured on, never trained on.
// Run: node test/tools/prepare-outcomes.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = process.env.LLM_ROUTER_SHARED_DATA || path.resolve(root, '../shared/data');
const read = (f) =>
  fs
    .readFileSync(path.join(shared, f), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
export const TEST_ONLY = new Set(['human_eval', 'gpqa']);
const out = [];
const round = (x) => Math.round(x * 1000) / 1000;
for (const f of ['outcomes/llmrouter_14tasks_9models.jsonl', 'outcomes/zeroeval_math_l5_43models.jsonl']) {
  for (const r of read(f)) {
    if (TEST_ONLY.has(r.benchmark)) continue;
    const models = Object.fromEntries(
      Object.entries(r.models)
        .filter(([, s]) => typeof s === 'number')
        .map(([m, s]) => [m, round(s)]),
    );
    out.push({ id: r.id, source: r.source, benchmark: r.benchmark, prompt: r.prompt, models });
  }
}
for (const b of ['arc_challenge', 'mbpp', 'winograde']) {
  const byId = new Map();
  for (const pair of ['gpt35', 'mixtral']) {
    for (const r of read(`routerbench_${b}_train_${pair}_gpt4.jsonl`)) {
      const row = byId.get(r.id) ?? {
        id: r.id,
        source: 'withmartian/routerbench',
        benchmark: r.benchmark,
        prompt: r.prompt,
        models: {},
      };
      row.models[r.weak_model] = r.weak_score;
      row.models[r.strong_model] = r.strong_score;
      byId.set(r.id, row);
    }
  }
  out.push(...byId.values());
}
const file = path.join(root, 'src/core/classifier/data/outcomes_train.jsonl');
fs.writeFileSync(file, out.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`${out.length} rows → ${path.relative(root, file)} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`);
