import * as assert from 'node:assert/strict';
import { defaultConfig, validateConfig, tierIndex } from '../../src/core/config';
import { decide, tierForScore } from '../../src/core/policy';
import { priceFor, usageCost, formatUsd } from '../../src/core/pricing';
import type { BudgetState, Classification, RoutingAdjustment } from '../../src/core/types';

const cls = (over: Partial<Classification> = {}): Classification => ({
  score: 0.1,
  complexity: 'simple',
  category: 'factual',
  confidence: 0.9,
  reasons: ['short factual question'],
  highStakes: false,
  estInputTokens: 20,
  strategy: 'rules',
  ...over,
});

describe('pricing', () => {
  const config = defaultConfig();
  it('prices a request from all four kinds of tokens', () => {
    // Sonnet: $3 in, $15 out, $3.75 cache write, $0.30 cache read per million
    const cost = usageCost(config, 'claude-sonnet-4-6', {
      inputTokens: 1_000_000,
      outputTokens: 100_000,
      cacheWriteTokens: 200_000,
      cacheReadTokens: 1_000_000,
    });
    assert.equal(cost!.toFixed(4), (3 + 1.5 + 0.75 + 0.3).toFixed(4));
  });
  it('reports an unknown model as unpriced, never as $0', () => {
    assert.equal(
      usageCost(config, 'gpt-9-mega', { inputTokens: 10, outputTokens: 10, cacheWriteTokens: 0, cacheReadTokens: 0 }),
      null,
    );
    assert.equal(formatUsd(null), 'unpriced');
  });
  it('finds the price of a dated snapshot of a known model', () => {
    assert.deepEqual(priceFor(config, 'claude-sonnet-4-5-20250929'), config.extraPrices['claude-sonnet-4-5']);
  });
});

describe('policy', () => {
  const config = defaultConfig();
  it('maps scores to tiers by the thresholds', () => {
    assert.equal(tierForScore(config, 0), 0);
    assert.equal(tierForScore(config, 0.5), 1);
    assert.equal(tierForScore(config, 0.95), 2);
  });
  it('sends a simple factual prompt to the cheapest tier and says why', () => {
    const d = decide(cls(), config);
    assert.equal(d.model, config.tiers[0].model);
    assert.ok(d.reasons.some((r) => r.includes('score 0.10')));
    assert.ok(d.baselineEstCostUsd! > d.estCostUsd!, 'the top tier is the dearer baseline');
  });
  it('keeps a category at its floor when one is set (no preset floors code: it cost more than it caught)', () => {
    assert.equal(decide(cls({ category: 'code' }), config).tier, 0);
    const d = decide(cls({ category: 'code' }), { ...config, categoryFloors: { code: 1 } });
    assert.equal(d.tier, 1);
    assert.ok(d.reasons.some((r) => /code prompts never go below Sonnet/.test(r)));
  });
  it('sends high-stakes prompts to Sonnet at least (balanced) and to the top tier with the quality preset', () => {
    const d = decide(cls({ highStakes: true, highStakesDomain: 'medical' }), config);
    assert.equal(d.tierId, 'sonnet');
    assert.ok(d.reasons.some((r) => r.includes('medical')));
    assert.equal(
      decide(cls({ highStakes: true, highStakesDomain: 'medical' }), defaultConfig('quality')).tierId,
      'opus',
    );
  });
  it('escalates one tier when the classifier is unsure, where a threshold is set (no preset sets one)', () => {
    assert.equal(decide(cls({ confidence: 0.2 }), config).tier, 0);
    assert.equal(decide(cls({ confidence: 0.2 }), { ...config, lowConfidenceThreshold: 0.45 }).tier, 1);
  });
  it('lets an explicit choice override the routing', () => {
    const d = decide(cls({ highStakes: true }), config, { override: 0 });
    assert.equal(d.tier, 0);
    assert.equal(d.override, 'haiku');
  });
  it('applies a raise adjustment only to its group, and not once reverted', () => {
    const adj: RoutingAdjustment = {
      id: 'a1',
      complexity: 'medium',
      category: 'code',
      kind: 'raise',
      tier: 2,
      reason: '5 of 5 bad',
      createdAt: 0,
      revertedAt: null,
      evidence: { samples: 5, meanQuality: 0.1, fromTier: 1 },
    };
    const med = cls({ complexity: 'medium', category: 'code', score: 0.5 });
    assert.equal(decide(med, config, { adjustments: [adj] }).tier, 2);
    assert.deepEqual(decide(med, config, { adjustments: [adj] }).adjustments, ['a1']);
    assert.equal(decide(cls({ score: 0.5 }), config, { adjustments: [adj] }).tier, 1);
    assert.equal(decide(med, config, { adjustments: [{ ...adj, revertedAt: 1 }] }).tier, 1);
  });
  it('downgrades near the budget limit and blocks or goes cheapest when exhausted', () => {
    const b = (state: BudgetState['state'], onExhausted: 'block' | 'cheapest' = 'block'): BudgetState => ({
      state,
      onExhausted,
      dailyLimitUsd: 1,
      monthlyLimitUsd: null,
      spentTodayUsd: 0.95,
      spentMonthUsd: 0.95,
      usedFraction: 0.95,
    });
    const hard = cls({ score: 0.97, complexity: 'complex', category: 'reasoning' });
    assert.equal(decide(hard, config, { budget: b('downgrading') }).tier, 1);
    assert.equal(decide(hard, config, { budget: b('blocked') }).blocked, true);
    const cheap = decide(hard, config, { budget: b('blocked', 'cheapest') });
    assert.equal(cheap.blocked, false);
    assert.equal(cheap.tier, 0);
  });
  it('validates configuration in words', () => {
    const bad = { ...defaultConfig(), thresholds: [0.8, 0.2] };
    assert.ok(validateConfig(bad).includes('thresholds must be ascending'));
    assert.deepEqual(validateConfig(defaultConfig()), []);
    assert.equal(tierIndex(config, 'Opus'), 2);
  });
});
