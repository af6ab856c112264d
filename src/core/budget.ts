// Daily and monthly spending limits: the state they put routing in, and the worst-case check before every call.
// Below 75 % normal; 75–90 % warning; 90–100 % downgrading (one tier down); at 100 % blocked (or cheapest tier only).
import { priceFor, costOf, formatUsd } from './pricing';
import type { BudgetSettings } from './store/api';
import type { BudgetState, RouterConfig } from './types';

export const WARN_AT = 0.75;
export const DOWNGRADE_AT = 0.9;

const hasLimit = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The state a budget is in; null when no limit is set. */
export function budgetState(settings: BudgetSettings, spentToday: number, spentMonth: number): BudgetState | null {
  const daily = hasLimit(settings.dailyLimitUsd) ? settings.dailyLimitUsd : null;
  const monthly = hasLimit(settings.monthlyLimitUsd) ? settings.monthlyLimitUsd : null;
  if (daily === null && monthly === null) return null;
  const frac = (spent: number, limit: number | null) =>
    limit === null ? 0 : limit === 0 ? (spent > 0 ? Infinity : 1) : spent / limit;
  const usedFraction = Math.max(frac(spentToday, daily), frac(spentMonth, monthly));
  const state =
    usedFraction >= 1
      ? 'blocked'
      : usedFraction >= DOWNGRADE_AT
        ? 'downgrading'
        : usedFraction >= WARN_AT
          ? 'warning'
          : 'normal';
  return {
    state,
    dailyLimitUsd: daily,
    monthlyLimitUsd: monthly,
    spentTodayUsd: spentToday,
    spentMonthUsd: spentMonth,
    usedFraction,
    onExhausted: settings.onExhausted === 'cheapest' ? 'cheapest' : 'block',
  };
}

/** The most a call can cost: its input tokens plus `maxTokens` of output on `model`; null when the model is unpriced. */
export function worstCaseCost(
  config: RouterConfig,
  model: string,
  inputTokens: number,
  maxTokens: number,
): number | null {
  const p = priceFor(config, model);
  return p ? costOf(p, { inputTokens, outputTokens: maxTokens, cacheWriteTokens: 0, cacheReadTokens: 0 }) : null;
}

export interface WorstCaseCheck {
  fits: boolean;
  worstCaseUsd: number | null;
  /** Which limit it would pass, when it does not fit. */
  limit: 'daily' | 'monthly' | null;
  /** Money left under the tighter limit (null when no limit). */
  remainingUsd: number | null;
  /** In words, when it does not fit: "worst case $0.3300 would pass the daily limit ($0.0100 left of $1.0000)". */
  message: string | null;
}

/** Money not yet in the spend but held against the limits: calls under way (in any process) and interrupted ones. */
export interface Held {
  /** Held by reservations made today (counts against the daily and the monthly limit). */
  dayUsd: number;
  /** Held by reservations made this month (today's included). */
  monthUsd: number;
}

const asHeld = (h: number | Held): Held => (typeof h === 'number' ? { dayUsd: h, monthUsd: h } : h);

/**
 * Whether a call whose worst case is `worstCaseUsd` stays within the limits. A model without a price cannot be checked:
 * it fits only when no limit is set (its cost would be unknown, never counted as $0).
 * `held` is money not yet in the state's spend: calls under way or interrupted (reservations), a fallback's first
 * try; a plain number counts against both limits.
 */
export function checkWorstCase(
  state: BudgetState | null,
  worstCaseUsd: number | null,
  held: number | Held = 0,
): WorstCaseCheck {
  if (!state) return { fits: true, worstCaseUsd, limit: null, remainingUsd: null, message: null };
  const h = asHeld(held);
  const left = (limit: number | null, spent: number, extra: number) =>
    limit === null ? Infinity : limit - spent - extra;
  const dayLeft = left(state.dailyLimitUsd, state.spentTodayUsd, h.dayUsd);
  const monthLeft = left(state.monthlyLimitUsd, state.spentMonthUsd, h.monthUsd);
  const tighter: 'daily' | 'monthly' = dayLeft <= monthLeft ? 'daily' : 'monthly';
  const remaining = Math.max(0, Math.min(dayLeft, monthLeft));
  const limitValue = tighter === 'daily' ? state.dailyLimitUsd : state.monthlyLimitUsd;
  if (worstCaseUsd === null) {
    return {
      fits: false,
      worstCaseUsd,
      limit: tighter,
      remainingUsd: remaining,
      message: `its cost cannot be checked against your ${tighter} limit (the model has no known price)`,
    };
  }
  const passes = (l: number) => worstCaseUsd > l + 1e-12;
  if (!passes(dayLeft) && !passes(monthLeft))
    return { fits: true, worstCaseUsd, limit: null, remainingUsd: remaining, message: null };
  const which: 'daily' | 'monthly' = passes(dayLeft) ? 'daily' : 'monthly';
  const rem = Math.max(0, which === 'daily' ? dayLeft : monthLeft);
  const lim = which === 'daily' ? state.dailyLimitUsd : state.monthlyLimitUsd;
  const heldHere = which === 'daily' ? h.dayUsd : h.monthUsd;
  const heldWords = heldHere > 1e-12 ? `; calls under way or interrupted hold ${formatUsd(heldHere)}` : '';
  return {
    fits: false,
    worstCaseUsd,
    limit: which,
    remainingUsd: rem,
    message: `its worst case ${formatUsd(worstCaseUsd)} would pass the ${which} limit (${formatUsd(rem)} left of ${formatUsd(lim ?? limitValue)}${heldWords})`,
  };
}

/** Parses a dollar amount typed by a person ("5", "$2.50", "off"/"none" → null); throws with a clear message. */
export function parseUsd(text: string, what: string): number | null {
  const t = String(text).trim().replace(/^\$/, '');
  if (/^(off|none|null|no)$/i.test(t)) return null;
  const v = Number(t);
  if (!t || !Number.isFinite(v) || v < 0)
    throw new Error(`${what}: "${text}" is not an amount in dollars (e.g. 5 or 2.50; "off" for no limit)`);
  return v;
}
