// How the panel writes numbers and times. Pure; used by the webview and by the tests that read the panel back.
// Money and percentages are the ones every layer uses (src/core/format.ts).
import { formatUsd, grouped, pct as percent } from '../src/core/format';

/** Dollars, as everywhere: $1,234.56 from $1; $0.0523 from one cent; $0.000812 below a cent. */
export const usd = formatUsd;

/** Short axis label: $0, $0.05, $1.5, $120. */
export function usdTick(v: number): string {
  if (!Number.isFinite(v) || v === 0) return '$0';
  return `$${Number(Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(2))}`;
}

/** Parses what usd() wrote back into a number (for tests reading the panel). */
export function parseUsd(s: string): number {
  const m = /(-?)\$([\d,]+(?:\.\d+)?)/.exec(s);
  if (!m) return NaN;
  return (m[1] ? -1 : 1) * Number(m[2].replace(/,/g, ''));
}

/** The rounding step usd() used for a value: what a reader may compare with. */
export function usdStep(v: number): number {
  const a = Math.abs(v);
  return a >= 1 ? 0.005 : a >= 0.01 ? 0.00005 : 0.0000005;
}

/** A share, in the panel always with one decimal: "41.3%"; "—" when unknown. */
export const pct = (fraction: number | null): string => percent(fraction, 1);

export function int(n: number): string {
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) return n < 0 ? `-${grouped(String(-n))}` : grouped(String(n));
  return n.toLocaleString('en-US');
}

export function dateTime(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'never';
  const d = new Date(ms);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function ago(ms: number | null, now = Date.now()): string {
  if (ms === null || !Number.isFinite(ms)) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
