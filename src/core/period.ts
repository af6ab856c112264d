// One meaning for a period, wherever a person names one: the cost panel's "Today / 7 days / 30 days / All" and the
// CLI's --since. Days are calendar days in local time: "7d" is today and the 6 days before, from local midnight
// (so the panel's daily bars and the CLI's totals cover the same days); hours are a rolling window.

/** The words --since takes, for help texts and messages. */
export const SINCE_HELP =
  'period: today, 7d (today and the 6 days before, from local midnight, as the panel\'s "7 days"), 30d, 2w, month, 24h (the last 24 hours), all, or a date (YYYY-MM-DD)';

/** Local midnight `days - 1` days before the day of `now`: the start of "the last `days` days" (1 = today). */
export function daysBackStart(days: number, now: number): number {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - (days - 1)).getTime();
}

/** "today", "7d", "2w", "24h", "month", "all" or a date "2026-11-01" → the period's start in ms (undefined: all). */
export function parseSince(v: string | undefined, now = Date.now()): number | undefined {
  const s = (v ?? 'all').trim().toLowerCase();
  if (s === 'all') return undefined;
  if (s === 'today') return daysBackStart(1, now);
  if (s === 'month') {
    const d = new Date(now);
    return new Date(d.getFullYear(), d.getMonth(), 1).getTime();
  }
  const days = /^(\d+)\s*([dw])$/.exec(s);
  if (days && Number(days[1]) >= 1) return daysBackStart(Number(days[1]) * (days[2] === 'w' ? 7 : 1), now);
  const hours = /^(\d+(?:\.\d+)?)\s*h$/.exec(s);
  if (hours) return now - Number(hours[1]) * 3_600_000;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const [y, mo, d] = s.split('-').map(Number);
    const t = new Date(y, mo - 1, d);
    if (t.getFullYear() === y && t.getMonth() === mo - 1 && t.getDate() === d) return t.getTime();
  }
  throw new Error(`--since: expected today, 7d, 2w, 24h, month, all or a date like 2026-11-01, got "${v}"`);
}
