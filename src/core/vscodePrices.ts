// What the language models VS Code offers (GitHub Copilot's and others, through `vscode.lm`) cost per request. Copilot
// bills chat and agent use in AI Credits at each model's per-token rate, so a tier served by one of them costs what
// GitHub's table says those tokens cost: these are those rates, USD per million tokens. A model that is not here is
// "unpriced" (its costs are null, never $0). Also: proposing a tier set from the models a person has.
import type { Price, TierConfig } from './types';

/**
 * When the rates below were checked. Source: GitHub's "models and pricing" table for Copilot (the github/docs
 * repository, data/tables/copilot/models-and-pricing.yml, the version that lists GPT-5.6 and Claude Opus 5), with the
 * model makers' API list prices for models Copilot no longer lists (GPT-4o, o3, Gemini 2.x, Claude 3.x / Opus 4.0–4.1).
 * Where GitHub lists a long-context rate (OpenAI and Google models, over 200K or 272K input tokens), the default rate
 * is used: such prompts cost more than recorded.
 */
export const VSCODE_PRICES_CHECKED_AT = '2026-12-03';

/** `cacheWrite`: what writing a cache entry costs; OpenAI and Google models bill it as plain input. */
const p = (input: number, output: number, cacheRead = input * 0.1, cacheWrite = input * 1.25): Price => ({
  input,
  output,
  cacheRead: +cacheRead.toFixed(4),
  cacheWrite: +cacheWrite.toFixed(4),
});
/** A model whose cache writes cost plain input (OpenAI before GPT-5.6, Google, xAI and the others GitHub lists so). */
const plain = (input: number, output: number, cacheRead: number): Price => p(input, output, cacheRead, input);

/** By normalised family or id (lower case, dots as dashes, no date or "-preview" suffix). */
export const VSCODE_MODEL_PRICES: Readonly<Record<string, Price>> = {
  // Anthropic (GitHub's table; cache reads 0.1 ×, 5-minute cache writes 1.25 × input)
  'claude-haiku-4-5': p(1, 5),
  'claude-sonnet-4': p(3, 15),
  'claude-sonnet-4-5': p(3, 15),
  'claude-sonnet-4-6': p(3, 15),
  'claude-sonnet-5': p(2, 10),
  'claude-opus-4-5': p(5, 25),
  'claude-opus-4-6': p(5, 25),
  'claude-opus-4-7': p(5, 25),
  'claude-opus-4-8': p(5, 25),
  // Opus 4.8 fast mode is billed at twice the rate: matched by its id before the family would price it as Opus 4.8
  'claude-opus-4-8-fast': p(10, 50),
  'claude-opus-4-8-fast-mode': p(10, 50),
  'claude-opus-5': p(5, 25),
  'claude-fable-5': p(10, 50),
  // Anthropic, no longer in GitHub's table (Anthropic's API list prices)
  'claude-3-5-haiku': p(0.8, 4),
  'claude-3-5-sonnet': p(3, 15),
  'claude-3-7-sonnet': p(3, 15),
  'claude-opus-4': p(15, 75),
  'claude-opus-4-1': p(15, 75),
  // OpenAI (GitHub's table)
  'gpt-4-1': plain(2, 8, 0.5),
  'gpt-5-mini': plain(0.25, 2, 0.025),
  'gpt-5-2': plain(1.75, 14, 0.175),
  'gpt-5-2-codex': plain(1.75, 14, 0.175),
  'gpt-5-3-codex': plain(1.75, 14, 0.175),
  'gpt-5-4': plain(2.5, 15, 0.25),
  'gpt-5-4-mini': plain(0.75, 4.5, 0.075),
  'gpt-5-4-nano': plain(0.2, 1.25, 0.02),
  'gpt-5-5': plain(5, 30, 0.5),
  'gpt-5-6-luna': p(0.2, 1.2, 0.02, 0.25),
  'gpt-5-6-terra': p(2, 12, 0.2, 2.5),
  'gpt-5-6-sol': p(5, 30, 0.5, 6.25),
  // OpenAI, no longer in GitHub's table (OpenAI's API list prices)
  'gpt-4o': plain(2.5, 10, 1.25),
  'gpt-4o-mini': plain(0.15, 0.6, 0.075),
  'gpt-4-1-mini': plain(0.4, 1.6, 0.1),
  'gpt-4-1-nano': plain(0.1, 0.4, 0.025),
  'gpt-5': plain(1.25, 10, 0.125),
  'gpt-5-nano': plain(0.05, 0.4, 0.005),
  'gpt-5-codex': plain(1.25, 10, 0.125),
  'gpt-5-1': plain(1.25, 10, 0.125),
  'gpt-5-1-codex': plain(1.25, 10, 0.125),
  'gpt-5-1-codex-mini': plain(0.25, 2, 0.025),
  o3: plain(2, 8, 0.5),
  'o3-mini': plain(1.1, 4.4, 0.55),
  'o4-mini': plain(1.1, 4.4, 0.275),
  // Google (GitHub's table; prompts up to 200K tokens)
  'gemini-2-5-pro': plain(1.25, 10, 0.125),
  'gemini-3-flash': plain(0.5, 3, 0.05),
  'gemini-3-1-pro': plain(2, 12, 0.2),
  'gemini-3-5-flash': plain(1.5, 9, 0.15),
  'gemini-3-6-flash': plain(0.75, 3.75, 0.075),
  'gemini-3-7-flash': plain(0.75, 3.75, 0.075),
  // Google, no longer in GitHub's table (Google's API list prices)
  'gemini-2-0-flash': plain(0.1, 0.4, 0.025),
  'gemini-2-5-flash': plain(0.3, 2.5, 0.03),
  'gemini-3-pro': plain(2, 12, 0.2),
  // xAI (GitHub's table, prompts up to 200K tokens; Grok Code Fast 1 at xAI's list price)
  'grok-4-5': plain(2, 6, 0.5),
  'grok-4-6': plain(2, 6, 0.5),
  'grok-code-fast-1': plain(0.2, 1.5, 0.02),
  // Microsoft, GitHub's own fine-tunes, open-weight models (GitHub's table)
  'mai-code-1-flash': plain(0.75, 4.5, 0.075),
  'mai-code-1-1-flash': plain(0.2, 1.2, 0.02),
  'raptor-mini': plain(0.25, 2, 0.025),
  goldeneye: plain(1.25, 10, 0.125),
  'kimi-k2-7-code': plain(0.95, 4, 0.19),
  'kimi-k3': plain(3, 15, 0.3),
};

/** "Claude Sonnet 4.5" / "claude-sonnet-4.5-20250929" / "gpt-4.1-preview" → "claude-sonnet-4-5" / "gpt-4-1";
 *  "Claude Opus 4.8 (fast mode) (preview)" → "claude-opus-4-8-fast-mode". */
export function normaliseModelName(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/^copilot[-/]/, '')
    .replace(/[()]/g, '')
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
  return withUniqueIds(pick.map((x) => tierFromModel(x.m)));
}

/** The tiers with a repeated id made unique by a suffix ("sonnet", "sonnet-2"), in place; returns them. */
export function withUniqueIds(tiers: TierConfig[]): TierConfig[] {
  const ids = new Set<string>();
  for (const t of tiers) {
    let id = t.id;
    for (let i = 2; ids.has(id); i++) id = `${t.id}-${i}`;
    t.id = id;
    ids.add(id);
  }
  return tiers;
}
