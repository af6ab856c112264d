// One call on a decision's tier, falling back to other tiers while the tier is unavailable: the next tier up first,
// then down. Each attempt is its own record; a fallback the budget refuses is recorded as blocked and not made; a
// tier with no client (no key for its provider) is skipped and the notice says so.
import { tierLabel } from '../format';
import { ProviderError, type ChatResult } from '../provider/api';
import { RouteError, type CallSummary } from '../service-api';
import { estimateTokens } from '../pricing';
import type { Decision, DecisionRecord, Usage } from '../types';
import { fitsBudget, recordRefusal } from './budgetGuard';
import { fitted, worstCase } from './fit';
import { afterDispatch, costs, recordOf, retier } from './records';
import { holdBudget, HoldError, type Hold } from './reserve';
import type { RunScope } from './scope';

export interface Answer {
  rec: DecisionRecord;
  result: ChatResult;
}

/** Where to go when `tier` is unavailable: the tiers above it (nearest first), then those below. */
export function fallbackOrder(tierCount: number, tier: number): number[] {
  const top = tierCount - 1;
  return [...Array.from({ length: top - tier }, (_, i) => tier + 1 + i), ...Array.from({ length: tier }, (_, i) => tier - 1 - i)];
}

/** The tier to use for `tier`: itself when it has a client, else the first in fallback order that has one (null: none). */
export function reachableTier(s: RunScope, tier: number): number | null {
  if (s.clientOf(tier)) return tier;
  return fallbackOrder(s.cfg.tiers.length, tier).find((t) => s.clientOf(t)) ?? null;
}

/** "Opus and Haiku can't be reached (no API key for their provider)". */
export function unreachableWords(labels: string[]): string {
  return `${labels.join(' and ')} can't be reached (no API key or client for ${labels.length > 1 ? 'their' : 'its'} provider)`;
}

/** What a failed call used: the usage the API reported, with the output tokens at least those of the text that
 *  arrived (a stream stopped halfway reports only its first output token, yet the text before the stop is billed). */
function partialUsage(pe: ProviderError | null): Usage | null {
  const u = pe?.partialUsage;
  if (!u) return null;
  return pe.partialText ? { ...u, outputTokens: Math.max(u.outputTokens, estimateTokens(pe.partialText)) } : u;
}

/** Holds the call's worst case (reserve.ts); a call the budget no longer allows is recorded as blocked, not made. */
async function holdOrRefuse(s: RunScope, d: Decision, rec: DecisionRecord, summary: CallSummary, worst: number | null): Promise<Hold> {
  const { cfg } = s;
  const cheapest = cfg.tiers.findIndex((_, i) => s.clientOf(i));
  const mayPass = s.env.getBudget()?.onExhausted === 'cheapest' && rec.tier === cheapest;
  let held;
  try {
    held = await holdBudget(s, rec, worst, mayPass);
  } catch (e) {
    if (!(e instanceof HoldError)) throw e;
    Object.assign(summary, { status: 'error', error: e.message });
    throw new RouteError('provider', e.message, d);
  }
  if ('hold' in held) return held.hold;
  const msg = `Not sent: on ${tierLabel(cfg, rec.tier)} ${held.refused.message}.`;
  s.env.store.insertDecision({ ...rec, status: 'blocked', blocked: true, error: msg, reasons: [...rec.reasons, `budget: ${held.refused.message}`] });
  Object.assign(summary, { status: 'blocked', error: `refused by the budget: ${held.refused.message}` });
  throw new RouteError('blocked', msg, d);
}

type Tried = { ok: true; answer: Answer; late: unknown } | { ok: false; error: ProviderError };

/**
 * One attempt on `cur`'s tier. The budget is held before the call (with a limit set, the pending record and the
 * reservation are on disk before it leaves; without, they are written right after the request has left, or when
 * the call settles, whichever comes first, so the database write does not delay it).
 * A failure that another tier cannot help with is thrown as a RouteError (about `d`, the request's decision).
 */
