// Default routing configuration and its validation. Settings (VS Code) and flags (CLI) override parts of it.
import { DEFAULT_PRESET, applyPreset, type PresetName } from './presets';
import type { Price, RouterConfig, TierConfig } from './types';

/** Prices in USD per million tokens, from Anthropic's pricing page (platform.claude.com/docs/en/about-claude/pricing). */
export const PRICES_CHECKED_AT = '2026-11-22';

const price = (input: number, output: number): Price => ({
  input,
  output,
  cacheWrite: +(input * 1.25).toFixed(4), // 5-minute cache write: 1.25 × input
  cacheRead: +(input * 0.1).toFixed(4), // cache hit: 0.1 × input
});

export const DEFAULT_TIERS: TierConfig[] = [
  {
    id: 'haiku',
    label: 'Haiku',
    model: 'claude-haiku-4-5',
    price: price(1, 5),
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
  },
  {
    id: 'sonnet',
    label: 'Sonnet',
    model: 'claude-sonnet-4-6',
    price: price(3, 15),
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
  },
  {
    id: 'opus',
    label: 'Opus',
    model: 'claude-opus-4-6',
    price: price(5, 25),
    contextWindow: 200_000,
    maxOutputTokens: 128_000,
  },
];

/** Models that are not a default tier but may still answer (a forced or configured model, an older snapshot). */
export const KNOWN_PRICES: Record<string, Price> = {
  'claude-opus-4-5': price(5, 25),
  'claude-opus-4-1': price(15, 75),
  'claude-opus-4-0': price(15, 75),
  'claude-sonnet-4-5': price(3, 15),
  'claude-sonnet-4-0': price(3, 15),
  'claude-3-7-sonnet': price(3, 15),
  'claude-3-5-haiku': price(0.8, 4),
  'claude-3-haiku': { input: 0.25, output: 1.25, cacheWrite: 0.3, cacheRead: 0.03 },
};

export function defaultConfig(preset: PresetName = DEFAULT_PRESET): RouterConfig {
  return applyPreset(baseConfig(), preset);
}

/** Tiers, prices and defaults before a preset sets the routing (thresholds and rules). */
function baseConfig(): RouterConfig {
  return {
    tiers: DEFAULT_TIERS.map((t) => ({ ...t, price: { ...t.price } })),
    pricesCheckedAt: PRICES_CHECKED_AT,
    thresholds: [0.35, 0.7],
    categoryFloors: { code: 1, reasoning: 1 },
    complexityFloors: { complex: 1 },
    highStakesTerms: [],
    highStakesTier: DEFAULT_TIERS.length - 1,
    lowConfidenceThreshold: 0.45,
    strategy: 'learned',
    extraPrices: { ...KNOWN_PRICES },
    defaultMaxOutputTokens: 4096,
  };
}

/** Returns the problems with a configuration, in words; empty when it is usable. */
export function validateConfig(c: RouterConfig): string[] {
  const errs: string[] = [];
  if (!c.tiers.length) errs.push('at least one tier is needed');
  if (c.thresholds.length !== Math.max(0, c.tiers.length - 1)) {
    errs.push(
      `thresholds: expected ${Math.max(0, c.tiers.length - 1)} values (one fewer than tiers), got ${c.thresholds.length}`,
    );
  }
  for (let i = 1; i < c.thresholds.length; i++) {
    if (!(c.thresholds[i] >= c.thresholds[i - 1])) errs.push('thresholds must be ascending');
  }
  for (const t of c.thresholds) if (!(t >= 0 && t <= 1)) errs.push(`threshold ${t} is outside [0, 1]`);
  c.tiers.forEach((t, i) => {
    if (!t.model) errs.push(`tier ${i + 1} (${t.id}) has no model id`);
    for (const k of ['input', 'output', 'cacheWrite', 'cacheRead'] as const) {
      if (!(t.price[k] >= 0)) errs.push(`tier ${t.id}: price.${k} must be a number ≥ 0`);
    }
  });
  const top = c.tiers.length - 1;
  const idx = (n: number | undefined, what: string) => {
    if (n !== undefined && !(Number.isInteger(n) && n >= 0 && n <= top))
      errs.push(`${what} must be a tier index 0..${top}`);
  };
  idx(c.highStakesTier, 'highStakesTier');
  for (const [k, v] of Object.entries(c.categoryFloors)) idx(v, `categoryFloors.${k}`);
  for (const [k, v] of Object.entries(c.complexityFloors)) idx(v, `complexityFloors.${k}`);
  return errs;
}

/** Index of the tier with this id or label (case-insensitive), or -1. */
export function tierIndex(c: RouterConfig, name: string): number {
  const n = name.trim().toLowerCase();
  return c.tiers.findIndex(
    (t) => t.id.toLowerCase() === n || t.label.toLowerCase() === n || t.model.toLowerCase() === n,
  );
}
