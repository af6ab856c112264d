// Cost of a request from its real usage. A model with no known price is "unpriced": null, never $0.
import type { Price, RouterConfig, Usage } from './types';

const PER_MILLION = 1_000_000;

/** Finds the price of a model: a tier's model, a configured extra price, or the same id without a date suffix. */
export function priceFor(config: RouterConfig, model: string): Price | null {
  const tier = config.tiers.find((t) => t.model === model);
  if (tier) return tier.priced === false ? null : tier.price; // unpriced is unknown, never $0
  if (config.extraPrices[model]) return config.extraPrices[model];
  // "claude-sonnet-4-5-20250929" → "claude-sonnet-4-5"; "claude-3-5-haiku-latest" → "claude-3-5-haiku"
  const base = model.replace(/-(\d{8}|latest)$/, '');
  if (base !== model) return priceFor(config, base);
  return null;
}

/** 1-hour cache writes cost 2 × input at Anthropic; a price without its own rate gets that. */
export const cacheWrite1hPrice = (price: Price): number => price.cacheWrite1h ?? price.input * 2;

export function costOf(price: Price, u: Usage): number {
  const w1h = Math.min(u.cacheWrite1hTokens ?? 0, u.cacheWriteTokens);
  return (
    (u.inputTokens * price.input +
      u.outputTokens * price.output +
      (u.cacheWriteTokens - w1h) * price.cacheWrite +
      w1h * cacheWrite1hPrice(price) +
      u.cacheReadTokens * price.cacheRead) /
    PER_MILLION
  );
}

/** Real cost of a usage on a model, or null when the model is unpriced. */
export function usageCost(config: RouterConfig, model: string, u: Usage): number | null {
  const p = priceFor(config, model);
  return p ? costOf(p, u) : null;
}

/** Rough output estimate used before a call, for the decision's estimated cost: grows with the prompt, capped. */
export function estimateOutputTokens(inputTokens: number, complexity: 'simple' | 'medium' | 'complex'): number {
  const base = complexity === 'simple' ? 150 : complexity === 'medium' ? 500 : 1200;
  return Math.round(Math.min(4000, base + inputTokens * 0.3));
}

/** Rough token count (≈ 4 characters a token for English and code) used before a call. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export const ZERO_USAGE: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheWriteTokens: 0,
  cacheReadTokens: 0,
});

// The money formatter lives with the other display helpers; re-exported for code that still imports it from here.
export { formatUsd } from './format';
