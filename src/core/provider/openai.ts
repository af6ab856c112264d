// The model client for OpenAI-compatible endpoints (OpenAI, OpenRouter, a LiteLLM proxy, Ollama, vLLM, Azure OpenAI)
// on the official `openai` SDK: Chat Completions streamed, tool calls assembled from their deltas, usage with cached
// tokens, the endpoint's own cost when it reports one, stalls caught, and every failure a ProviderError in words
// (never the key).
//
// Retries are the SDK's (429, 408, 409, 5xx and connection errors, `maxRetries` times, honouring `retry-after-ms` /
// `retry-after`); attempts are counted by the client's `fetch` as in ./anthropic.ts.
import OpenAI from 'openai';
import { estimateTokens } from '../pricing';
import { redactSecrets } from '../redact';
import { ProviderError } from './api';
import type { ChatRequest, ChatResult, ModelClient, OnText, OnToolCall } from './api';
import { countingFetch } from './attemptFetch';
import { displayUrl } from './errorDetail';
import { envKeyName } from './keys';
import { endpointKeyFix, toOpenAIError, type EndpointLimits, type Failure, type Why } from './openaiErrors';
import { toOpenAIBody, toOpenAIMessages } from './openaiRequest';
import { finishTools, newStreamState, readChunk, reportedCost, streamResult } from './openaiStream';
import { stallWatchdog } from './watchdog';

export { endpointKeyFix, envKeyName, toOpenAIMessages };

export interface OpenAIClientOptions {
  /** The endpoint's name as the user defined it ("openrouter", "ollama"): named in every message. */
  endpoint: string;
  baseURL: string;
  /** Empty for endpoints that need none (a local Ollama or vLLM). */
  apiKey?: string;
  /** The name the key is kept under (named in the fix when it is rejected); default the endpoint's name. */
  keyName?: string;
  /** Retries on 429/5xx, honouring retry-after (default 2). */
  maxRetries?: number;
  /** Request timeout in ms (default 600000). */
  timeoutMs?: number;
  /** A stream that sends nothing for this long is treated as stalled (default 60000). */
  idleTimeoutMs?: number;
  /** Extra headers sent with every request (OpenRouter's HTTP-Referer / X-Title). Never a key. */
  headers?: Record<string, string>;
}

interface Attempt {
  attempts: number;
  onStart?(): void;
  onHead?(ok: boolean): void;
}
const ATTEMPT = Symbol('llm-router.openai-attempt');
const openaiFetch = countingFetch<Attempt>(
  ATTEMPT,
  (a, res) => {
    a.onHead?.(res.ok);
    return res;
  },
  (a) => a.onHead?.(false),
);

export class OpenAIClient implements ModelClient {
  private readonly sdk: OpenAI;
  /** What messages name; its `scrub` keeps the key out of a message, whatever the server echoes. */
  private readonly limits: EndpointLimits;

  constructor(opts: OpenAIClientOptions) {
    if (!/^https?:\/\/\S+$/.test(opts.baseURL ?? '')) {
      throw new ProviderError(
        'bad-request',
        `The endpoint “${opts.endpoint}” has no valid base URL (an http(s) URL such as https://openrouter.ai/api/v1). Fix it in the llmRouter.endpoints setting.`,
      );
    }
    const key = opts.apiKey?.trim() ?? '';
    const timeoutMs = opts.timeoutMs ?? 600_000;
    this.limits = {
      endpoint: opts.endpoint,
      keyName: opts.keyName ?? opts.endpoint,
      baseURL: displayUrl(opts.baseURL),
      idleTimeoutMs: opts.idleTimeoutMs ?? 60_000,
      timeoutMs,
      scrub: (s) => redactSecrets(s, key ? [key] : []),
    };
    this.sdk = new OpenAI({
      // The SDK wants a key; an endpoint without one (a local server) gets a placeholder it ignores.
      apiKey: key || 'no-key',
      baseURL: opts.baseURL.replace(/\/+$/, ''),
      maxRetries: opts.maxRetries ?? 2,
      timeout: timeoutMs,
      fetch: openaiFetch,
      logLevel: 'off',
      ...(opts.headers ? { defaultHeaders: opts.headers } : {}),
      // never the organisation / project from the environment: the endpoint is what the user defined
      organization: null,
      project: null,
    });
  }

  async stream(req: ChatRequest, onText?: OnText, onToolCall?: OnToolCall): Promise<ChatResult> {
    const t0 = performance.now();
    if (req.signal?.aborted) throw new ProviderError('cancelled', 'Cancelled before the request was sent.');
    const attempt: Attempt = { attempts: 0 };
    const ac = new AbortController();
    let why: Why = null;
    let callbackError: unknown = null;
    const st = newStreamState(req.model);
    const dog = stallWatchdog(this.limits.idleTimeoutMs, () => {
      why ??= 'timeout';
      ac.abort();
    });
    attempt.onStart = () => dog.watch();
    attempt.onHead = (ok) => (ok ? dog.watch() : dog.unwatch()); // a retry-after wait is not a stall
    const onAbort = () => {
      why ??= 'cancelled';
      ac.abort();
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { data: chunks, response } = await this.sdk.chat.completions
        .create(toOpenAIBody(req), { signal: ac.signal, fetchOptions: { [ATTEMPT]: attempt } as object })
        .withResponse();
      for await (const chunk of chunks) {
        dog.touch();
        const delta = readChunk(st, chunk, t0);
        if (delta && onText) {
          try {
            onText(delta);
          } catch (e) {
            callbackError ??= e;
            why ??= 'cancelled';
            ac.abort();
          }
        }
      }
      if (callbackError) throw callbackError;
      if (why) throw new Error(why);
      if (st.finish === null) throw new Error('terminated: the stream ended before the answer finished');
      const toolCalls = finishTools(st);
      if (onToolCall) for (const c of toolCalls) onToolCall(c);
      return streamResult(st, toolCalls, reportedCost(st, response.headers), { t0, attempts: attempt.attempts });
    } catch (e) {
      if (callbackError) throw callbackError;
      throw this.toProviderError(e, {
        model: req.model,
        why,
        attempts: attempt.attempts,
        usage: st.usage,
        text: st.text,
      });
    } finally {
      dog.unwatch();
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Chat Completions has no token-counting call: an estimate from the text (≈ 4 characters a token). */
  async countTokens(req: Omit<ChatRequest, 'maxTokens' | 'signal'>): Promise<number> {
    const body = toOpenAIMessages(req.messages, req.system);
    return Promise.resolve(body.reduce((n, m) => n + 4 + estimateTokens(JSON.stringify(m.content ?? '')), 0));
  }

  private toProviderError(e: unknown, c: Failure): ProviderError {
    return toOpenAIError(e, this.limits, c);
  }
}
