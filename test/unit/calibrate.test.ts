// Calibration: thresholds that send a chosen share of recent traffic to the top tier, with the expected cost.
import * as assert from 'node:assert';
import { calibrate, storedThresholds, type ScoredDecision } from '../../src/core/calibrate';
import { defaultConfig } from '../../src/core/config';

const traffic = (n: number): ScoredDecision[] =>
  Array.from({ length: n }, (_, i) => ({
    score: (i + 0.5) / n,
    complexity: 'medium',
    category: 'factual',
    confidence: 0.9,
    highStakes: false,
    estInputTokens: 200,
    strategy: 'rules',
  }));

describe('calibration', () => {
  const cfg = defaultConfig();

  it('--top-share 0.2 sends a fifth of the traffic to the top tier; a larger share costs more', () => {
    const r = calibrate(traffic(200), cfg, 0.2);
    assert.strictEqual(r.thresholds.length, 2);
    assert.ok(Math.abs(r.thresholds[1] - 0.8) < 0.01, String(r.thresholds));
    assert.strictEqual(r.topShare.byScore, 0.2);
    assert.strictEqual(r.topShare.afterPolicy, 0.2);
    assert.ok(Math.abs(r.tierShares.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(r.thresholds[0] <= r.thresholds[1]);
    const more = calibrate(traffic(200), cfg, 0.5);
    assert.ok(more.expected.afterUsd > r.expected.afterUsd);
    assert.ok(r.expected.afterUsd < r.expected.baselineUsd);
    assert.deepStrictEqual(r.previous, cfg.thresholds);
  });

  it('0 and 1 are the extremes; floors that push traffic up are reported', () => {
    assert.strictEqual(calibrate(traffic(50), cfg, 0).topShare.afterPolicy, 0);
    assert.strictEqual(calibrate(traffic(50), cfg, 1).topShare.afterPolicy, 1);
    const withFloor = { ...cfg, complexityFloors: { medium: 2 } };
    const r = calibrate(traffic(100), withFloor, 0.2);
    assert.strictEqual(r.topShare.afterPolicy, 1);
    assert.ok(r.notes.some((n) => /floors, high-stakes and low-confidence rules send 100 %/.test(n)));
  });

  it('bad input is refused in words', () => {
    assert.throws(() => calibrate(traffic(10), cfg, 1.5), /top share must be between 0 and 1/);
    assert.throws(() => calibrate([], cfg, 0.2), /no recent decisions/);
  });

  it('stored thresholds are used only when they fit the configuration', () => {
    const meta = (v: string | null) => ({ getMeta: () => v });
    assert.deepStrictEqual(storedThresholds(meta('[0.3,0.6]'), cfg), [0.3, 0.6]);
    assert.strictEqual(storedThresholds(meta('[0.6,0.3]'), cfg), null);
    assert.strictEqual(storedThresholds(meta('[0.3]'), cfg), null);
    assert.strictEqual(storedThresholds(meta('not json'), cfg), null);
    assert.strictEqual(storedThresholds(meta(null), cfg), null);
  });
});
