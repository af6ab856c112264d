// The budget guard of one request: refuse when the budget is used up, step down to a tier whose worst case fits
// before the call, and record a refused step (fallback or escalation) as blocked, never made.
import { checkWorstCase, type WorstCaseCheck } from '../budget';
import { pct, tierLabel } from '../format';
import { RouteError, type CallSummary } from '../service-api';
import type { BudgetState, Decision } from '../types';
import { worstCase } from './fit';
import { record, retier } from './records';
import type { RunScope } from './scope';

/** Whether a call on `tier` fits the budget, counting the calls under way. */
export function fitsBudget(s: RunScope, tier: number, budget: BudgetState | null = s.env.getBudget()): WorstCaseCheck {
  return checkWorstCase(budget, worstCase(s.cfg, s.req, tier), s.env.held());
}

/** A decision the policy blocked (limit reached): recorded as blocked, and a RouteError says which limit. */
export function refuseExhausted(s: RunScope, d: Decision, budget: BudgetState | null): never {
  const which =
    budget && budget.dailyLimitUsd !== null && budget.spentTodayUsd >= budget.dailyLimitUsd ? 'daily' : 'monthly';
  const msg = `Your ${which} budget is used up (${pct(budget?.usedFraction ?? 1)}): the request was not sent.`;
  record(s.env.store, d, s.req, 'blocked', null, msg);
  throw new RouteError('blocked', msg, d);
}

/**
 * The worst case before the call: steps down (over the tiers `usable` allows) until it fits; cheapest-only lets the
 * cheapest usable tier through; otherwise the request is recorded as blocked and refused.
 */
export function fitToBudget(
  s: RunScope,
  d: Decision,
  budget: BudgetState | null,
  usable: (tier: number) => boolean,
): Decision {
  const { cfg } = s;
  const check0 = fitsBudget(s, d.tier, budget);
  if (check0.fits) return d;
  let t = d.tier - 1;
  while (t >= 0 && (!usable(t) || !fitsBudget(s, t, budget).fits)) t--;
  const now = s.env.now;
  if (t >= 0)
    return retier(
      cfg,
      d,
      t,
      `budget: on ${tierLabel(cfg, d.tier)} ${check0.message} → ${tierLabel(cfg, t)}`,
      false,
      now,
    );
  const cheapest = cfg.tiers.findIndex((_, i) => usable(i));
  if (budget?.onExhausted === 'cheapest' && cheapest >= 0) {
    return retier(
      cfg,
      d,
      cheapest,
      `budget: ${check0.message}; cheapest-only is on → ${tierLabel(cfg, cheapest)}`,
      false,
      now,
    );
  }
  const msg = `Not sent: on ${tierLabel(cfg, d.tier)} ${check0.message}, and no cheaper tier fits either.`;
  const blocked = { ...d, blocked: true, reasons: [...d.reasons, `budget: ${check0.message}`] };
  record(s.env.store, blocked, s.req, 'blocked', null, msg);
  throw new RouteError('blocked', msg, blocked);
}

/** A step the budget refused (a `what`: fallback or escalation, to `tier`), recorded as blocked under `parentId`. */
export function recordRefusal(
  s: RunScope,
  from: Decision,
  tier: number,
  role: CallSummary['role'],
  parentId: string,
  reason: string,
  what: string,
  budgetMessage: string | null,
): Decision {
  const refused = retier(s.cfg, from, tier, reason, true, s.env.now);
  record(s.env.store, refused, s.req, 'blocked', parentId, `${what} refused by the budget: ${budgetMessage}`);
  s.calls.push({
    decisionId: refused.id,
    role,
    model: refused.model,
    tier,
    status: 'blocked',
    costUsd: null,
    error: `refused by the budget: ${budgetMessage}`,
  });
  return refused;
}
