// Cascade: for a prompt whose score sits just above the threshold that put it on its tier, try the tier below first;
// if that answer fails the quality gate, escalate and answer with the stronger tier. Both calls are recorded.
import { tierForScore } from './policy';
import { QUALITY_GATE, type QualityResult } from './quality';
import type { Decision, RouterConfig } from './types';

export interface CascadeSettings {
  enabled: boolean;
  /** How far above its threshold a score may be for the cheaper tier to be tried first (default 0.1). */
  margin: number;
  /** Automatic quality the cheaper answer needs to be kept (default QUALITY_GATE). */
  gate: number;
}

export const DEFAULT_CASCADE: CascadeSettings = { enabled: false, margin: 0.1, gate: QUALITY_GATE };

/**
 * The cheaper tier to try first, or null with no cascade: only when the score alone chose the tier (no floor,
 * adjustment, high-stakes, low-confidence or forced tier moved it), it is within `margin` of the threshold below,
 * and the cheaper tier is not below the category or complexity floor.
 */
export function cascadeTier(
  d: Decision,
  config: RouterConfig,
  s: CascadeSettings,
): { tier: number; reason: string } | null {
  if (!s.enabled || d.tier <= 0 || d.override || d.highStakes || d.blocked || d.adjustments.length) return null;
  if (tierForScore(config, d.score) !== d.tier) return null;
  const threshold = config.thresholds[d.tier - 1];
  if (threshold === undefined || d.score - threshold >= s.margin) return null;
  const cheap = d.tier - 1;
  const floor = Math.max(config.categoryFloors[d.category] ?? 0, config.complexityFloors[d.complexity] ?? 0);
  if (cheap < floor) return null;
  const label = (t: number) => config.tiers[t].label;
  return {
    tier: cheap,
    reason: `score ${d.score.toFixed(2)} is within ${s.margin} of the ${label(d.tier)} threshold ${threshold}: ${label(cheap)} tried first, ${label(d.tier)} if its answer falls short`,
  };
}

/** Whether the cheaper answer is kept. */
export function passesGate(q: QualityResult, s: CascadeSettings): boolean {
  return q.score >= s.gate && !q.signals.refusal && !q.signals.truncated && !q.signals.empty;
}
