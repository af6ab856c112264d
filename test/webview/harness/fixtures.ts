// Decisions for the panel tests and the benchmark, with real prices (src/core/pricing.ts) for their usage. They go
// into the real store through its public API (insertDecision / addFeedback), like the service records them.
import { usageCost } from '../../../src/core/pricing';
import type { DecisionRecord, RouterConfig, Usage, Complexity, Category, Source } from '../../../src/core/types';

const PROMPTS = [
  'What is the capital of Australia?',
  'Refactor this function to use async/await and add error handling',
  'Prove that the square root of 2 is irrational',
  'Write a haiku about autumn rain',
  'Explain the difference between TCP and UDP',
  'Why does my React component render twice in strict mode?',
  'Summarise this paragraph in one sentence',
  'Design a rate limiter for a distributed API gateway',
];
const COMPLEXITIES: Complexity[] = ['simple', 'medium', 'complex'];
const CATEGORIES: Category[] = ['factual', 'code', 'reasoning', 'creative'];
const SOURCES: Source[] = ['chat', 'command', 'cli', 'model-provider'];

/** Small deterministic PRNG (mulberry32) so a run can be repeated. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RecordSpec {
  id: string;
  time: number;
  tier: number;
  prompt?: string | null;
  usage?: Usage;
  status?: DecisionRecord['status'];
  source?: Source;
  complexity?: Complexity;
  category?: Category;
  reasons?: string[];
}

/** One decision record as the service would store it after an answered call. */
export function record(config: RouterConfig, s: RecordSpec): DecisionRecord {
  const tier = config.tiers[s.tier];
  const top = config.tiers[config.tiers.length - 1];
  const usage: Usage | null =
    s.status === 'dry-run' || s.status === 'blocked'
      ? null
      : (s.usage ?? { inputTokens: 800, outputTokens: 300, cacheWriteTokens: 0, cacheReadTokens: 0 });
  const complexity = s.complexity ?? COMPLEXITIES[Math.min(2, s.tier)];
  return {
    id: s.id,
    time: s.time,
    tier: s.tier,
    tierId: tier.id,
    model: tier.model,
    score: 0.2 + 0.3 * s.tier,
    complexity,
    category: s.category ?? 'factual',
    confidence: 0.8,
    reasons: s.reasons ?? [`${complexity} prompt`, `routed to ${tier.label}`],
    estInputTokens: usage?.inputTokens ?? 200,
    estCostUsd: usageCost(config, tier.model, {
      inputTokens: 200,
      outputTokens: 300,
      cacheWriteTokens: 0,
      cacheReadTokens: 0,
    }),
    baselineEstCostUsd: usageCost(config, top.model, {
      inputTokens: 200,
      outputTokens: 300,
      cacheWriteTokens: 0,
      cacheReadTokens: 0,
    }),
    override: null,
    adjustments: [],
    highStakes: false,
    blocked: s.status === 'blocked',
    strategy: 'rules',
    source: s.source ?? 'chat',
    prompt: s.prompt === undefined ? PROMPTS[0] : s.prompt,
    answeredModel: usage ? tier.model : null,
    usage,
    costUsd: usage ? usageCost(config, tier.model, usage) : null,
    baselineCostUsd: usage ? usageCost(config, top.model, usage) : null,
    latencyMs: usage ? 900 : null,
    ttftMs: usage ? 250 : null,
    status: s.status ?? 'ok',
    error: null,
    parentId: null,
  };
}

/** `count` varied decisions spread over the `days` days up to `now` (newest last), deterministic for a seed. */
export function manyRecords(
  config: RouterConfig,
  o: { count: number; days: number; now: number; seed?: number; idPrefix?: string },
): DecisionRecord[] {
  const r = rng(o.seed ?? 1);
  const span = o.days * 86_400_000;
  const out: DecisionRecord[] = [];
  for (let i = 0; i < o.count; i++) {
    const x = r();
    const tier = x < 0.55 ? 0 : x < 0.88 ? 1 : Math.min(2, config.tiers.length - 1);
    const status: DecisionRecord['status'] = r() < 0.03 ? 'dry-run' : 'ok';
    const inputTokens = 100 + Math.floor(r() * 3000);
    out.push(
      record(config, {
        id: `${o.idPrefix ?? 'd'}${i.toString(36).padStart(6, '0')}`,
        time: Math.round(o.now - span + (span * (i + r())) / o.count),
        tier,
        status,
        prompt: PROMPTS[Math.floor(r() * PROMPTS.length)],
        usage: {
          inputTokens,
          outputTokens: 50 + Math.floor(r() * 1500),
          cacheWriteTokens: r() < 0.1 ? 1000 : 0,
          cacheReadTokens: r() < 0.2 ? 2000 : 0,
        },
        source: SOURCES[Math.floor(r() * SOURCES.length)],
        category: CATEGORIES[Math.floor(r() * CATEGORIES.length)],
      }),
    );
  }
  return out;
}
