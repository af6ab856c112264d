// Fits the presets' thresholds on the committed VS Code mix with the shipped model and prints them (paste into
// src/core/presets.ts after retraining the model). economy: ≥ 65 % Haiku, ≤ 5 % Opus; balanced: ≥ 50 % Haiku,
// ≤ 10 % Opus; quality: ≤ 5 % of the prompts needing more sent below their tier. Within those, the fewest misses
// first (economy, balanced), then the lowest cost. Run: node test/tools/calibrate-presets.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { createClassifier } = await tsImport('../../src/core/classifier/index.ts', import.meta.url);
const { defaultConfig } = await tsImport('../../src/core/config.ts', import.meta.url);
const { PRESETS } = await tsImport('../../src/core/presets.ts', import.meta.url);
const { fitThresholds } = await tsImport('../../src/core/mixEval.ts', import.meta.url);
const TIER = { haiku: 0, sonnet: 1, opus: 2 };
const mix = fs
  .readFileSync(path.join(root, 'src/core/classifier/data/vscode_mix.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const c = createClassifier('learned');
const items = mix.map((r) => ({ cls: c.classify(r.prompt), need: TIER[r.tier] }));
const rules = (name) => ({ ...defaultConfig(name) });
const loosest = (config, t) => {
  for (let u = 0.02; u < 0.8; u += 0.01) {
    const r = fitThresholds(items, config, { ...t, maxUnder: u });
    if (r) return r;
  }
  return null;
};
const pc = (x) => `${(x * 100).toFixed(1)} %`;
for (const [name, fit] of [
  ['economy', (cfg) => loosest(cfg, { maxTopShare: 0.05, minCheapShare: 0.65 })],
  ['balanced', (cfg) => loosest(cfg, { maxTopShare: 0.1, minCheapShare: 0.5 })],
  ['quality', (cfg) => fitThresholds(items, cfg, { maxUnder: 0.05 })],
]) {
  const r = fit(rules(name));
  if (!r) {
    console.log(`${name}: no thresholds meet the target`);
    continue;
  }
  console.log(
    `${name}: thresholds [${r.thresholds.join(', ')}] (rules: ${JSON.stringify({ ...PRESETS[name], thresholds: undefined, description: undefined, name: undefined })}) → ${r.report.shares.map(pc).join(' / ')}, needing more sent below ${pc(r.report.underOfNeedy)}, cost vs all-top ${pc(r.report.costVsTop)}`,
  );
}
