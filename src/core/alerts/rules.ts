// Alert rules over the decision store: a spend spike (today against the trailing daily average), budget thresholds,
// the error rate of the last hour, and a rising share of thumbs-down per tier. Each rule gives its current reading
// (for `alerts status`) and, when it fires, an alert with a key: the same key is not sent again within the cool-down.
import { z } from 'zod';
import { formatUsd, tierLabel } from '../format';
import type { DecisionStore } from '../store/api';
import { dayKey, dayStart, monthStart } from '../store/days';
import type { RouterConfig } from '../types';
import { workspaceBudgets, workspaceSpend } from '../projects/workspace';

export type AlertRule = 'spend-spike' | 'budget' | 'error-rate' | 'bad-ratings';

export interface Alert {
  rule: AlertRule;
  /** Same key = same alert: not sent again within the cool-down ("budget:daily:90:2026-12-03"). */
  key: string;
  severity: 'warning' | 'critical';
  message: string;
}

export interface RuleReading {
  rule: AlertRule;
  /** What the rule sees now, in words, whether or not it fires. */
  reading: string;
  alerts: Alert[];
}

export const alertSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  /** Today's spend at least this many times the trailing daily average … */
  spikeFactor: z.number().min(1).default(2),
  /** … and at least this much in dollars (no alert for cents). */
  spikeMinUsd: z.number().min(0).default(0.5),
  /** Days in the trailing average. */
  spikeDays: z.number().int().min(1).max(90).default(7),
  /** Used fractions of a budget that alert once each per day (daily) or month (monthly). */
  budgetThresholds: z.array(z.number().gt(0).max(10)).default([0.75, 0.9, 1]),
  /** Share of failed requests in the last hour, with at least `errorMinCount` failures. */
  errorRate: z.number().gt(0).max(1).default(0.2),
  errorMinCount: z.number().int().min(1).default(3),
  /** A tier's thumbs-down share over the last 7 days at least this … */
  badShare: z.number().gt(0).max(1).default(0.3),
  /** … and this many points above the 30 days before, from at least `badMinRatings` ratings. */
  badRise: z.number().min(0).max(1).default(0.15),
  badMinRatings: z.number().int().min(1).default(5),
  /** Hours before the same alert is sent again. */
  cooldownHours: z.number().min(0).default(6),
});
export type AlertSettings = z.infer<typeof alertSettingsSchema>;
export const DEFAULT_ALERT_SETTINGS: AlertSettings = alertSettingsSchema.parse({});

/** Settings from the user (VS Code settings, CLI flags): the problems in words, the defaults for what is wrong. */
export function readAlertSettings(raw: unknown): { settings: AlertSettings; problems: string[] } {
  const r = alertSettingsSchema.safeParse(raw ?? {});
  if (r.success) return { settings: r.data, problems: [] };
  const bad = new Set(r.error.issues.map((i) => String(i.path[0])));
  const problems = r.error.issues.map((i) => `llmRouter.alerts.${i.path.join('.')}: ${i.message}`);
  const kept = Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter(([k]) => !bad.has(k)));
  return { settings: alertSettingsSchema.parse(kept), problems };
}

const DAY = 86_400_000;
const pctOf = (x: number) => `${Math.round(x * 100)} %`;

export function spendSpike(store: DecisionStore, s: AlertSettings, now: number): RuleReading {
  const today = dayStart(now);
  const from = dayStart(today - s.spikeDays * DAY + DAY / 2);
  const st = store.stats({ since: from, now });
  const byDay = new Map<string, number>();
  for (const r of st.byDay) byDay.set(r.day, (byDay.get(r.day) ?? 0) + r.spendUsd);
  const todayUsd = byDay.get(dayKey(now)) ?? 0;
  const past = [...byDay.entries()].filter(([d]) => d !== dayKey(now)).reduce((t, [, v]) => t + v, 0);
  const avg = past / s.spikeDays;
  const reading = `today ${formatUsd(todayUsd)}; daily average of the ${s.spikeDays} days before ${formatUsd(avg)}`;
  const fires = avg > 0 && todayUsd >= s.spikeMinUsd && todayUsd >= s.spikeFactor * avg;
  return {
    rule: 'spend-spike',
    reading,
    alerts: fires
      ? [
          {
            rule: 'spend-spike',
            key: `spend-spike:${dayKey(now)}`,
            severity: 'warning',
            message: `Spend spike: ${formatUsd(todayUsd)} today, ${(todayUsd / avg).toFixed(1)}× the daily average of the last ${s.spikeDays} days (${formatUsd(avg)}).`,
          },
        ]
      : [],
  };
}

