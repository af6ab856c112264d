// The wait before a retry, as @anthropic-ai/sdk 1.x will make it (BaseAnthropic.shouldRetry / retryRequest in its
// src/client.ts): whether a failed response is retried, and how long the SDK sleeps first (`retry-after-ms`, else
// `retry-after` in seconds or as a date, else exponential backoff 0.5 s → 8 s). The client uses it to refuse a wait
// longer than its limit (the response is handed to the SDK marked not retryable) and to tell the person about a wait.

/** The most the SDK's own backoff waits before retry number `retry` (1 = the first retry). */
export function backoffCeilingMs(retry: number): number {
  return Math.min(0.5 * 2 ** Math.max(0, retry - 1), 8) * 1000;
}

/** Whether the SDK retries a response with this status and headers (its retries left aside). */
export function sdkWouldRetry(status: number, headers: Headers): boolean {
  const h = headers.get('x-should-retry');
  if (h === 'true') return true;
  if (h === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The wait a server asked for in its headers, the way the SDK reads it; null when it asked for none usable. */
export function askedWaitMs(headers: Headers, now = Date.now()): number | null {
  let ms: number | undefined;
  const msHeader = headers.get('retry-after-ms');
  if (msHeader) {
    const v = parseFloat(msHeader);
    if (!Number.isNaN(v)) ms = v;
  }
  const sHeader = headers.get('retry-after');
  if (sHeader && !ms) {
    const v = parseFloat(sHeader);
    ms = Number.isNaN(v) ? Date.parse(sHeader) - now : v * 1000;
  }
  // the SDK falls back to its backoff for no header, a bad value, zero, a past date, or more than one timer can hold
  return ms !== undefined && ms > 0 && ms <= 2 ** 31 - 1 ? ms : null;
}

export interface PlannedRetry {
  /** How long the SDK will sleep (for its backoff: the most it can, jitter aside). */
  waitMs: number;
  /** True when the server asked for the wait (retry-after), false for the SDK's own backoff. */
  asked: boolean;
}

/** What the SDK will do after failed attempt number `attempt` (1-based) of at most `maxRetries` + 1; null: no retry. */
export function plannedRetry(
  res: Pick<Response, 'status' | 'headers'>,
  attempt: number,
  maxRetries: number,
): PlannedRetry | null {
  if (attempt > maxRetries || !sdkWouldRetry(res.status, res.headers)) return null;
  const asked = askedWaitMs(res.headers);
  return asked === null ? { waitMs: backoffCeilingMs(attempt), asked: false } : { waitMs: asked, asked: true };
}

/** The same response, marked so the SDK does not retry it (its body is still read for the error). */
export function withoutRetry(res: Response): Response {
  const headers = new Headers(res.headers);
  headers.set('x-should-retry', 'false');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
