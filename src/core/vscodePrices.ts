// What the language models VS Code offers (GitHub Copilot's and others, through `vscode.lm`) cost per request. Copilot
// bills chat and agent use in AI Credits at each model's API rate, so a tier served by one of them costs what the same
// tokens would cost at the model maker's API: these are those list prices, USD per million tokens. A model that is not
// here is "unpriced" (its costs are null, never $0). Also: proposing a tier set from the models a person has.
import type { Price, TierConfig } from './types';

/** The date these list prices were taken from the providers' pricing pages (Anthropic, OpenAI, Google, xAI). */
export const VSCODE_PRICES_CHECKED_AT = '2026-12-03';

const p = (input: number, output: number, cacheRead = input * 0.1, cacheWrite = input * 1.25): Price => ({
  input,
  output,
  cacheRead: +cacheRead.toFixed(4),
  cacheWrite: +cacheWrite.toFixed(4),
});

/** By normalised family or id (lower case, dots as dashes, no date or "-preview" suffix). */
export const VSCODE_MODEL_PRICES: Readonly<Record<string, Price>> = {
  'claude-haiku-4-5': p(1, 5),
  'claude-3-5-haiku': p(0.8, 4),
  'claude-sonnet-4': p(3, 15),
  'claude-sonnet-4-5': p(3, 15),
  'claude-sonnet-4-6': p(3, 15),
  'claude-3-7-sonnet': p(3, 15),
  'claude-3-5-sonnet': p(3, 15),
  'claude-opus-4': p(15, 75),
  'claude-opus-4-1': p(15, 75),
  'claude-opus-4-5': p(5, 25),
  'claude-opus-4-6': p(5, 25),
  // OpenAI: cached input at the listed cached rate, no separate cache-write charge
  'gpt-4o': p(2.5, 10, 1.25, 2.5),
  'gpt-4o-mini': p(0.15, 0.6, 0.075, 0.15),
  'gpt-4-1': p(2, 8, 0.5, 2),
  'gpt-4-1-mini': p(0.4, 1.6, 0.1, 0.4),
  'gpt-4-1-nano': p(0.1, 0.4, 0.025, 0.1),
  'gpt-5': p(1.25, 10, 0.125, 1.25),
  'gpt-5-mini': p(0.25, 2, 0.025, 0.25),
  'gpt-5-nano': p(0.05, 0.4, 0.005, 0.05),
  'gpt-5-codex': p(1.25, 10, 0.125, 1.25),
  'gpt-5-1': p(1.25, 10, 0.125, 1.25),
  'gpt-5-1-codex': p(1.25, 10, 0.125, 1.25),
  'gpt-5-1-codex-mini': p(0.25, 2, 0.025, 0.25),
  o3: p(2, 8, 0.5, 2),
  'o3-mini': p(1.1, 4.4, 0.55, 1.1),
  'o4-mini': p(1.1, 4.4, 0.275, 1.1),
  // Google: prompts up to 200k tokens
  'gemini-2-0-flash': p(0.1, 0.4, 0.025, 0.1),
  'gemini-2-5-flash': p(0.3, 2.5, 0.03, 0.3),
  'gemini-2-5-pro': p(1.25, 10, 0.125, 1.25),
  'gemini-3-pro': p(2, 12, 0.2, 2),
  // xAI
  'grok-code-fast-1': p(0.2, 1.5, 0.02, 0.2),
};

/** "Claude Sonnet 4.5" / "claude-sonnet-4.5-20250929" / "gpt-4.1-preview" → "claude-sonnet-4-5" / "gpt-4-1". */
export function normaliseModelName(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/^copilot[-/]/, '')
    .replace(/[\s._]+/g, '-')
    .replace(/-(\d{8}|latest|preview|\d{4}-\d{2}-\d{2})$/, '')
    .replace(/-+/g, '-');
}

/** A VS Code model as `vscode.lm` describes it (the parts the router needs). */
export interface VscodeModelInfo {
  id: string;
  vendor: string;
  family: string;
  name: string;
  version?: string;
  maxInputTokens: number;
}

/** The API list price of a VS Code model, by its id, then its family, then its name; null: unpriced. */
export function vscodeModelPrice(m: Pick<VscodeModelInfo, 'id' | 'family'> & { name?: string }): Price | null {
  for (const k of [m.id, m.family, m.name ?? '']) {
    if (!k) continue;
    const price = VSCODE_MODEL_PRICES[normaliseModelName(k)];
    if (price) return { ...price };
  }
  return null;
}

/** Blended price (3 input tokens per output token, what agent requests look like) for ordering models by cost. */
const blended = (x: Price) => (3 * x.input + x.output) / 4;

const slug = (s: string) =>
  normaliseModelName(s)
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, 40) || 'model';

/** A tier served by a VS Code model: priced from the table when it is there, unpriced otherwise. Its context window
 *  is the model's input limit plus the output it may ask for, so the picker offers exactly the model's input limit. */
export function tierFromModel(m: VscodeModelInfo, maxOutputTokens = 4096): TierConfig {
  const price = vscodeModelPrice(m);
  return {
    id: slug(m.family || m.id),
    label: m.name || m.family || m.id,
    model: m.id,
    provider: 'vscode',
    selector: { vendor: m.vendor, id: m.id, ...(m.family ? { family: m.family } : {}) },
    ...(price ? {} : { priced: false }),
    price: price ?? { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
    contextWindow: Math.max(1000, m.maxInputTokens + maxOutputTokens),
    maxOutputTokens,
  };
}

/**
 * A tier set from the models a person has: priced models only (an unpriced one cannot be weighed), never `ownVendor`
 * (the router itself), one model per family, ordered by price; up to three: the cheapest, one in the middle, the
 * dearest. Copilot's Claude models are preferred when Haiku, Sonnet and Opus are all there (the router was tuned on them).
 */
export function proposeTiers(models: readonly VscodeModelInfo[], ownVendor: string): TierConfig[] {
  const seen = new Set<string>();
  const priced = models
    .filter((m) => m.vendor !== ownVendor)
    .map((m) => ({ m, price: vscodeModelPrice(m) }))
    .filter((x): x is { m: VscodeModelInfo; price: Price } => x.price !== null)
    .filter((x) => {
      const k = normaliseModelName(x.m.family || x.m.id);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => blended(a.price) - blended(b.price));
  const claude = ['haiku', 'sonnet', 'opus'].map((n) =>
    priced
      .filter(
        (x) =>
          /claude/.test(normaliseModelName(x.m.family || x.m.id)) &&
          normaliseModelName(x.m.family || x.m.id).includes(n),
      )
      .at(-1),
  );
  let pick = claude.every(Boolean) ? claude.map((x) => x!) : priced;
  if (pick.length > 3) pick = [pick[0], pick[Math.floor((pick.length - 1) / 2)], pick[pick.length - 1]];
  const tiers = pick.map((x) => tierFromModel(x.m));
  // ids must be unique
  const ids = new Set<string>();
  for (const t of tiers) {
    let id = t.id;
    for (let i = 2; ids.has(id); i++) id = `${t.id}-${i}`;
    t.id = id;
    ids.add(id);
  }
  return tiers;
}
