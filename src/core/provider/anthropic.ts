// The model client on the official Anthropic SDK: streams an answer, counts attempts, watches for stalls, stops at
// once on cancel, and turns every failure into a ProviderError a user understands (with the fix, never the key).
//
// Retries: the SDK retries 429, 408, 409 and 5xx (529 included) and connection errors `maxRetries` times, waiting what
// the `retry-after-ms` / `retry-after` header says (else exponential backoff 0.5 s → 8 s with jitter); see
// BaseAnthropic.shouldRetry / retryRequest in @anthropic-ai/sdk src/client.ts. Attempts are counted by the client's
// `fetch` (called once per HTTP attempt inside the SDK's retry loop), which finds the request's own counter in the
// per-request fetchOptions under a symbol (./anthropicAttempt.ts). (A per-request middleware would do too, but costs ~0.1 ms more per request:
// the SDK rebuilds headers for the middleware chain; TTFT overhead must stay ≤ 2 %.)
import { ZERO_USAGE } from '../pricing';
import { redactSecrets } from '../redact';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import type { Usage } from '../types';
import { ProviderError } from './api';
import type { AnthropicClientOptions, ChatRequest, ChatResult, ModelClient, OnText, OnToolCall } from './api';
import { anthropicParams, ToolCallCollector, worthCaching } from './anthropicRequest';
export { CACHE_MIN_TOKENS, toAnthropicMessages } from './anthropicRequest';
import { stallWatchdog } from './watchdog';
import { anthropicFetch, attemptOptions, newAttempt } from './anthropicAttempt';
import { SET_KEY_FIX, toAnthropicError, type ClientLimits, type Failure, type Why } from './anthropicErrors';
export { SET_KEY_FIX };
import { toUsage } from './anthropicUsage';
import { displayUrl } from './errorDetail';

const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** The longest wait before a retry unless the client is told otherwise (llmRouter.maxRetryWaitSeconds). */
export const DEFAULT_MAX_RETRY_WAIT_MS = 30_000;

/** One streamed answer as it arrives: its text, tool calls and usage so far, and why it was stopped early. */
interface Run {
  t0: number;
  text: string;
  calls: ToolCallCollector;
  ttftMs: number | null;
  usage: Usage | null;
  why: Why;
  callbackError: unknown;
  abort(): void;
}

/** Hands `x` to the caller's callback; one that throws stops the stream, and its error is what the caller gets. */
function callBack<T>(run: Run, fn: (x: T) => void, x: T): void {
  try {
    fn(x);
  } catch (e) {
    run.callbackError ??= e;
    run.why ??= 'cancelled';
    run.abort();
  }
}

/** Folds one stream event into the run, handing text and finished tool calls to the callbacks. */
function onEvent(run: Run, ev: MessageStreamEvent, onText?: OnText, onToolCall?: OnToolCall): void {
  switch (ev.type) {
    case 'message_start':
      run.usage = toUsage(ev.message.usage);
      break;
    case 'content_block_start':
      run.calls.start(ev.index, ev.content_block);
      break;
    case 'content_block_stop': {
      const call = run.calls.stop(ev.index);
      if (call && onToolCall) callBack(run, onToolCall, call);
      break;
    }
    case 'content_block_delta':
      if (ev.delta.type === 'input_json_delta') run.calls.delta(ev.index, ev.delta.partial_json);
      else if (ev.delta.type === 'text_delta') {
        const delta = ev.delta.text;
        if (run.ttftMs === null) run.ttftMs = performance.now() - run.t0;
        run.text += delta;
        if (onText) callBack(run, onText, delta);
      }
      break;
    case 'message_delta':
      run.usage = toUsage(ev.usage, run.usage ?? ZERO_USAGE);
      break;
  }
}

export class AnthropicClient implements ModelClient {
  private readonly sdk: Anthropic;
  private readonly maxRetries: number;
  /** What messages name; its `scrub` keeps the key out of a message, whatever the server echoes. */
  private readonly limits: ClientLimits;

