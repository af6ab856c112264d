// A circuit breaker and the health figures of one backend (an endpoint, or one model on an endpoint).
// Closed: calls go through. Open: calls fail at once, without a network call, for a cool-down. Then half-open: one
// probe goes through; its success closes the breaker, its failure opens it again for twice as long (capped).
// It opens on `failureThreshold` failures in a row, or when at least `minCalls` of the last `window` calls include a
// share of failures of `failureRate` or more. A 429's retry-after lengthens the cool-down to what the server asked.

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Failures in a row that open the breaker (default 5). */
  failureThreshold: number;
  /** Share of failures among the last `window` calls that opens it (default 0.5) … */
  failureRate: number;
  /** … over this many calls (default 20) … */
  window: number;
  /** … once at least this many are known (default 10). */
  minCalls: number;
  /** First cool-down (default 30 s); doubled after a failed probe, up to `maxCooldownMs` (default 5 min). */
  cooldownMs: number;
  maxCooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = {
  failureThreshold: 5,
  failureRate: 0.5,
  window: 20,
  minCalls: 10,
  cooldownMs: 30_000,
  maxCooldownMs: 300_000,
};

export type Admission = { ok: true; probe: boolean } | { ok: false; retryInMs: number; why: string };

/** What `stats` and the panel show of one backend. */
export interface BackendHealth {
  /** "openrouter", "openrouter/gpt-4o-mini", "anthropic/claude-haiku-4-5". */
  id: string;
  endpoint: string;
  /** null for the endpoint as a whole. */
  model: string | null;
  state: BreakerState;
  calls: number;
  failures: number;
  /** Share of failures among the recent calls (the breaker's window); null before any call. */
  errorRate: number | null;
  consecutiveFailures: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p50TtftMs: number | null;
  /** When open: ms until the probe may go. */
  retryInMs: number | null;
  /** The last failure, in words (already free of keys: a ProviderError message). */
  lastError: string | null;
  updatedAt: number;
}

const LATENCIES = 50;

function quantile(xs: readonly number[], q: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]);
}

export class CircuitBreaker {
  private st: BreakerState = 'closed';
  private openUntil = 0;
  private cooldown: number;
  private probing = false;
  private recent: boolean[] = []; // true = failure
  private latencies: number[] = [];
  private ttfts: number[] = [];
  private calls = 0;
  private failures = 0;
  private consecutive = 0;
  private lastError: string | null = null;
  private updatedAt = 0;

  constructor(
    readonly id: string,
    readonly endpoint: string,
    readonly model: string | null,
    private readonly o: BreakerOptions = DEFAULT_BREAKER,
  ) {
    this.cooldown = o.cooldownMs;
  }

  get state(): BreakerState {
    return this.st;
  }

  /** May a call go now? In half-open only one (the probe) goes until it ends. */
  admit(now: number): Admission {
    if (this.st === 'open' && now >= this.openUntil) {
      this.st = 'half-open';
      this.probing = false;
    }
    if (this.st === 'closed') return { ok: true, probe: false };
    if (this.st === 'half-open' && !this.probing) {
      this.probing = true;
      return { ok: true, probe: true };
    }
    const retryInMs = this.st === 'open' ? this.openUntil - now : this.cooldown;
    return {
      ok: false,
      retryInMs: Math.max(0, retryInMs),
      why: this.st === 'open' ? this.openReason() : 'a probe is under way',
    };
  }

  /** A call admitted as a probe ended without a verdict (cancelled): the next call may probe. */
  release(): void {
    this.probing = false;
  }

  success(now: number, latencyMs: number, ttftMs: number | null): void {
    this.calls++;
    this.consecutive = 0;
    this.push(false);
    this.latencies.push(latencyMs);
    if (this.latencies.length > LATENCIES) this.latencies.shift();
    if (ttftMs !== null) {
      this.ttfts.push(ttftMs);
      if (this.ttfts.length > LATENCIES) this.ttfts.shift();
    }
    if (this.st !== 'closed') {
      this.st = 'closed';
      this.cooldown = this.o.cooldownMs;
      this.recent = [];
    }
    this.probing = false;
    this.updatedAt = now;
  }

  failure(now: number, message: string, retryAfterMs: number | null = null): void {
    this.calls++;
    this.failures++;
    this.consecutive++;
    this.push(true);
    this.lastError = message.slice(0, 300);
    this.updatedAt = now;
    const wasProbe = this.st === 'half-open';
    this.probing = false;
    if (wasProbe) this.cooldown = Math.min(this.o.maxCooldownMs, this.cooldown * 2);
    if (wasProbe || this.tripped()) this.open(now, retryAfterMs);
  }

  health(now: number): BackendHealth {
    if (this.st === 'open' && now >= this.openUntil) {
      this.st = 'half-open';
      this.probing = false;
    }
    return {
      id: this.id,
      endpoint: this.endpoint,
      model: this.model,
      state: this.st,
      calls: this.calls,
      failures: this.failures,
      errorRate: this.recent.length ? this.recent.filter(Boolean).length / this.recent.length : null,
      consecutiveFailures: this.consecutive,
      p50LatencyMs: quantile(this.latencies, 0.5),
      p95LatencyMs: quantile(this.latencies, 0.95),
      p50TtftMs: quantile(this.ttfts, 0.5),
      retryInMs: this.st === 'open' ? Math.max(0, this.openUntil - now) : null,
      lastError: this.lastError,
      updatedAt: this.updatedAt,
    };
  }

  private push(failed: boolean): void {
    this.recent.push(failed);
    if (this.recent.length > this.o.window) this.recent.shift();
  }

  private tripped(): boolean {
    if (this.consecutive >= this.o.failureThreshold) return true;
    if (this.recent.length < this.o.minCalls) return false;
    return this.recent.filter(Boolean).length / this.recent.length >= this.o.failureRate;
  }

  private open(now: number, retryAfterMs: number | null): void {
    this.st = 'open';
    this.openUntil = now + Math.max(this.cooldown, Math.min(this.o.maxCooldownMs, retryAfterMs ?? 0));
  }

  private openReason(): string {
    const rate = this.recent.length ? Math.round((100 * this.recent.filter(Boolean).length) / this.recent.length) : 0;
    return this.consecutive >= this.o.failureThreshold
      ? `${this.consecutive} failures in a row`
      : `${rate}% of the last ${this.recent.length} calls failed`;
  }
}
