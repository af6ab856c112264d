// The model client for OpenAI-compatible endpoints (OpenAI, OpenRouter, a LiteLLM proxy, Ollama, vLLM, Azure OpenAI)
// on the official `openai` SDK: Chat Completions streamed, tool calls assembled from their deltas, usage with cached
// tokens, the endpoint's own cost when it reports one, stalls caught, and every failure a ProviderError in words
// (never the key).
//
// Retries are the SDK's (429, 408, 409, 5xx and connection errors, `maxRetries` times, honouring `retry-after-ms` /
// `retry-after`); attempts are counted by the client's `fetch` as in ./anthropic.ts.
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { estimateTokens } from '../pricing';
import { redactSecrets } from '../redact';
import type { Usage } from '../types';
import { causeOf, displayUrl, fmtS } from './anthropic';
import { ProviderError } from './api';
import { envKeyName } from './keys';

export { envKeyName };
import type { ChatRequest, ChatResult, ModelClient, ProviderErrorKind, ToolCall } from './api';
import { stallWatchdog } from './watchdog';
import { countingFetch } from './attemptFetch';

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

/** The fix for a missing or rejected key, naming both places a key can come from. */
export function endpointKeyFix(endpoint: string, keyName = endpoint): string {
  return `Set its key with “LLM Router: Set Endpoint Key” (${keyName}) or the ${envKeyName(keyName)} environment variable.`;
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

type Why = 'cancelled' | 'timeout' | null;

export class OpenAIClient implements ModelClient {
  private readonly sdk: OpenAI;
  private readonly endpoint: string;
  private readonly keyName: string;
  private readonly baseURL: string;
  private readonly idleTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly scrub: (s: string) => string;

  constructor(opts: OpenAIClientOptions) {
    if (!/^https?:\/\/\S+$/.test(opts.baseURL ?? '')) {
      throw new ProviderError(
        'bad-request',
        `The endpoint “${opts.endpoint}” has no valid base URL (an http(s) URL such as https://openrouter.ai/api/v1). Fix it in the llmRouter.endpoints setting.`,
      );
    }
    const key = opts.apiKey?.trim() ?? '';
    this.endpoint = opts.endpoint;
    this.keyName = opts.keyName ?? opts.endpoint;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
    this.timeoutMs = opts.timeoutMs ?? 600_000;
    this.scrub = (s) => redactSecrets(s, key ? [key] : []);
    this.sdk = new OpenAI({
      // The SDK wants a key; an endpoint without one (a local server) gets a placeholder it ignores.
      apiKey: key || 'no-key',
      baseURL: opts.baseURL.replace(/\/+$/, ''),
      maxRetries: opts.maxRetries ?? 2,
      timeout: this.timeoutMs,
      fetch: openaiFetch,
      logLevel: 'off',
      ...(opts.headers ? { defaultHeaders: opts.headers } : {}),
      // never the organisation / project from the environment: the endpoint is what the user defined
      organization: null,
      project: null,
    });
    this.baseURL = displayUrl(opts.baseURL);
  }

  async stream(
    req: ChatRequest,
    onText?: (delta: string) => void,
    onToolCall?: (call: ToolCall) => void,
  ): Promise<ChatResult> {
    const t0 = performance.now();
    if (req.signal?.aborted) throw new ProviderError('cancelled', 'Cancelled before the request was sent.');
    const attempt: Attempt = { attempts: 0 };
    const ac = new AbortController();
    let why: Why = null;
    let callbackError: unknown = null;
    const st: StreamState = {
      text: '',
      ttftMs: null,
      usage: null,
      cost: null,
      finish: null,
      model: req.model,
      tools: new Map(),
    };
    const dog = stallWatchdog(this.idleTimeoutMs, () => {
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
      const headerCost = Number(response.headers.get('x-litellm-response-cost'));
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
      const cost =
        st.cost ?? (Number.isFinite(headerCost) && response.headers.has('x-litellm-response-cost') ? headerCost : null);
      return {
        text: st.text,
        usage: st.usage ?? { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0 },
        stopReason: STOP[st.finish] ?? st.finish,
        model: st.model,
        ttftMs: st.ttftMs,
        latencyMs: performance.now() - t0,
        attempts: Math.max(1, attempt.attempts),
        ...(toolCalls.length ? { toolCalls } : {}),
        ...(cost !== null ? { costUsd: cost } : {}),
      };
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

  private toProviderError(
    e: unknown,
    c: { model: string; why: Why; attempts: number; usage: Usage | null; text: string },
  ): ProviderError {
    const mk = (
      kind: ProviderErrorKind,
      message: string,
      status: number | null = null,
      retryAfterMs: number | null = null,
    ) => new ProviderError(kind, this.scrub(message), status, c.usage, c.text, null, retryAfterMs);
    const where = `the endpoint “${this.endpoint}” (${this.baseURL})`;
    const tries = c.attempts > 1 ? ` after ${c.attempts} attempts` : '';
    const kept = c.text ? ' The partial answer is kept.' : '';
    const check = `Check your network and the endpoint's base URL in the llmRouter.endpoints setting.`;
    if (c.why === 'cancelled' || (e instanceof OpenAI.APIUserAbortError && c.why !== 'timeout'))
      return mk('cancelled', 'Cancelled.');
    if (c.why === 'timeout')
      return mk(
        'timeout',
        `${c.model} at ${where} sent nothing for ${fmtS(this.idleTimeoutMs)}, so the stalled request was stopped.${kept} Try again; if it keeps happening, ${check.charAt(0).toLowerCase()}${check.slice(1)}`,
      );
    if (e instanceof OpenAI.APIConnectionTimeoutError)
      return mk(
        'timeout',
        `The request to ${where} timed out${tries} (limit ${fmtS(this.timeoutMs)}).${kept} ${check}`,
      );
    if (e instanceof OpenAI.APIConnectionError)
      return mk('network', `Can't reach ${where}${tries} (${causeOf(e)}). ${check}`);
    if (e instanceof OpenAI.APIError) {
      const status = typeof e.status === 'number' ? e.status : null;
      const body = e.error as { message?: string; code?: unknown; type?: string } | undefined;
      const apiMsg = String(body?.message ?? '').slice(0, 300);
      const during = status === null ? ' during the answer' : '';
      const code =
        status ??
        (typeof body?.code === 'number' ? body.code : /rate/i.test(String(body?.code ?? body?.type ?? '')) ? 429 : 500);
      const wait = retryAfter(e.headers);
      if (code === 401)
        return mk('auth', `${where} rejected the key (401). ${endpointKeyFix(this.endpoint, this.keyName)}`, status);
      if (code === 403)
        return mk(
          'auth',
          `${where} refused access to ${c.model} (403${apiMsg ? `: ${apiMsg}` : ''}). Check the key's permissions or pick another tier.`,
          status,
        );
      if (code === 404)
        return mk(
          'not-found',
          `${where} doesn't know the model “${c.model}” (404). Check the tier's model id in the llmRouter.tiers setting.`,
          status,
        );
      if (code === 429)
        return mk(
          'rate-limit',
          `${where} hit its rate limit for ${c.model} (429)${during}${tries}${wait !== null ? `; it asks to wait ${fmtS(wait)}` : ''}.${kept} Wait and try again.`,
          status,
          wait,
        );
      if (code >= 500)
        return mk(
          code === 529 || code === 503 ? 'overloaded' : 'server',
          `${where} had a server error (${code})${during}${tries}${apiMsg ? `: ${apiMsg}` : ''}.${kept} Try again in a moment.`,
          status,
          wait,
        );
      if (code === 400 || code === 413 || code === 422)
        return mk(
          'bad-request',
          `${where} rejected the request as invalid (${code}: ${apiMsg || 'no reason given'}). Check the tier's model id and max output tokens; if the conversation is long, start a new chat.`,
          status,
        );
      return mk(
        'server',
        `${where} answered with an error${status ? ` (${status})` : ''}${during}: ${apiMsg || 'unknown'}.${kept} Try again.`,
        status,
      );
    }
    const detail = causeOf(e);
    if (c.attempts > 0 && (c.usage || c.text || /terminated|socket|ECONNRESET|closed|premature|ended/i.test(detail))) {
      return mk(
        'network',
        `The connection to ${where} was cut in the middle of the answer (${detail}).${kept} Try again.`,
      );
    }
    return mk('network', `The request to ${where} failed (${detail}). ${check}`);
  }
}

/** `retry-after-ms` or `retry-after` (seconds or an HTTP date) in ms, or null. */
function retryAfter(h: Headers | undefined): number | null {
  if (!h) return null;
  const ms = Number(h.get('retry-after-ms'));
  if (h.has('retry-after-ms') && Number.isFinite(ms)) return ms;
  const v = h.get('retry-after');
  if (!v) return null;
  const s = Number(v);
  if (Number.isFinite(s)) return s * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - Date.now());
}

const STOP: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

interface StreamState {
  text: string;
  ttftMs: number | null;
  usage: Usage | null;
  cost: number | null;
  finish: string | null;
  model: string;
  /** Tool calls by their index in the stream, arguments still as text. */
  tools: Map<number, { id: string; name: string; args: string }>;
}

/** Folds one chunk into the state; returns its text delta ('' when none). */
function readChunk(st: StreamState, chunk: ChatCompletionChunk, t0: number): string {
  if (chunk.model) st.model = chunk.model;
  if (chunk.usage) {
    const u = chunk.usage as ChatCompletionChunk['usage'] & {
      cost?: number;
      prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
    };
    const cached = u?.prompt_tokens_details?.cached_tokens ?? 0;
    const written = u?.prompt_tokens_details?.cache_write_tokens ?? 0;
    // prompt_tokens includes the cached ones; the price table prices them apart, as Anthropic reports them.
    st.usage = {
      inputTokens: Math.max(0, (u?.prompt_tokens ?? 0) - cached - written),
      outputTokens: u?.completion_tokens ?? 0,
      cacheWriteTokens: written,
      cacheReadTokens: cached,
    };
    if (typeof u?.cost === 'number' && Number.isFinite(u.cost)) st.cost = u.cost;
  }
  const choice = chunk.choices?.[0];
  if (!choice) return '';
  if (choice.finish_reason) st.finish = choice.finish_reason;
  for (const d of choice.delta?.tool_calls ?? []) {
    const cur = st.tools.get(d.index) ?? { id: '', name: '', args: '' };
    if (d.id) cur.id = d.id;
    if (d.function?.name) cur.name += d.function.name;
    if (d.function?.arguments) cur.args += d.function.arguments;
    st.tools.set(d.index, cur);
  }
  const text = choice.delta?.content ?? '';
  if (text) {
    if (st.ttftMs === null) st.ttftMs = performance.now() - t0;
    st.text += text;
  }
  return text;
}

/** The assembled tool calls, in stream order, arguments parsed (a call whose arguments are not JSON keeps the text
 *  under `_raw`, so the caller can answer with an error rather than lose it). */
function finishTools(st: StreamState): ToolCall[] {
  return [...st.tools.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, t]) => {
      let input: unknown = {};
      if (t.args.trim()) {
        try {
          input = JSON.parse(t.args);
        } catch {
          input = { _raw: t.args };
        }
      }
      return { id: t.id || `call_${i}`, name: t.name, input };
    });
}

function toOpenAIBody(req: ChatRequest): OpenAI.Chat.ChatCompletionCreateParamsStreaming {
  const tools: ChatCompletionTool[] | undefined = req.tools?.map((t) => ({
    type: 'function',
    function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.inputSchema },
  }));
  return {
    model: req.model,
    messages: toOpenAIMessages(req.messages, req.system),
    max_tokens: req.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
    ...(tools?.length ? { tools, tool_choice: req.toolMode === 'required' ? 'required' : 'auto' } : {}),
  };
}

