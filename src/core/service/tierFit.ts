// Which tiers can take a request: one with a client (a key for its provider) and a context window the prompt fits.
// A decision on a tier that cannot take it moves to the nearest that can (the notice says why); a prompt no tier's
// window fits is refused before any call, with the sizes, recorded as an error with no cost.
import { tierLabel } from '../format';
import { RouteError } from '../service-api';
import type { Decision } from '../types';
import { maxTokensFor, promptTokens } from './fit';
import { record, retier } from './records';
import type { RunScope } from './scope';

/** Where to go when `tier` cannot answer: the tiers above it (nearest first), then those below. */
export function fallbackOrder(tierCount: number, tier: number): number[] {
  const top = tierCount - 1;
  return [
    ...Array.from({ length: top - tier }, (_, i) => tier + 1 + i),
    ...Array.from({ length: tier }, (_, i) => tier - 1 - i),
  ];
}

/** "Opus and Haiku can't be reached (no API key or client for their provider)". */
export function unreachableWords(labels: string[]): string {
  return `${labels.join(' and ')} can't be reached (no API key or client for ${labels.length > 1 ? 'their' : 'its'} provider)`;
}

const tokens = (n: number) => `${n.toLocaleString('en-US')} tokens`;

/** Whether the prompt (and system prompt) fit `tier`'s context window with its max output tokens. */
export function windowFits(s: RunScope, tier: number): boolean {
  return promptTokens(s.req) + maxTokensFor(s.cfg, s.req, tier) <= s.cfg.tiers[tier].contextWindow;
}

/** "the prompt (about 240,000 tokens, estimated) does not fit Sonnet's 200,000-token context window with 4,096 output tokens" */
export function tooLongWords(s: RunScope, tier: number): string {
  const w = s.cfg.tiers[tier].contextWindow;
  return `the prompt (about ${tokens(promptTokens(s.req))}, estimated) does not fit ${tierLabel(s.cfg, tier)}'s ${w.toLocaleString('en-US')}-token context window with ${tokens(maxTokensFor(s.cfg, s.req, tier))} of output`;
}

/** Why `tier` cannot take the request (null: it can). */
function unfit(s: RunScope, tier: number): 'no-client' | 'too-long' | null {
  if (!s.clientOf(tier)) return 'no-client';
  return windowFits(s, tier) ? null : 'too-long';
}

/** Whether `tier` can take the request. */
export const usable = (s: RunScope, tier: number): boolean => unfit(s, tier) === null;

/**
 * `d` on a tier that can take the request: its own, else the nearest in fallback order that can (a notice and a
 * recorded reason say why). When some tier has a client but none a window the prompt fits, the request is recorded
 * as an error (no call, no cost) and refused with the sizes.
 */
export function onUsableTier(s: RunScope, d: Decision, notices: string[]): Decision {
  const why = unfit(s, d.tier);
  if (!why) return d;
  const t = fallbackOrder(s.cfg.tiers.length, d.tier).find((x) => usable(s, x));
  const from = tierLabel(s.cfg, d.tier);
  if (t === undefined) {
    const reachable = s.cfg.tiers.map((_, i) => i).filter((i) => s.clientOf(i));
    const widest = reachable.reduce((a, b) => (s.cfg.tiers[b].contextWindow >= s.cfg.tiers[a].contextWindow ? b : a));
    const msg = `Not sent: ${tooLongWords(s, widest)}, and no other tier's window is larger. Shorten the prompt or start a new chat.`;
    record(s.env.store, d, s.req, 'error', null, msg);
    throw new RouteError('too-long', msg, d);
  }
  const to = tierLabel(s.cfg, t);
  if (why === 'no-client') {
    notices.push(`${unreachableWords([from])}: answering on ${to} instead.`);
    return retier(s.cfg, d, t, `${from} has no client (no API key for its provider) → ${to}`, false, s.env.now);
  }
  const size = `${s.cfg.tiers[t].contextWindow.toLocaleString('en-US')}-token window`;
  notices.push(`${tooLongWords(s, d.tier).replace(/^the/, 'The')}: answering on ${to} (${size}) instead.`);
  return retier(s.cfg, d, t, `context: ${tooLongWords(s, d.tier)} → ${to} (${size})`, false, s.env.now);
}