export function budgetAlerts(store: DecisionStore, s: AlertSettings, now: number): RuleReading {
  const b = store.getBudget();
  const periods = [
    { name: 'daily', limit: b.dailyLimitUsd, spent: store.spendSince(dayStart(now)), period: dayKey(now) },
    {
      name: 'monthly',
      limit: b.monthlyLimitUsd,
      spent: store.spendSince(monthStart(now)),
      period: dayKey(monthStart(now)).slice(0, 7),
    },
  ];
  // Workspace budgets (llm-router budget workspace set) alert at the same thresholds.
  for (const [id, wb] of Object.entries(workspaceBudgets(store))) {
    const spent = workspaceSpend(store, id, now);
    periods.push(
      {
        name: `daily (workspace ${wb.name})`,
        limit: wb.dailyLimitUsd,
        spent: spent.today,
        period: `${id}:${dayKey(now)}`,
      },
      {
        name: `monthly (workspace ${wb.name})`,
        limit: wb.monthlyLimitUsd,
        spent: spent.month,
        period: `${id}:${dayKey(monthStart(now)).slice(0, 7)}`,
      },
    );
  }
  const alerts: Alert[] = [];
  const readings: string[] = [];
  for (const p of periods) {
    if (p.limit === null) continue;
    const used = p.limit > 0 ? p.spent / p.limit : 1;
    readings.push(`${p.name} ${formatUsd(p.spent)} of ${formatUsd(p.limit)} (${pctOf(used)})`);
    const crossed = [...s.budgetThresholds].sort((x, y) => y - x).find((t) => used >= t);
    if (crossed === undefined) continue;
    alerts.push({
      rule: 'budget',
      key: `budget:${p.name}:${crossed}:${p.period}`,
      severity: crossed >= 1 ? 'critical' : 'warning',
      message:
        crossed >= 1
          ? `The ${p.name} budget is used up: ${formatUsd(p.spent)} of ${formatUsd(p.limit)}.`
          : `${p.name[0].toUpperCase()}${p.name.slice(1)} budget ${pctOf(crossed)} used: ${formatUsd(p.spent)} of ${formatUsd(p.limit)}.`,
    });
  }
  return { rule: 'budget', reading: readings.join('; ') || 'no budget set', alerts };
}

export function errorRate(store: DecisionStore, s: AlertSettings, now: number): RuleReading {
  const rows = store.listDecisions({ since: now - 3_600_000, limit: 5000 }).rows;
  const answered = new Set(rows.filter((r) => r.status === 'ok' && r.parentId).map((r) => r.parentId));
  // A request: a first call. It failed when it (and any fallback after it) ended in an error.
  const requests = rows.filter((r) => !r.parentId && (r.status === 'ok' || r.status === 'error'));
  const failed = requests.filter((r) => r.status === 'error' && !answered.has(r.id)).length;
  const n = requests.length;
  const share = n ? failed / n : 0;
  const fires = failed >= s.errorMinCount && share >= s.errorRate;
  return {
    rule: 'error-rate',
    reading: n
      ? `${failed} of ${n} requests failed in the last hour (${pctOf(share)})`
      : 'no requests in the last hour',
    alerts: fires
      ? [
          {
            rule: 'error-rate',
            key: `error-rate:${Math.floor(now / 3_600_000)}`,
            severity: share >= 0.5 ? 'critical' : 'warning',
            message: `Error rate ${pctOf(share)} in the last hour: ${failed} of ${n} requests failed.`,
          },
        ]
      : [],
  };
}

export function badRatings(store: DecisionStore, config: RouterConfig, s: AlertSettings, now: number): RuleReading {
  const recentFrom = now - 7 * DAY;
  const samples = store.qualitySamples({ since: recentFrom - 30 * DAY, thumbsOnly: true });
  const tiers = [...new Set(samples.map((q) => q.tier))].sort((a, b) => a - b);
  const alerts: Alert[] = [];
  const readings: string[] = [];
  for (const t of tiers) {
    const mine = samples.filter((q) => q.tier === t);
    const recent = mine.filter((q) => q.time >= recentFrom);
    const before = mine.filter((q) => q.time < recentFrom);
    const down = (xs: typeof mine) => xs.filter((q) => q.thumb === 'down').length;
    const share = recent.length ? down(recent) / recent.length : 0;
    const prior = before.length ? down(before) / before.length : null;
    const label = tierLabel(config, t);
    readings.push(
      `${label} ${down(recent)}/${recent.length} down this week${prior === null ? '' : ` (before: ${down(before)}/${before.length})`}`,
    );
    const rising = prior === null ? share >= Math.max(s.badShare, 0.5) : share - prior >= s.badRise;
    if (recent.length >= s.badMinRatings && share >= s.badShare && rising) {
      alerts.push({
        rule: 'bad-ratings',
        key: `bad-ratings:${t}:${dayKey(now)}`,
        severity: 'warning',
        message: `${label}: ${down(recent)} of ${recent.length} answers rated bad in the last 7 days (${pctOf(share)})${prior === null ? '' : `, up from ${pctOf(prior)} (${down(before)} of ${before.length}) in the 30 days before`}.`,
      });
    }
  }
  return { rule: 'bad-ratings', reading: readings.join('; ') || 'no ratings in the last 37 days', alerts };
}

/** Every rule's reading and what fires now (before the cool-down). */
export function evaluateAlerts(
  store: DecisionStore,
  config: RouterConfig,
  s: AlertSettings,
  now = Date.now(),
): RuleReading[] {
  return [
    spendSpike(store, s, now),
    budgetAlerts(store, s, now),
    errorRate(store, s, now),
    badRatings(store, config, s, now),
  ];
}
