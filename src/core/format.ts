// How every layer writes money, percentages, tier names and the routing line (the CLI, chat and notifications; the
// cost panel's view model too). Pure, no imports beyond types: safe for Node and the browser.
import type { Decision, RouterConfig, TierConfig } from './types';

/** Dollars: "unpriced" when unknown, $0 for nothing, five decimals below a cent, four below $10, then cents. */
export function formatUsd(v: number | null): string {
  if (v === null) return 'unpriced';
  if (v === 0) return '$0';
  if (Math.abs(v) < 0.01) return `$${v.toFixed(5)}`;
  return `$${v.toFixed(v < 10 ? 4 : 2)}`;
}

/** A fraction as a percentage: "41%", "3.5%" (one decimal below 10 % unless `digits` says), "—" when unknown. */
export function pct(fraction: number | null, digits?: number): string {
  if (fraction === null || !Number.isFinite(fraction)) return '—';
  const d = digits ?? (fraction > 0 && fraction < 0.1 ? 1 : 0);
  return `${(fraction * 100).toFixed(d)}%`;
}

/** A tier's name; a tier no longer configured (an old decision after the tiers changed) by its number. */
export function tierLabel(tiers: RouterConfig | readonly Pick<TierConfig, 'label'>[], tier: number): string {
  const list = Array.isArray(tiers) ? tiers : (tiers as RouterConfig).tiers;
  return list[tier]?.label ?? `tier ${tier + 1}`;
}

/** A duration for people: "450 ms", "12 s", "5 min", "2 h", "24 days". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'forever';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${+s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${+(s / 3600).toFixed(s < 36_000 ? 1 : 0)} h`;
  return `${Math.round(s / 86400)} days`;
}

/** "Routed to Sonnet · medium / code · confidence 0.82" (+ "· your choice" when forced). */
export function routedLine(config: RouterConfig, d: Decision): string {
  const forced = d.override ? ' · your choice' : '';
  return `Routed to ${tierLabel(config, d.tier)} · ${d.complexity} / ${d.category} · confidence ${d.confidence.toFixed(2)}${forced}`;
}
