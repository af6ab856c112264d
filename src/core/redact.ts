// Key redaction for every text that leaves the process or is kept (errors, logs, CLI stderr, the database's error
// column). Not only the exact key: a server may echo it changed (upper-cased, cut short), and a message may carry
// another provider's key. Anything shaped like a key is replaced, whichever key it is.

export const REDACTED = '[redacted]';

// Provider prefixes, case-insensitive (an upper-cased echo of a key is still a key): Anthropic sk-ant-…, OpenAI
// sk-… / sk-proj-…, GitHub ghp_ / gho_ / ghu_ / ghs_ / ghr_ / github_pat_.
const PREFIXED = /(?<![A-Za-z0-9])(?:sk-(?:ant-|proj-)?|gh[pousr]_|github_pat_)[A-Za-z0-9_-]{8,}/gi;
// The user:password part of a URL (a proxy in the base URL).
const URL_CREDENTIALS = /\/\/[^/\s@]+@/g;
// Any other long token made of key characters: judged by its mix of characters below.
const LONG_TOKEN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}/g;

/** True for a token that looks random (a key, a secret) rather than words, a date or a hex id (decision ids are
 *  hex): upper case, lower case and digits mixed, with a high entropy. */
function looksSecret(token: string): boolean {
  if (![/[a-z]/, /[A-Z]/, /[0-9]/].every((r) => r.test(token))) return false;
  // Shannon entropy per character: English words and repeated characters stay well below 4 bits.
  const counts = new Map<string, number>();
  for (const c of token) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / token.length;
    h -= p * Math.log2(p);
  }
  return h >= 3.5;
}

/** Near copies of a known secret that a server may echo: the secret itself and the secret cut by one to four
 *  characters at either end, matched case-insensitively. */
function nearCopies(secret: string): RegExp | null {
  if (secret.length < 12) return null;
  const core = secret.slice(4, -4);
  const esc = core.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`[A-Za-z0-9_-]{0,4}${esc}[A-Za-z0-9_-]{0,4}`, 'gi');
}

/** The text with every key-like token (and any near copy of the given secrets) replaced by [redacted]. */
export function redactSecrets(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const s of secrets) {
    const re = nearCopies(s);
    if (re) out = out.replace(re, REDACTED);
    else if (s.length >= 4) out = out.split(s).join(REDACTED);
  }
  return out
    .replace(PREFIXED, REDACTED)
    .replace(URL_CREDENTIALS, '//')
    .replace(LONG_TOKEN, (t) => (looksSecret(t) ? REDACTED : t));
}
