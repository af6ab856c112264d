// The contract of a model client. ./anthropic.ts implements it with the official Anthropic SDK.
import type { Turn, Usage } from '../types';

/** One piece of a message: text, an image, a tool call the model made, or the result the caller sent back. */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; mediaType: string; /** base64 */ data: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; toolUseId: string; content: string; isError?: boolean };

/** A message with structure (agent loops, images). A plain `Turn` is a ChatMessage whose content is a string. */
export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string | ContentPart[];
}

/** A tool the caller offers the model (JSON Schema input). */
export interface ToolSpec {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/** A tool call the model made, complete with its parsed arguments. */
export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface ChatRequest {
  model: string;
  system?: string;
  /** The conversation, oldest first, ending with the user's prompt (or a tool result in an agent loop). */
  messages: (Turn | ChatMessage)[];
  maxTokens: number;
  /** Tools the model may call; none when absent. */
  tools?: ToolSpec[];
  /** 'auto' (default) or 'required' (the model must call a tool). */
  toolMode?: 'auto' | 'required';
  /** Aborting stops the stream at once (the SDK stream is aborted). */
  signal?: AbortSignal;
  /** Called when the client is about to wait before retrying (a rate limit, an overload, a server error). */
  onRetryWait?(wait: RetryWait): void;
}

/** A wait before a retry, as the client is about to make it. */
export interface RetryWait {
  /** How long it waits (what `retry-after` asked for, or the client's backoff). */
  waitMs: number;
  /** The HTTP status that made it retry (null: the connection failed). */
  status: number | null;
  /** Which retry this wait is before (1 = the first) and how many the client makes at most. */
  retry: number;
  maxRetries: number;
}

export interface ChatResult {
  text: string;
  usage: Usage;
  /** 'end_turn' | 'max_tokens' | 'stop_sequence' | 'refusal' | … ; null when cancelled. */
  stopReason: string | null;
  /** The model id the API says answered. */
  model: string;
  /** ms from sending to the first text delta, null when none came. */
  ttftMs: number | null;
  latencyMs: number;
  /** How many attempts the SDK made (1 = no retry). */
  attempts: number;
  /** Tool calls the model made, in order (empty or absent when none). */
  toolCalls?: ToolCall[];
  /** What the endpoint itself says this call cost, in USD (OpenRouter's `usage.cost`, LiteLLM's
   *  `x-litellm-response-cost`); when present it is the real cost, ahead of the price table. */
  costUsd?: number;
  /** Set when no upstream call was made for this caller: 'shared' (an identical request in flight answered it),
   *  'cache' (the response cache, exact) or 'similar' (the cache, a near-duplicate prompt). costUsd is then 0. */
  servedFrom?: 'shared' | 'cache' | 'similar';
}

export type ProviderErrorKind =
  | 'auth' // 401/403: key missing or wrong
  | 'bad-request' // 400: e.g. prompt too long, bad model id
  | 'not-found' // 404: model id unknown
  | 'rate-limit' // 429 after retries
  | 'overloaded' // 529 after retries
  | 'server' // 5xx after retries
  | 'network' // connection failed / cut
  | 'timeout' // stalled stream / request timeout
  | 'cancelled'; // the user cancelled

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    /** Plain words a user understands, with the fix ("Your API key was rejected (401). Run “LLM Router: Set API Key”."). */
    message: string,
    readonly status: number | null = null,
    /** Usage billed before the failure (a stream cut halfway still costs its input), if known. */
    readonly partialUsage: Usage | null = null,
    /** Text received before the failure. */
    readonly partialText = '',
    /** The wait the server asked for before a retry, when it was longer than the client waits (so it did not retry). */
    readonly refusedWaitMs: number | null = null,
    /** For a rate limit: how long the server asked to wait (its `retry-after`), in ms, when it said. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
  /** By its name, not its class: the extension's thin glue and its lazily loaded engine are two bundles, each with a
   *  copy of this class, and an error from one must still be recognised by the other. */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return x instanceof Error && x.name === 'ProviderError' && typeof (x as { kind?: unknown }).kind === 'string';
  }
  /** True when trying another tier might work (rate limit, overload, server error). */
  get tierUnavailable(): boolean {
    return (
      this.kind === 'rate-limit' || this.kind === 'overloaded' || this.kind === 'server' || this.kind === 'not-found'
    );
  }
}

/** Told each text delta of an answer as it arrives. */
export type OnText = (delta: string) => void;
/** Told each tool call of an answer once its input is complete. */
export type OnToolCall = (call: ToolCall) => void;

export interface ModelClient {
  /** Streams an answer; onText gets each text delta as it arrives. Throws ProviderError. */
  stream(req: ChatRequest, onText?: OnText, onToolCall?: OnToolCall): Promise<ChatResult>;
  /** Input tokens of a request, from the API's count_tokens. */
  countTokens(req: Omit<ChatRequest, 'maxTokens' | 'signal'>): Promise<number>;
}

/** The client that serves one tier (tiers may mix providers); null when that tier cannot be reached (no key). */
export type ClientFor = (tier: import('../types').TierConfig) => ModelClient | null;

export interface AnthropicClientOptions {
  apiKey: string;
  /** For gateways, proxies and tests (the local Messages API server). */
  baseURL?: string;
  /** Retries on 429/529/5xx, honouring retry-after (default 2). */
  maxRetries?: number;
  /** The longest wait before a retry (default 30000): a server asking for more gets no retry (another tier answers). */
  maxRetryWaitMs?: number;
  /** Request timeout in ms (default 600000). */
  timeoutMs?: number;
  /** A stream that sends nothing for this long is treated as stalled (default 60000). */
  idleTimeoutMs?: number;
}
