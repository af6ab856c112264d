// Small pieces both SDK clients' error messages are made of: a URL fit to show, a duration in words, the innermost
// cause of a failure, and whether a failure broke off an answer already under way.
import type { Usage } from '../types';

/** A URL fit for a message: no user:password part, no query, no trailing slash. */
export function displayUrl(u: string): string {
  try {
    const x = new URL(u);
    x.username = '';
    x.password = '';
    x.search = '';
    return x.toString().replace(/\/+$/, '');
  } catch {
    return u.replace(/\/\/[^/@]*@/, '//').replace(/\/+$/, '');
  }
}

export function fmtS(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/** The innermost cause of an error, in a few words ("ECONNREFUSED", "terminated"). */
export function causeOf(e: unknown): string {
  let cur: unknown = e;
  let last = '';
  for (let i = 0; i < 6 && cur && typeof cur === 'object'; i++) {
    const o = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof o.code === 'string') return o.code;
    if (typeof o.message === 'string' && o.message) last = o.message;
    cur = o.cause;
  }
  return (last || String(e)).slice(0, 160);
}

/** Whether a failure that is no API error (its innermost cause `detail`) cut off an answer under way: a request was
 *  sent, and usage or text had arrived, or the cause says the socket closed halfway. */
export function cutMidAnswer(attempts: number, usage: Usage | null, text: string, detail: string): boolean {
  return attempts > 0 && !!(usage || text || /terminated|socket|ECONNRESET|closed|premature|ended/i.test(detail));
}
