// How the panel writes numbers and times. Pure; used by the webview and by the tests that read the panel back.

/** Dollars: $1,234.56 from $1; $0.0523 from one cent; $0.000812 below a cent. Never rounds a real cost to $0. */
export function usd(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'unpriced';
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  if (a === 0) return '$0.00';
  if (a >= 1) return `${sign}$${fixed2(a)}`;
  if (a >= 0.01) return `${sign}$${a.toFixed(4)}`;
  return `${sign}$${a.toFixed(6)}`;
}

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

export function pct(fraction: number | null): string {
  if (fraction === null || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(1)}%`;
}

export function int(n: number): string {
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) return n < 0 ? `-${grouped(String(-n))}` : grouped(String(n));
  return n.toLocaleString('en-US');
}

// The two functions below write exactly what toLocaleString('en-US', …) writes, without Intl: the first use of
// Intl.NumberFormat in a page loads ICU's number data (~50 ms in a fresh webview, on the first render's path).

/** Digits with a comma every three from the right: "1234567" → "1,234,567". */
function grouped(digits: string): string {
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
