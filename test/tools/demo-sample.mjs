// Writes src/cli/demo/prompts.json: the prompts `llm-router demo` routes, drawn from the committed VS Code mix
// (src/core/classifier/data/vscode_mix.jsonl) — every 12th row of each tier, so each tier keeps its share of the mix.
// A unit test checks the sample still matches the mix. Run: node test/tools/demo-sample.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rows = fs
  .readFileSync(path.join(root, 'src/core/classifier/data/vscode_mix.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const seen = {};
const sample = rows
  .filter((r) => (seen[r.tier] = (seen[r.tier] ?? -1) + 1) % 12 === 6)
  .map((r) => ({ id: r.id, prompt: r.prompt, tier: r.tier, kind: r.kind }));
fs.writeFileSync(path.join(root, 'src/cli/demo/prompts.json'), JSON.stringify(sample, null, 2) + '\n');
console.log(`${sample.length} demo prompts from ${rows.length} mix rows`);
