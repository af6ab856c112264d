// The model client on the official Anthropic SDK: streams an answer, counts attempts, watches for stalls, stops at
// once on cancel, and turns every failure into a ProviderError a user understands (with the fix, never the key).
//
// Retries: the SDK retries 429, 408, 409 and 5xx (529 included) and connection errors `maxRetries` times, waiting what
// the `retry-after-ms` / `retry-after` header says (else exponential backoff 0.5 s → 8 s with jitter); see
// BaseAnthropic.shouldRetry / retryRequest in @anthropic-ai/sdk src/client.ts. Attempts are counted by the client's
// `fetch` (called once per HTTP attempt inside the SDK's retry loop), which finds the request's own counter in the
// per-request fetchOptions under a symbol. (A per-request middleware would do too, but costs ~0.1 ms more per request:
// the SDK rebuilds headers for the middleware chain; TTFT overhead must stay ≤ 2 %.)
import { formatDuration } from '../format';
import { ZERO_USAGE } from '../pricing';
import { redactSecrets } from '../redact';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import type { Usage } from '../types';
import { ProviderError } from './api';
import type {
  AnthropicClientOptions,
  ChatRequest,
  ChatResult,
  ModelClient,
  ProviderErrorKind,
  RetryWait,
  ToolCall,
} from './api';
import { anthropicParams, ToolCallCollector, worthCaching } from './anthropicRequest';
export { CACHE_MIN_TOKENS, toAnthropicMessages } from './anthropicRequest';
import { stallWatchdog } from './watchdog';
import { backoffCeilingMs, plannedRetry, withoutRetry, type PlannedRetry } from './retryWait';
import { countingFetch } from './attemptFetch';

const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** The longest wait before a retry unless the client is told otherwise (llmRouter.maxRetryWaitSeconds). */
export const DEFAULT_MAX_RETRY_WAIT_MS = 30_000;
export const SET_KEY_FIX = 'Set a valid key with “LLM Router: Set API Key” or ANTHROPIC_API_KEY.';

type Why = 'cancelled' | 'timeout' | null;