/** Our messages in Chat Completions' form: the system prompt first, tool calls as `tool_calls` on the assistant's
 *  message, each tool result as its own `tool` message. */
export function toOpenAIMessages(messages: ChatRequest['messages'], system?: string): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = system ? [{ role: 'system', content: system }] : [];
  for (const m of messages) {
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: m.content });
      continue;
    }
    if (m.role === 'assistant') {
      const text = m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
      const calls = m.content.flatMap((p) =>
        p.type === 'tool_use'
          ? [
              {
                id: p.id,
                type: 'function' as const,
                function: { name: p.name, arguments: JSON.stringify(p.input ?? {}) },
              },
            ]
          : [],
      );
      out.push({ role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) });
      continue;
    }
    for (const p of m.content)
      if (p.type === 'tool_result')
        out.push({ role: 'tool', tool_call_id: p.toolUseId, content: p.isError ? `Error: ${p.content}` : p.content });
    const parts: ChatCompletionContentPart[] = m.content.flatMap((p): ChatCompletionContentPart[] =>
      p.type === 'text'
        ? [{ type: 'text', text: p.text }]
        : p.type === 'image'
          ? [{ type: 'image_url', image_url: { url: `data:${p.mediaType};base64,${p.data}` } }]
          : [],
    );
    if (parts.length)
      out.push({
        role: 'user',
        content: parts.every((p) => p.type === 'text')
          ? parts.map((p) => (p as { text: string }).text).join('')
          : parts,
      });
  }
  return out;
}
