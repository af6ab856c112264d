// How every layer writes money, percentages, tier names and the routing line: the CLI, chat and notifications, the
// cost panel's view model and the panel page itself (webview/format.ts hands these out). Pure, no imports beyond
// types: safe for Node and the browser.
import type { Decision, RouterConfig, TierConfig } from './types';

/** Dollars: $1,234.56 from $1; $0.0523 from one cent; $0.000812 below a cent; "unpriced" when unknown. Never
 *  rounds a real cost to $0. */
export function formatUsd(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'unpriced';
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  if (a === 0) return '$0.00';
  if (a >= 1) return `${sign}$${fixed2(a)}`;
  if (a >= 0.01) return `${sign}$${a.toFixed(4)}`;
  return `${sign}$${a.toFixed(6)}`;
}

// The two functions below write exactly what toLocaleString('en-US', …) writes, without Intl: the first use of
// Intl.NumberFormat in a page loads ICU's number data (~50 ms in a fresh webview, on the first render's path).

/** Digits with a comma every three from the right: "1234567" → "1,234,567". */
export function grouped(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A positive number as a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) writes it:
 *  ICU rounds the shortest decimal that reads back as the number (what String() gives) half away from zero, so
 *  1.005 → "1.01" where toFixed(2) gives "1.00". */
function fixed2(a: number): string {
  const s = String(a);
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }); // 1e21 and up
  const frac = (m[2] ?? '').padEnd(3, '0');
  let cents = `${m[1]}${frac.slice(0, 2)}`;
  if (frac[2] >= '5') cents = (BigInt(cents) + 1n).toString();
  return `${grouped(cents.slice(0, -2) || '0')}.${cents.slice(-2).padStart(2, '0')}`;
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
