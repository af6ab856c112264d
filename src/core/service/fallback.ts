// One call on a decision's tier, falling back to other tiers while the tier is unavailable: the next tier up first,
// then down. Each attempt is its own record; a fallback the budget refuses is recorded as blocked and not made; a
// tier with no client (no key for its provider) is skipped and the notice says so.
import { formatDuration, tierLabel } from '../format';
import { estimateTokens } from '../pricing';
import { ProviderError, type ChatResult, type RetryWait } from '../provider/api';
import { restartMarker, RouteError, type CallSummary, type Restart } from '../service-api';
import type { Decision, DecisionRecord, Usage } from '../types';
import { fitsBudget, recordRefusal } from './budgetGuard';
import { fitted, worstCase } from './fit';
import { afterDispatch, costs, recordOf, retier } from './records';
import { holdBudget, HoldError, type Hold } from './reserve';
import type { RunScope } from './scope';
import { fallbackOrder, unreachableWords, windowFits } from './tierFit';

/** The reason a call's record gets when no upstream call was made for it (it cost $0). */
const SERVED_FROM = {
  shared: 'answered by an identical request already in flight: no call of its own, $0',
  cache: 'answered from the response cache: $0 spent',
  similar: 'answered from the response cache (a near-identical prompt): $0 spent',
} as const;

export interface Answer {
  rec: DecisionRecord;
  result: ChatResult;
}

/** "Sonnet hit a rate limit (429): retrying in 12 s (retry 1 of 2)." */
export function waitWords(tier: string, w: RetryWait): string {
  const what =
    w.status === null
      ? 'could not be reached'
      : w.status === 429
        ? 'hit a rate limit (429)'
        : w.status === 529
          ? 'is overloaded (529)'
          : w.status >= 500
            ? `had a server error (${w.status})`
            : `answered ${w.status}`;
  return `${tier} ${what}: retrying in ${formatDuration(w.waitMs)} (retry ${w.retry} of ${w.maxRetries}).`;
}

/** Why a tier is unavailable, in a few words: the error kind, and the wait that was not made. */
function unavailableWhy(pe: ProviderError): string {
  return pe.refusedWaitMs === null
    ? pe.kind
    : `${pe.kind}; a retry would wait ${formatDuration(pe.refusedWaitMs)}, longer than llmRouter.maxRetryWaitSeconds allows`;
}

/** Why a tier stopped, in a few words for the restart marker. */
const STOPPED: Partial<Record<ProviderError['kind'], string>> = {
  'rate-limit': 'rate limited',
  overloaded: 'overloaded',
  server: 'server error',
  'not-found': 'model not found',
  network: 'connection cut',
  timeout: 'stalled',
};

/** Marks where the stopped tier's streamed text ends and `next`'s begins: the caller's onRestart, else a marked line. */
function markRestart(s: RunScope, onText: (t: string) => void, r: Restart): void {
  if (s.req.onRestart) s.req.onRestart(r);
  else onText(`\n\n${restartMarker(r)}\n\n`);
}

/** What a failed call used: the usage the API reported, with the output tokens at least those of the text that
 *  arrived (a stream stopped halfway reports only its first output token, yet the text before the stop is billed). */
function partialUsage(pe: ProviderError | null): Usage | null {
  const u = pe?.partialUsage;
  if (!u) return null;
  return pe.partialText ? { ...u, outputTokens: Math.max(u.outputTokens, estimateTokens(pe.partialText)) } : u;
}