interface Attempt {
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

const newAttempt = (maxRetries: number, maxWaitMs: number, onWait?: (w: RetryWait) => void): Attempt => ({
  attempts: 0,
  statuses: [],
  maxRetries,
  maxWaitMs,
  refused: null,
  onWait,
});

/** Where a request's attempt counter rides in its fetchOptions (a symbol: fetch itself ignores it). */
const ATTEMPT = Symbol('llm-router.attempt');

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
const anthropicFetch = countingFetch<Attempt>(
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

export class AnthropicClient implements ModelClient {
  private readonly sdk: Anthropic;
  private readonly baseURL: string;
  private readonly idleTimeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryWaitMs: number;
  private readonly timeoutMs: number;
  /** For scrubbing: a message must never carry the key, whatever the server echoes. */
  private readonly scrub: (s: string) => string;

  constructor(opts: AnthropicClientOptions) {
    if (!opts.apiKey || !opts.apiKey.trim()) {
      throw new ProviderError('auth', `No Anthropic API key. ${SET_KEY_FIX}`);
    }
    // No base URL: the SDK's own default (ANTHROPIC_BASE_URL from the environment, else api.anthropic.com).
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
    this.maxRetries = opts.maxRetries ?? 2;
    this.maxRetryWaitMs = Math.max(0, opts.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS);
    this.timeoutMs = opts.timeoutMs ?? 600_000;
    const key = opts.apiKey;
    // never the key, and never the user:password part of a URL (a proxy in the base URL)
    this.scrub = (s) => redactSecrets(s, [key]);
    this.sdk = new Anthropic({
      apiKey: key,
      ...(opts.baseURL ? { baseURL: opts.baseURL.replace(/\/+$/, '') } : {}),
      maxRetries: this.maxRetries,
      timeout: this.timeoutMs,
      fetch: anthropicFetch,
      logLevel: 'off', // our own log says what happened; the SDK's would go to the console
    });
    this.baseURL = displayUrl(this.sdk.baseURL || DEFAULT_BASE_URL);
  }

  async stream(
    req: ChatRequest,
    onText?: (delta: string) => void,
    onToolCall?: (call: ToolCall) => void,
  ): Promise<ChatResult> {
    const t0 = performance.now();
    const attempt = newAttempt(this.maxRetries, this.maxRetryWaitMs, req.onRetryWait);
    let text = '';
    const calls = new ToolCallCollector();
    let ttftMs: number | null = null;
    let usage: Usage | null = null;
    let why: Why = null;
    let callbackError: unknown = null;
    if (req.signal?.aborted)
      throw new ProviderError('cancelled', 'Cancelled before the request was sent.', null, null, '');

    let ms: ReturnType<Anthropic['messages']['stream']> | null = null;
    const dog = stallWatchdog(this.idleTimeoutMs, () => {
      why ??= 'timeout';
      ms?.abort();
    });
    attempt.onStart = () => dog.watch(); // waiting for the response head counts as idle too
    attempt.onHead = (ok, resumeInMs) => {
      if (ok) dog.watch();
      else if (resumeInMs !== null) dog.watch(resumeInMs);
      else dog.unwatch();
    };
    const onAbort = () => {
      why ??= 'cancelled';
      ms?.abort();
    };

    try {
      ms = this.sdk.messages.stream(
        { ...anthropicParams(req, worthCaching(req)), max_tokens: req.maxTokens },
        { fetchOptions: { [ATTEMPT]: attempt } as object },
      );
      req.signal?.addEventListener('abort', onAbort, { once: true });
      ms.on('streamEvent', (ev: MessageStreamEvent) => {
        dog.touch();
        switch (ev.type) {
          case 'message_start':
            usage = toUsage(ev.message.usage);
            break;
          case 'content_block_start':
            calls.start(ev.index, ev.content_block);
            break;
          case 'content_block_stop': {
            const call = calls.stop(ev.index);
            if (call && onToolCall) {
              try {
                onToolCall(call);
              } catch (e) {
                callbackError ??= e;
                why ??= 'cancelled';
                ms?.abort();
              }
            }
            break;
          }
          case 'content_block_delta':
            if (ev.delta.type === 'input_json_delta') calls.delta(ev.index, ev.delta.partial_json);
            else if (ev.delta.type === 'text_delta') {
              if (ttftMs === null) ttftMs = performance.now() - t0;
              text += ev.delta.text;
              if (onText) {
                try {
                  onText(ev.delta.text);
                } catch (e) {
                  callbackError ??= e;
                  why ??= 'cancelled';
                  ms?.abort();
                }
              }
            }
            break;
          case 'message_delta':
            usage = toUsage(ev.usage, usage ?? ZERO_USAGE);
            break;
        }
      });
      if (req.signal?.aborted) onAbort();
      const final = await ms.finalMessage();
      if (callbackError) throw callbackError;
      return {
        text,
        usage: toUsage(final.usage),
        stopReason: final.stop_reason ?? null,
        model: final.model,
        ttftMs,
        latencyMs: performance.now() - t0,
        attempts: Math.max(1, attempt.attempts),
        toolCalls: calls.done,
      };
    } catch (e) {
      if (callbackError) throw callbackError;
      throw this.toProviderError(e, { model: req.model, why, attempt, usage, text });
    } finally {
      dog.unwatch();
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  async countTokens(req: Omit<ChatRequest, 'maxTokens' | 'signal'>): Promise<number> {
    const attempt = newAttempt(this.maxRetries, this.maxRetryWaitMs);
    try {
      const r = await this.sdk.messages.countTokens(anthropicParams(req, false), {
        fetchOptions: { [ATTEMPT]: attempt } as object,
      });
      return r.input_tokens;
    } catch (e) {
      throw this.toProviderError(e, { model: req.model, why: null, attempt, usage: null, text: '' });
    }
  }

  private toProviderError(
    e: unknown,
    c: { model: string; why: Why; attempt: Attempt; usage: Usage | null; text: string },
  ): ProviderError {
    const refused = c.attempt.refused;
    const mk = (kind: ProviderErrorKind, message: string, status: number | null = null) =>
      new ProviderError(kind, this.scrub(message), status, c.usage, c.text, refused?.waitMs ?? null);
    const noWait = refused
      ? ` ${refused.asked ? 'It asked to wait' : 'A retry would wait'} ${formatDuration(refused.waitMs)}, longer than the ${formatDuration(this.maxRetryWaitMs)} LLM Router waits (llmRouter.maxRetryWaitSeconds), so it did not retry.`
      : '';
    const tries = c.attempt.attempts > 1 ? ` after ${c.attempt.attempts} attempts` : '';
    const kept = c.text ? ' The partial answer is kept.' : '';
    if (c.why === 'cancelled') return mk('cancelled', 'Cancelled.');
    if (c.why === 'timeout') {
      return mk(
        'timeout',
        `${c.model} sent nothing for ${fmtS(this.idleTimeoutMs)}, so the stalled request was stopped.${kept} Try again; if it keeps happening, check your network and the base URL setting (llmRouter.baseUrl).`,
      );
    }
    if (e instanceof Anthropic.APIUserAbortError) return mk('cancelled', 'Cancelled.');
    if (e instanceof Anthropic.APIConnectionTimeoutError) {
      return mk(
        'timeout',
        `The request to ${this.baseURL} timed out${tries} (limit ${fmtS(this.timeoutMs)}).${kept} Try again; if it keeps happening, check your network and the base URL setting (llmRouter.baseUrl).`,
      );
    }
    if (e instanceof Anthropic.APIConnectionError) {
      return mk(
        'network',
        `Can't reach the Anthropic API at ${this.baseURL}${tries} (${causeOf(e)}). Check your network connection, the base URL setting (llmRouter.baseUrl) and any proxy.`,
      );
    }
    if (e instanceof Anthropic.APIError) {
      const body = e.error as { error?: { type?: string; message?: string } } | undefined;
      const apiType = body?.error?.type ?? (e as { type?: string }).type ?? '';
      const apiMsg = String(body?.error?.message ?? '').slice(0, 300);
      const status = typeof e.status === 'number' ? e.status : null;
      const inStream = status === null; // an SSE `error` event after a 200
      const code =
        status ??
        (apiType === 'overloaded_error'
          ? 529
          : apiType === 'rate_limit_error'
            ? 429
            : apiType === 'api_error'
              ? 500
              : null);
      const during = inStream ? ' during the answer' : '';
      switch (code) {
        case 401:
          return mk('auth', `Anthropic rejected the API key (401). ${SET_KEY_FIX}`, status);
        case 403:
          return mk(
            'auth',
            `Anthropic refused this API key access to ${c.model} (403). Use a key from a workspace that may use this model (set it with “LLM Router: Set API Key”), or pick another tier.`,
            status,
          );
        case 404:
          return mk(
            'not-found',
            `Anthropic doesn't know the model “${c.model}” (404). Check the tier's model id in the llmRouter.tiers setting (for example claude-sonnet-4-6).`,
            status,
          );
        case 413:
          return mk(
            'bad-request',
            `The request is too large for the API (413). Shorten the prompt or start a new chat.`,
            status,
          );
        case 429:
          return mk(
            'rate-limit',
            `Anthropic's rate limit was hit for ${c.model} (429)${during}${tries}.${noWait}${kept} Wait a minute and try again, or ask for a higher rate limit in the Anthropic console.`,
            status,
          );
        case 529:
          return mk(
            'overloaded',
            `${c.model} is overloaded at Anthropic (529)${during}${tries}.${noWait}${kept} Try again in a moment or use another tier.`,
            status,
          );
        default:
          if (code !== null && code >= 500) {
            return mk(
              'server',
              `Anthropic had a server error (${code})${during}${tries}.${noWait}${kept} Try again in a moment; status.anthropic.com shows incidents.`,
              status,
            );
          }
          if (/prompt is too long/i.test(apiMsg)) {
            return mk(
              'bad-request',
              `The conversation is too long for ${c.model} (400: ${apiMsg}). Shorten the prompt or start a new chat.`,
              status,
            );
          }
          if (code === 400) {
            return mk(
              'bad-request',
              `Anthropic rejected the request as invalid (400: ${apiMsg || 'no reason given'}). Check the tier's model id and max output tokens settings; if it persists, start a new chat.`,
              status,
            );
          }
          return mk(
            'server',
            `Anthropic answered with an error${status ? ` (${status})` : ''}${during}: ${apiMsg || apiType || 'unknown'}.${kept} Try again.`,
            status,
          );
      }
    }
    // A body that broke off (socket closed halfway) surfaces as a plain AnthropicError/TypeError from the SSE reader.
    const detail = causeOf(e);
    if (
      c.attempt.attempts > 0 &&
      (c.usage || c.text || /terminated|socket|ECONNRESET|closed|premature|ended/i.test(detail))
    ) {
      return mk(
        'network',
        `The connection to ${this.baseURL} was cut in the middle of the answer (${detail}).${kept} Try again.`,
      );
    }
    return mk(
      'network',
      `The request to ${this.baseURL} failed (${detail}). Check your network connection, the base URL setting (llmRouter.baseUrl) and any proxy.`,
    );
  }
}

/** The API's usage counts (any of them may be missing or null in a delta) as ours; a missing count keeps `prev`'s. */
function toUsage(
  u: {
    input_tokens?: number | null;
    output_tokens?: number | null;
    cache_creation_input_tokens?: number | null;
    cache_read_input_tokens?: number | null;
    cache_creation?: { ephemeral_1h_input_tokens?: number | null } | null;
  },
  prev: Usage = ZERO_USAGE,
): Usage {
  // 1-hour cache writes are kept apart: they cost 2 × input, 5-minute ones 1.25 ×
  const w1h = u.cache_creation?.ephemeral_1h_input_tokens ?? prev.cacheWrite1hTokens ?? 0;
  return {
    inputTokens: u.input_tokens ?? prev.inputTokens,
    outputTokens: u.output_tokens ?? prev.outputTokens,
    cacheWriteTokens: u.cache_creation_input_tokens ?? prev.cacheWriteTokens,
    cacheReadTokens: u.cache_read_input_tokens ?? prev.cacheReadTokens,
    ...(w1h ? { cacheWrite1hTokens: w1h } : {}),
  };
}

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
