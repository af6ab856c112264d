// Retraining from quality samples: which groups change, in words, and only on consistent evidence.
import * as assert from 'node:assert';
import { defaultConfig } from '../../src/core/config';
import { planRetrain } from '../../src/core/retrain';
import type { QualitySample } from '../../src/core/store/api';
import type { Category, Complexity, RoutingAdjustment } from '../../src/core/types';

let t = 0;
const samples = (
  n: number,
  tier: number,
  quality: number | number[],
  complexity: Complexity = 'medium',
  category: Category = 'code',
): QualitySample[] =>
  Array.from({ length: n }, (_, i) => {
    const q = Array.isArray(quality) ? quality[i % quality.length] : quality;
    return {
      decisionId: `d${++t}`,
      time: ++t,
      tier,
      complexity,
      category,
      thumb: q < 0.5 ? 'down' : 'up',
      autoQuality: null,
      quality: q,
    };
  });
let ids = 0;
const opts = (o: object = {}) => ({ now: 1000, newId: () => `adj${++ids}`, ...o });

describe('retraining', () => {
  const cfg = defaultConfig();

  it('5 of 5 bad medium/code answers from Sonnet → raise the group to Opus, with the evidence in words', () => {
    const r = planRetrain(samples(5, 1, 0), cfg, [], opts());
    assert.strictEqual(r.added.length, 1);
    const a = r.added[0];
    assert.deepStrictEqual([a.kind, a.complexity, a.category, a.tier], ['raise', 'medium', 'code', 2]);
    assert.strictEqual(a.reason, '5 of 5 medium/code answers from Sonnet rated bad (mean quality 0.00)');
    assert.deepStrictEqual(a.evidence, { samples: 5, meanQuality: 0, fromTier: 1 });
    assert.ok(
      r.report.some(
        (l) =>
          l === 'medium/code: 5 of 5 medium/code answers from Sonnet rated bad (mean quality 0.00) → raised to Opus',
      ),
    );
  });

  it('too few samples, or bad but not consistently bad, changes nothing and says why', () => {
    const few = planRetrain(samples(4, 1, 0), cfg, [], opts());
    assert.strictEqual(few.added.length, 0);
    assert.ok(few.report.some((l) => /fewer than 5 samples/.test(l)));
    const mixed = planRetrain(samples(10, 1, [0, 0, 0, 1, 1]), cfg, [], opts());
    assert.strictEqual(mixed.added.length, 0);
    assert.ok(mixed.report.some((l) => /no consistent pattern/.test(l)));
  });

  it('bad answers on the top tier: nothing to raise to; an active raise is not added twice', () => {
    const top = planRetrain(samples(6, 2, 0.1, 'complex', 'reasoning'), cfg, [], opts());
    assert.strictEqual(top.added.length, 0);
    assert.ok(top.report.some((l) => /already the top tier/.test(l)));
    const first = planRetrain(samples(5, 1, 0), cfg, [], opts()).added;
    const again = planRetrain(samples(5, 1, 0), cfg, first, opts());
    assert.strictEqual(again.added.length, 0);
    assert.ok(again.report.some((l) => /already raised to Opus/.test(l)));
  });

  it('steps down only when allowed, and only when both tiers answer the group well', () => {
    const data = [...samples(6, 2, 0.9, 'simple', 'factual'), ...samples(6, 1, 0.9, 'simple', 'factual')];
    assert.strictEqual(planRetrain(data, cfg, [], opts()).added.length, 0, 'off by default');
    const on = planRetrain(data, cfg, [], opts({ allowStepDown: true }));
    assert.strictEqual(on.added.length, 1);
    assert.deepStrictEqual([on.added[0].kind, on.added[0].tier], ['lower', 1]);
    assert.match(on.added[0].reason, /6 of 6 simple\/factual answers from Opus and 6 of 6 from Sonnet rated good/);
    const lowerBad = [...samples(6, 2, 0.9, 'simple', 'factual'), ...samples(6, 1, [0.9, 0.3], 'simple', 'factual')];
    assert.strictEqual(planRetrain(lowerBad, cfg, [], opts({ allowStepDown: true })).added.length, 0);
  });

  it('an undone adjustment sticks: only evidence newer than the undo can bring it back', () => {
    const old = samples(5, 1, 0);
    const undone: RoutingAdjustment = { ...planRetrain(old, cfg, [], opts()).added[0], revertedAt: t + 1 };
    t += 2;
    assert.strictEqual(planRetrain(old, cfg, [undone], opts()).added.length, 0);
    const fresh = samples(5, 1, 0);
    assert.strictEqual(planRetrain([...old, ...fresh], cfg, [undone], opts()).added.length, 1);
  });
});
