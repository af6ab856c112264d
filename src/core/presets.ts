// Presets: three calibrated operating points of the router — thresholds plus the rules that earned their place.
// Thresholds are fitted on the committed VS Code mix (src/core/classifier/data/vscode_mix.jsonl: prompts with the
// tier a careful engineer would pick) with the shipped model by `node test/tools/calibrate-presets.mjs`; `npm run
// bench` (routing section) shows each preset and each rule's effect on that mix and on the outcome tables. Dropped
// there: the code floor (a third more cost for few fewer misses), the complex floor and low-confidence escalation
// (no measurable effect), the reasoning floor outside quality (it lifts every maths word problem to Sonnet).
import type { Category, Complexity, RouterConfig } from './types';

export const PRESET_NAMES = ['economy', 'balanced', 'quality'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
export const DEFAULT_PRESET: PresetName = 'balanced';

export interface Preset {
  name: PresetName;
  description: string;
  thresholds: number[];
  categoryFloors: Partial<Record<Category, number>>;
  complexityFloors: Partial<Record<Complexity, number>>;
  /** Tier index that high-stakes prompts (medical, legal, financial, security, compliance) go to at least. */
  highStakesTier: number;
  /** Below this confidence, one tier up (0: never). */
  lowConfidenceThreshold: number;
}

export const PRESETS: Record<PresetName, Preset> = {
  economy: {
    name: 'economy',
    description: 'the cheapest tier unless the prompt clearly needs more; accepts some misses to spend least',
    thresholds: [0.34, 0.84],
    categoryFloors: {},
    complexityFloors: {},
    highStakesTier: 1,
    lowConfidenceThreshold: 0,
  },
  balanced: {
    name: 'balanced',
    description: 'most traffic on the cheapest tier, the top tier only for the hardest prompts (the default)',
    thresholds: [0.26, 0.72],
    categoryFloors: {},
    complexityFloors: {},
    highStakesTier: 1,
    lowConfidenceThreshold: 0,
  },
  quality: {
    name: 'quality',
    description: 'a stronger tier whenever in doubt; misses very little, spends more',
    thresholds: [0.08, 0.48],
    categoryFloors: { reasoning: 1 },
    complexityFloors: {},
    highStakesTier: 2,
    lowConfidenceThreshold: 0,
  },
};

export function isPresetName(x: unknown): x is PresetName {
  return typeof x === 'string' && (PRESET_NAMES as readonly string[]).includes(x);
}

/** The preset's routing on top of a config (tiers, prices and everything else kept). Needs three tiers or more. */
export function applyPreset(config: RouterConfig, name: PresetName): RouterConfig {
  const p = PRESETS[name];
  const top = config.tiers.length - 1;
  const clampTier = (t: number) => Math.max(0, Math.min(top, t));
  const thresholds = fitThresholds(p.thresholds, config.tiers.length);
  const floors = <K extends string>(f: Partial<Record<K, number>>) =>
    Object.fromEntries(Object.entries(f).map(([k, v]) => [k, clampTier(v as number)])) as Partial<Record<K, number>>;
  return {
    ...config,
    preset: name,
    thresholds,
    categoryFloors: floors(p.categoryFloors),
    complexityFloors: floors(p.complexityFloors),
    highStakesTier: clampTier(p.highStakesTier),
    lowConfidenceThreshold: p.lowConfidenceThreshold,
  };
}

/** A preset's thresholds for a different number of tiers: two tiers use the first, more tiers spread the gap. */
function fitThresholds(t: readonly number[], tiers: number): number[] {
  const need = Math.max(0, tiers - 1);
  if (need === t.length) return [...t];
  if (need <= 1) return t.slice(0, need);
  const lo = t[0];
  const hi = t[t.length - 1];
  return Array.from({ length: need }, (_, i) => +(lo + ((hi - lo) * i) / (need - 1)).toFixed(3));
}