  constructor(opts: AnthropicClientOptions) {
    if (!opts.apiKey || !opts.apiKey.trim()) {
      throw new ProviderError('auth', `No Anthropic API key. ${SET_KEY_FIX}`);
    }
    // No base URL: the SDK's own default (ANTHROPIC_BASE_URL from the environment, else api.anthropic.com).
    this.maxRetries = opts.maxRetries ?? 2;
    const timeoutMs = opts.timeoutMs ?? 600_000;
    const key = opts.apiKey;
    this.sdk = new Anthropic({
      apiKey: key,
      ...(opts.baseURL ? { baseURL: opts.baseURL.replace(/\/+$/, '') } : {}),
      maxRetries: this.maxRetries,
      timeout: timeoutMs,
      fetch: anthropicFetch,
      logLevel: 'off', // our own log says what happened; the SDK's would go to the console
    });
    this.limits = {
      baseURL: displayUrl(this.sdk.baseURL || DEFAULT_BASE_URL),
      idleTimeoutMs: opts.idleTimeoutMs ?? 60_000,
      timeoutMs,
      maxRetryWaitMs: Math.max(0, opts.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS),
      // never the key, and never the user:password part of a URL (a proxy in the base URL)
      scrub: (s) => redactSecrets(s, [key]),
    };
  }

  async stream(req: ChatRequest, onText?: OnText, onToolCall?: OnToolCall): Promise<ChatResult> {
    const t0 = performance.now();
    const attempt = newAttempt(this.maxRetries, this.limits.maxRetryWaitMs, req.onRetryWait);
    let ms: ReturnType<Anthropic['messages']['stream']> | null = null;
    const run: Run = {
      t0,
      text: '',
      calls: new ToolCallCollector(),
      ttftMs: null,
      usage: null,
      why: null,
      callbackError: null,
      abort: () => ms?.abort(),
    };
    if (req.signal?.aborted)
      throw new ProviderError('cancelled', 'Cancelled before the request was sent.', null, null, '');

    const dog = stallWatchdog(this.limits.idleTimeoutMs, () => {
      run.why ??= 'timeout';
      ms?.abort();
    });
    attempt.onStart = () => dog.watch(); // waiting for the response head counts as idle too
    attempt.onHead = (ok, resumeInMs) => {
      if (ok) dog.watch();
      else if (resumeInMs !== null) dog.watch(resumeInMs);
      else dog.unwatch();
    };
    const onAbort = () => {
      run.why ??= 'cancelled';
      ms?.abort();
    };

    try {
      ms = this.sdk.messages.stream(
        { ...anthropicParams(req, worthCaching(req)), max_tokens: req.maxTokens },
        attemptOptions(attempt),
      );
      req.signal?.addEventListener('abort', onAbort, { once: true });
      ms.on('streamEvent', (ev: MessageStreamEvent) => {
        dog.touch();
        onEvent(run, ev, onText, onToolCall);
      });
      if (req.signal?.aborted) onAbort();
      const final = await ms.finalMessage();
      if (run.callbackError) throw run.callbackError;
      return {
        text: run.text,
        usage: toUsage(final.usage),
        stopReason: final.stop_reason ?? null,
        model: final.model,
        ttftMs: run.ttftMs,
        latencyMs: performance.now() - t0,
        attempts: Math.max(1, attempt.attempts),
        toolCalls: run.calls.done,
      };
    } catch (e) {
      if (run.callbackError) throw run.callbackError;
      throw this.toProviderError(e, { model: req.model, why: run.why, attempt, usage: run.usage, text: run.text });
    } finally {
      dog.unwatch();
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  async countTokens(req: Omit<ChatRequest, 'maxTokens' | 'signal'>): Promise<number> {
    const attempt = newAttempt(this.maxRetries, this.limits.maxRetryWaitMs);
    try {
      const r = await this.sdk.messages.countTokens(anthropicParams(req, false), attemptOptions(attempt));
      return r.input_tokens;
    } catch (e) {
      throw this.toProviderError(e, { model: req.model, why: null, attempt, usage: null, text: '' });
    }
  }

  private toProviderError(e: unknown, c: Failure): ProviderError {
    return toAnthropicError(e, this.limits, c);
  }
}
