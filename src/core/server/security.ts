// What keeps the local endpoint the user's own: a bearer token only the user can read (a 0600 file beside the
// database), compared in constant time; no browser page (an `Origin` header) and no other host name (DNS rebinding)
// may use it; a request rate limit. Pure Node: the CLI and the VS Code glue share it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

export const TOKEN_FILE = 'endpoint-token';
/** "llmr-" + 43 base64url characters (256 random bits). */
const TOKEN_SHAPE = /^llmr-[A-Za-z0-9_-]{43}$/;

/** A new random token. */
export function newToken(): string {
  return `llmr-${randomBytes(32).toString('base64url')}`;
}

/**
 * The endpoint's token, from `file` (made, readable only by the user, when missing or not a token). A file another
 * user could read is tightened to 0600 first. `rotate` makes a new one.
 */
export function ensureToken(
  file: string,
  opts: { rotate?: boolean } = {},
): { token: string; file: string; created: boolean } {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!opts.rotate) {
    try {
      const st = fs.statSync(file);
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      const t = fs.readFileSync(file, 'utf8').trim();
      if (TOKEN_SHAPE.test(t)) return { token: t, file, created: false };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(
          `cannot read the endpoint token file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
    }
  }
  const token = newToken();
  // Written to a temporary file made 0600 from the start, then renamed: never readable by others, never half-written.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600, flag: 'w' });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return { token, file, created: true };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when `given` is the token; the time taken does not depend on where they differ (or on their lengths). */
export function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  // Equal digests mean equal strings; comparing digests keeps the time independent of the lengths too.
  return timingSafeEqual(digest(given), digest(token));
}

/** The token a request carries: `Authorization: Bearer …` (OpenAI clients) or `x-api-key` (Anthropic clients). */
export function tokenOf(h: IncomingHttpHeaders): string | null {
  const auth = h.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const k = h['x-api-key'];
  if (typeof k === 'string' && k.trim()) return k.trim();
  return null;
}

export interface Refusal {
  status: number;
  /** Maps onto each API's error type. */
  kind: 'authentication' | 'permission' | 'rate_limit' | 'too_large' | 'invalid_request' | 'not_found';
  message: string;
  retryAfterS?: number;
}

/**
 * The host names a request may carry for a server bound to `host:port`: the bound address itself, and the loopback
 * names when bound to a loopback address. Anything else is a DNS-rebinding attempt (a web page's name resolving to
 * 127.0.0.1). Bound to every interface (0.0.0.0, ::), each of this machine's addresses is the bound address.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>();
  const add = (h: string) => names.add((h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`).toLowerCase());
  const bare = host.replace(/^\[|\]$/g, '');
  add(bare);
  const loopback = ['127.0.0.1', '::1', 'localhost'];
  if (loopback.includes(bare)) loopback.forEach(add);
  if (bare === '0.0.0.0' || bare === '::') {
    loopback.forEach(add);
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) add(a.address);
  }
  return names;
}

/** Why a request must be refused before anything else is read, or null: a browser Origin, a foreign Host, no or a wrong token. */
export function refuse(h: IncomingHttpHeaders, hosts: Set<string>, token: string): Refusal | null {
  // Browsers send Origin with every cross-site POST and Sec-Fetch-Site with every request; Node's fetch sends neither.
  if (h.origin !== undefined || h['sec-fetch-site'] !== undefined) {
    return {
      status: 403,
      kind: 'permission',
      message: 'Requests from a web page are refused: the LLM Router endpoint is for local programs only.',
    };
  }
  const host = (h.host ?? '').toLowerCase();
  if (!hosts.has(host)) {
    return {
      status: 403,
      kind: 'permission',
      message: `The Host header "${String(h.host ?? '').slice(0, 80)}" is not this endpoint's address: refused (DNS rebinding protection).`,
    };
  }
  const given = tokenOf(h);
  if (!tokenMatches(given, token)) {
    return {
      status: 401,
      kind: 'authentication',
      message:
        given === null
          ? 'No token: send the endpoint token as "Authorization: Bearer <token>" or "x-api-key: <token>" (`llm-router serve` prints it).'
          : 'The token is wrong: use the endpoint token `llm-router serve` printed (not your Anthropic key).',
    };
  }
  return null;
}

/** A token bucket: `perMinute` requests a minute on average, up to `burst` at once. */
export class RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly perMinute: number,
    private readonly burst = Math.max(1, Math.ceil(perMinute / 6)),
    private readonly now = () => Date.now(),
  ) {
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Takes one request; the seconds to wait when there is none left, else 0. */
  take(): number {
    if (!Number.isFinite(this.perMinute)) return 0;
    const t = this.now();
    const rate = this.perMinute / 60_000;
    this.tokens = Math.min(this.burst, this.tokens + (t - this.last) * rate);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / rate / 1000));
  }
}