async function attempt(
  s: RunScope, d: Decision, cur: Decision, role: CallSummary['role'], parent: string | null,
  onText: ((t: string) => void) | undefined, extra: (() => void) | undefined,
): Promise<Tried> {
  const { cfg, req, env } = s;
  const client = s.clientOf(cur.tier);
  if (!client) throw new RouteError('no-key', `${unreachableWords([tierLabel(cfg, cur.tier)])}. Nothing was sent.`, d);
  const f = fitted(cfg, req, cur.tier);
  const rec = recordOf(cur, req, 'pending', parent);
  const summary: CallSummary = { decisionId: cur.id, role, model: cur.model, tier: cur.tier, status: 'pending', costUsd: null, error: null };
  s.calls.push(summary);
  const hold = await holdOrRefuse(s, d, rec, summary, worstCase(cfg, req, cur.tier, f));
  const settle = afterDispatch(() => hold.afterDispatch(), extra);
  try {
    const result = await client.stream({ model: cur.model, system: req.system, messages: f.messages, maxTokens: f.maxTokens, signal: req.signal }, onText);
    const late = settle();
    const c = costs(cfg, cur.model, result.model, result.usage);
    const patch: Partial<DecisionRecord> = {
      status: 'ok', usage: result.usage, ...c, latencyMs: Math.round(result.latencyMs), ttftMs: result.ttftMs === null ? null : Math.round(result.ttftMs),
      answeredModel: result.model,
    };
    env.store.updateDecision(cur.id, patch);
    hold.release();
    Object.assign(summary, { status: 'ok', costUsd: c.costUsd });
    return { ok: true, answer: { rec: { ...rec, ...patch }, result }, late };
  } catch (e) {
    settle();
    const pe = e instanceof ProviderError ? e : null;
    const cancelled = pe?.kind === 'cancelled' || !!req.signal?.aborted;
    const usage = partialUsage(pe);
    const c = usage ? costs(cfg, cur.model, null, usage) : { costUsd: null, baselineCostUsd: null };
    const message = pe ? pe.message : `unexpected failure: ${e instanceof Error ? e.message : String(e)}`;
    const error = cancelled ? 'cancelled by the user' : message;
    env.store.updateDecision(cur.id, { status: cancelled ? 'cancelled' : 'error', usage, ...c, error, answeredModel: null });
    hold.release();
    Object.assign(summary, { status: cancelled ? 'cancelled' : 'error', costUsd: c.costUsd, error });
    if (cancelled) throw new RouteError('cancelled', 'Cancelled: the answer was stopped.', d);
    if (!pe || !pe.tierUnavailable) throw new RouteError('provider', message, d);
    return { ok: false, error: pe };
  }
}

/** What the search for another tier has met so far, kept across fallbacks of one request. */
interface Search {
  /** The first fallback the budget refused, in words. */
  refusal: string | null;
  /** Tiers found unavailable after that refusal. */
  alsoDown: string[];
  /** Tiers with no client. */
  unreachable: Set<number>;
}

/** The next tier to try after `cur`'s tier failed with `pe`, recording fallbacks the budget refuses; null: none. */
function nextTier(s: RunScope, d: Decision, cur: Decision, pe: ProviderError, seen: Search): number | null {
  const { cfg } = s;
  const tried = new Set(s.calls.filter((x) => x.tier >= 0).map((x) => x.tier));
  if (seen.refusal) seen.alsoDown.push(tierLabel(cfg, cur.tier));
  for (const t of fallbackOrder(cfg.tiers.length, d.tier)) {
    if (tried.has(t) || seen.unreachable.has(t)) continue;
    if (!s.clientOf(t)) { seen.unreachable.add(t); continue; }
    const check = fitsBudget(s, t);
    if (check.fits) return t;
    const why = `${tierLabel(cfg, cur.tier)} unavailable (${pe.kind}) → fallback to ${tierLabel(cfg, t)}`;
    recordRefusal(s, d, t, 'fallback', cur.id, `${why} refused: ${check.message}`, 'fallback', check.message);
    tried.add(t);
    seen.refusal ??= `${tierLabel(cfg, cur.tier)} is unavailable (${pe.message}) and falling back to ${tierLabel(cfg, t)} was refused: ${check.message}.`;
  }
  return null;
}

/**
 * One call on `d`'s tier, falling back while the tier is unavailable. The first attempt is `d` itself;
 * `alsoAfterDispatch` (judging the previous answer) runs with the first attempt's record, after its request has left.
 */
export async function callWithFallback(
  s: RunScope, d: Decision, role: CallSummary['role'], parentId: string | null,
  onText: ((t: string) => void) | undefined, alsoAfterDispatch?: () => void,
): Promise<Answer> {
  const { cfg } = s;
  let cur = d;
  let parent = parentId;
  let curRole = role;
  let extra = alsoAfterDispatch;
  const seen: Search = { refusal: null, alsoDown: [], unreachable: new Set() };
  for (;;) {
    const r = await attempt(s, d, cur, curRole, parent, onText, extra);
    extra = undefined;
    if (r.ok) {
      if (r.late === undefined) return r.answer;
      throw r.late;
    }
    const pe = r.error;
    const next = nextTier(s, d, cur, pe, seen);
    const skipped = [...seen.unreachable].map((t) => tierLabel(cfg, t));
    if (next === null) {
      if (seen.refusal) {
        const also = seen.alsoDown;
        throw new RouteError('blocked', `${seen.refusal}${also.length ? ` ${also.join(' and ')} ${also.length > 1 ? 'were' : 'was'} unavailable too.` : ''}`, d);
      }
      throw new RouteError('provider', `${pe.message} (no other tier could answer either${skipped.length ? `: ${unreachableWords(skipped)}` : ''})`, d);
    }
    const skippedNote = skipped.length ? `; ${unreachableWords(skipped)}` : '';
    s.req.onNotice?.(`${tierLabel(cfg, cur.tier)} is unavailable (${pe.kind}): falling back to ${tierLabel(cfg, next)}${skippedNote}${pe.partialText ? '; the answer starts again' : ''}.`);
    parent = cur.id;
    cur = retier(cfg, d, next, `${tierLabel(cfg, cur.tier)} unavailable (${pe.kind}) → fallback to ${tierLabel(cfg, next)}`, true, s.env.now);
    curRole = 'fallback';
  }
}
