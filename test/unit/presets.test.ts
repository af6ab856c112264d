// The presets as a user meets them: balanced is the default, each preset is its own trade-off on the committed VS Code
// mix, and a preset works with other tier counts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createClassifier } from '../../src/core/classifier';
import { defaultConfig } from '../../src/core/config';
import { mixReport } from '../../src/core/mixEval';
import { applyPreset, isPresetName } from '../../src/core/presets';
import { readSettings } from '../../src/core/settings';

const TIER: Record<string, number> = { haiku: 0, sonnet: 1, opus: 2 };
const mix = fs
  .readFileSync(path.join(__dirname, '../../src/core/classifier/data/vscode_mix.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { prompt: string; tier: string });

describe('presets', () => {
  const c = createClassifier('learned');
  const items = mix.map((r) => ({ cls: c.classify(r.prompt), need: TIER[r.tier] }));
  const report = (name: 'economy' | 'balanced' | 'quality') => mixReport(items, defaultConfig(name));

  it('balanced is the default routing', () => {
    assert.equal(defaultConfig().preset, 'balanced');
    assert.deepEqual(defaultConfig().thresholds, defaultConfig('balanced').thresholds);
  });
  it('balanced keeps at least half of the VS Code mix on Haiku and at most a tenth on Opus', () => {
    const r = report('balanced');
    assert.ok(r.shares[0] >= 0.5, `Haiku ${r.shares[0]}`);
    assert.ok(r.shares[2] <= 0.1, `Opus ${r.shares[2]}`);
    assert.ok(r.costVsTop < 0.65, `cost vs all-Opus ${r.costVsTop}`);
  });
  it('economy spends least and misses most; quality misses at most 5 % of the prompts that need more', () => {
    const [e, b, q] = [report('economy'), report('balanced'), report('quality')];
    assert.ok(e.costVsTop < b.costVsTop && b.costVsTop < q.costVsTop);
    assert.ok(e.underOfNeedy > b.underOfNeedy && b.underOfNeedy > q.underOfNeedy);
    assert.ok(q.underOfNeedy <= 0.05, `quality misses ${q.underOfNeedy}`);
  });
  it('the preset setting is read, an unknown one is reported in words, and two tiers get one threshold', () => {
    const src = (v: Record<string, unknown>) => ({
      get: <T>(k: string) => v[k] as T,
      inspect: <T>(k: string) => (k in v ? { key: k, globalValue: v[k] as T } : undefined),
    });
    assert.equal(readSettings(src({ preset: 'quality' })).config.preset, 'quality');
    const bad = readSettings(src({ preset: 'cheap' }));
    assert.equal(bad.config.preset, 'balanced');
    assert.ok(
      bad.problems.some((p) => p.includes('preset')),
      bad.problems.join('; '),
    );
    const two = applyPreset({ ...defaultConfig(), tiers: defaultConfig().tiers.slice(0, 2) }, 'economy');
    assert.equal(two.thresholds.length, 1);
    assert.equal(isPresetName('balanced'), true);
    assert.equal(isPresetName('turbo'), false);
  });
});