/** Holds the call's worst case (reserve.ts); a call the budget no longer allows is recorded as blocked, not made. */
async function holdOrRefuse(
  s: RunScope,
  d: Decision,
  rec: DecisionRecord,
  summary: CallSummary,
  worst: number | null,
): Promise<Hold> {
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
  s.env.store.insertDecision({
    ...rec,
    status: 'blocked',
    blocked: true,
    error: msg,
    reasons: [...rec.reasons, `budget: ${held.refused.message}`],
  });
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
  s: RunScope,
  d: Decision,
  cur: Decision,
  role: CallSummary['role'],
  parent: string | null,
  onText: ((t: string) => void) | undefined,
  extra: (() => void) | undefined,
): Promise<Tried> {
  const { cfg, req, env } = s;
  const client = s.clientOf(cur.tier);
  if (!client) throw new RouteError('no-key', `${unreachableWords([tierLabel(cfg, cur.tier)])}. Nothing was sent.`, d);
  const f = fitted(cfg, req, cur.tier);
  const rec = recordOf(cur, req, 'pending', parent);
  const summary: CallSummary = {
    decisionId: cur.id,
    role,
    model: cur.model,
    tier: cur.tier,
    status: 'pending',
    costUsd: null,
    error: null,
  };
  s.calls.push(summary);
  const hold = await holdOrRefuse(s, d, rec, summary, worstCase(cfg, req, cur.tier, f));
  const settle = afterDispatch(() => hold.afterDispatch(), extra);
  try {
    const onRetryWait = (w: RetryWait) => req.onNotice?.(waitWords(tierLabel(cfg, cur.tier), w), 'wait');
    const a = req.agent;
    const sent = a ? { messages: a.messages, tools: a.tools, toolMode: a.toolMode } : { messages: f.messages };
    const result = await client.stream(
      { model: cur.model, system: req.system, ...sent, maxTokens: f.maxTokens, signal: req.signal, onRetryWait },
      onText,
      a?.onToolCall,
    );
    const late = settle();
    const c = costs(cfg, cur.model, result.model, result.usage, result.costUsd);
    const patch: Partial<DecisionRecord> = {
      status: 'ok',
      usage: result.usage,
      ...c,
      latencyMs: Math.round(result.latencyMs),
      ttftMs: result.ttftMs === null ? null : Math.round(result.ttftMs),
      answeredModel: result.model,
      ...(result.servedFrom ? { reasons: [...cur.reasons, SERVED_FROM[result.servedFrom]] } : {}),
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
    env.store.updateDecision(cur.id, {
      status: cancelled ? 'cancelled' : 'error',
      usage,
      ...c,
      error,
      answeredModel: null,
    });
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
  /** Tiers whose context window the prompt does not fit. */
  tooSmall: Set<number>;
}

/** The next tier to try after `cur`'s tier failed with `pe`, recording fallbacks the budget refuses; null: none. */
function nextTier(s: RunScope, d: Decision, cur: Decision, pe: ProviderError, seen: Search): number | null {
  const { cfg } = s;
  const tried = new Set(s.calls.filter((x) => x.tier >= 0).map((x) => x.tier));
  if (seen.refusal) seen.alsoDown.push(tierLabel(cfg, cur.tier));
  for (const t of fallbackOrder(cfg.tiers.length, d.tier)) {
    if (tried.has(t) || seen.unreachable.has(t)) continue;
    if (!s.clientOf(t)) {
      seen.unreachable.add(t);
      continue;
    }
    if (!windowFits(s, t)) {
      seen.tooSmall.add(t);
      continue;
    }
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
  s: RunScope,
  d: Decision,
  role: CallSummary['role'],
  parentId: string | null,
  onText: ((t: string) => void) | undefined,
  alsoAfterDispatch?: () => void,
): Promise<Answer> {
  const { cfg } = s;
  let cur = d;
  let parent = parentId;
  let curRole = role;
  let extra = alsoAfterDispatch;
  const seen: Search = { refusal: null, alsoDown: [], unreachable: new Set(), tooSmall: new Set() };
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
    const small = [...seen.tooSmall].map((t) => `${tierLabel(cfg, t)}'s context window is too small for the prompt`);
    if (next === null) {
      if (seen.refusal) {
        const also = seen.alsoDown;
        throw new RouteError(
          'blocked',
          `${seen.refusal}${also.length ? ` ${also.join(' and ')} ${also.length > 1 ? 'were' : 'was'} unavailable too.` : ''}`,
          d,
        );
      }
      const others = [...(skipped.length ? [unreachableWords(skipped)] : []), ...small];
      throw new RouteError(
        'provider',
        `${pe.message} (no other tier could answer either${others.length ? `: ${others.join('; ')}` : ''})`,
        d,
      );
    }
    const skippedNote = skipped.length ? `; ${unreachableWords(skipped)}` : '';
    s.req.onNotice?.(
      `${tierLabel(cfg, cur.tier)} is unavailable (${unavailableWhy(pe)}): falling back to ${tierLabel(cfg, next)}${skippedNote}${pe.partialText ? '; the answer starts again' : ''}.`,
    );
    if (onText && pe.partialText) {
      markRestart(s, onText, {
        stopped: tierLabel(cfg, cur.tier),
        reason: STOPPED[pe.kind] ?? pe.kind,
        next: tierLabel(cfg, next),
        partialText: pe.partialText,
      });
    }
    parent = cur.id;
    cur = retier(
      cfg,
      d,
      next,
      `${tierLabel(cfg, cur.tier)} unavailable (${pe.kind}) → fallback to ${tierLabel(cfg, next)}`,
      true,
      s.env.now,
    );
    curRole = 'fallback';
  }
}
