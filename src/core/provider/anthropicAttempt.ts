// One Anthropic request's attempts as the SDK's retry loop makes them: counted by the client's `fetch` (called once
// per HTTP attempt), each failed response's wait before a retry announced, or refused when it is longer than the
// client waits (the SDK then does not retry). The request's counter rides in its fetchOptions under a symbol.
import type { RetryWait } from './api';
import { countingFetch } from './attemptFetch';
import { backoffCeilingMs, plannedRetry, withoutRetry, type PlannedRetry } from './retryWait';

export interface Attempt {
  attempts: number;
  /** Statuses of the failed attempts, in order (e.g. [429, 529]). */
  statuses: number[];
  /** The client's retry limits: how many retries, and the longest wait before one. */
  maxRetries: number;
  maxWaitMs: number;
  /** A wait before a retry that was refused for being longer than maxWaitMs (the SDK then did not retry). */
  refused: PlannedRetry | null;
  /** Called as an attempt starts and when its response head arrives (the stall watchdog follows these); after a
   *  failure, `resumeInMs` is how long the SDK waits before its retry (null: no retry comes). */
  onStart?(): void;
  onHead?(ok: boolean, resumeInMs: number | null): void;
  /** Told about each wait before a retry. */
  onWait?(w: RetryWait): void;
}

export const newAttempt = (maxRetries: number, maxWaitMs: number, onWait?: (w: RetryWait) => void): Attempt => ({
  attempts: 0,
  statuses: [],
  maxRetries,
  maxWaitMs,
  refused: null,
  onWait,
});

/** Where a request's attempt counter rides in its fetchOptions (a symbol: fetch itself ignores it). */
const ATTEMPT = Symbol('llm-router.attempt');

/** The per-request options that carry `a` to the client's fetch. */
export const attemptOptions = (a: Attempt) => ({ fetchOptions: { [ATTEMPT]: a } as object });

/** A failed response head: refuses a wait longer than the limit (no retry then), else announces the wait. */
function afterFailedHead(a: Attempt, res: Response): Response {
  a.statuses.push(res.status);
  const plan = plannedRetry(res, a.attempts, a.maxRetries);
  if (plan && plan.waitMs > a.maxWaitMs) {
    a.refused = plan;
    a.onHead?.(false, null);
    return withoutRetry(res);
  }
  if (plan) a.onWait?.({ waitMs: plan.waitMs, status: res.status, retry: a.attempts, maxRetries: a.maxRetries });
  a.onHead?.(false, plan ? plan.waitMs : null);
  return res;
}

/** The SDK's fetch: attempts counted, retry waits capped (afterFailedHead), a connection error's backoff announced. */
export const anthropicFetch = countingFetch<Attempt>(
  ATTEMPT,
  (a, res) => {
    if (!res.ok) return afterFailedHead(a, res);
    a.onHead?.(true, null);
    return res;
  },
  // a connection error is retried after the SDK's backoff while retries are left
  (a, _e, init) =>
    a.onHead?.(false, a.attempts <= a.maxRetries && !init?.signal?.aborted ? backoffCeilingMs(a.attempts) : null),
);
