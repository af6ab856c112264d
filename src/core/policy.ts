// Turns a classification into a tier, step by step, saying why at every step that moved it.
import { estimateOutputTokens, priceFor, costOf } from './pricing';
import type { BudgetState, Classification, Decision, RouterConfig, RoutingAdjustment } from './types';

export interface PolicyContext {
  /** Tier index the user forced ("/opus", `--tier opus`), or null. */
  override?: number | null;
  /** Active routing adjustments from retraining (reverted ones are ignored). */
  adjustments?: readonly RoutingAdjustment[];
  /** Current budget state; null when no budget is set. */
  budget?: BudgetState | null;
  /** For tests and replay: fixed id and time. */
  id?: string;
  now?: number;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function tierForScore(config: RouterConfig, score: number): number {
  let t = 0;
  while (t < config.thresholds.length && score >= config.thresholds[t]) t++;
  return Math.min(t, config.tiers.length - 1);
}

export function decide(cls: Classification, config: RouterConfig, ctx: PolicyContext = {}): Decision {
  const top = config.tiers.length - 1;
  const label = (t: number) => config.tiers[t].label;
  const reasons = [...cls.reasons];
  const applied: string[] = [];
  let tier = tierForScore(config, cls.score);
  reasons.push(`score ${cls.score.toFixed(2)} → ${label(tier)}`);

  const group = (a: RoutingAdjustment) =>
    a.revertedAt === null && a.complexity === cls.complexity && a.category === cls.category;
  const active = (ctx.adjustments ?? []).filter(group);
  for (const a of active.filter((x) => x.kind === 'lower')) {
    const t = Math.min(top, Math.max(0, a.tier));
    if (t < tier) {
      tier = t;
      applied.push(a.id);
      reasons.push(`learned: ${a.reason} → ${label(tier)}`);
    }
  }
  const cFloor = config.complexityFloors[cls.complexity];
  if (cFloor !== undefined && tier < cFloor) {
    tier = Math.min(top, cFloor);
    reasons.push(`${cls.complexity} prompts never go below ${label(tier)}`);
  }
  const floor = config.categoryFloors[cls.category];
  if (floor !== undefined && tier < floor) {
    tier = Math.min(top, floor);
    reasons.push(`${cls.category} prompts never go below ${label(tier)}`);
  }
  for (const a of active.filter((x) => x.kind === 'raise')) {
    const t = Math.min(top, Math.max(0, a.tier));
    if (t > tier) {
      tier = t;
      applied.push(a.id);
      reasons.push(`learned: ${a.reason} → ${label(tier)}`);
    }
  }
  if (cls.highStakes && tier < config.highStakesTier) {
    tier = Math.min(top, config.highStakesTier);
    reasons.push(`high-stakes${cls.highStakesDomain ? ` (${cls.highStakesDomain})` : ''} → ${label(tier)}`);
  }
  if (cls.confidence < config.lowConfidenceThreshold && tier < top) {
    tier += 1;
    reasons.push(`low confidence (${cls.confidence.toFixed(2)}) → one tier up to ${label(tier)}`);
  }

  let override: string | null = null;
  if (ctx.override !== undefined && ctx.override !== null && ctx.override >= 0 && ctx.override <= top) {
    tier = ctx.override;
    override = config.tiers[tier].id;
    reasons.push(`you chose ${label(tier)}`);
  }

  let blocked = false;
  const b = ctx.budget;
  if (b) {
    if (b.state === 'blocked') {
      if (b.onExhausted === 'cheapest') {
        if (tier > 0) reasons.push(`budget exhausted (${pct(b.usedFraction)} used) → cheapest tier ${label(0)}`);
        tier = 0;
      } else {
        blocked = true;
        reasons.push(`budget exhausted (${pct(b.usedFraction)} used): request refused`);
      }
    } else if (b.state === 'downgrading' && tier > 0 && override === null) {
      tier -= 1;
      reasons.push(`budget at ${pct(b.usedFraction)} → one tier down to ${label(tier)}`);
    }
  }

  const t = config.tiers[tier];
  const outTokens = estimateOutputTokens(cls.estInputTokens, cls.complexity);
  const est = (model: string) => {
    const p = priceFor(config, model);
    return p
      ? costOf(p, { inputTokens: cls.estInputTokens, outputTokens: outTokens, cacheWriteTokens: 0, cacheReadTokens: 0 })
      : null;
  };
  return {
    id: ctx.id ?? globalThis.crypto.randomUUID(),
    time: ctx.now ?? Date.now(),
    tier,
    tierId: t.id,
    model: t.model,
    score: cls.score,
    complexity: cls.complexity,
    category: cls.category,
    confidence: cls.confidence,
    reasons,
    estInputTokens: cls.estInputTokens,
    estCostUsd: est(t.model),
    baselineEstCostUsd: est(config.tiers[top].model),
    override,
    adjustments: applied,
    highStakes: cls.highStakes,
    blocked,
    strategy: cls.strategy,
  };
}
