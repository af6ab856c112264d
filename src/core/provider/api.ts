// The contract of a model client. ./anthropic.ts implements it with the official Anthropic SDK.
import type { Turn, Usage } from '../types';

export interface ChatRequest {
  model: string;
  system?: string;
  /** The conversation, oldest first, ending with the user's prompt. */
  messages: Turn[];
  maxTokens: number;
  /** Aborting stops the stream at once (the SDK stream is aborted). */
  signal?: AbortSignal;
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
  ) {
    super(message);
    this.name = 'ProviderError';
  }
  /** True when trying another tier might work (rate limit, overload, server error). */
  get tierUnavailable(): boolean {
    return this.kind === 'rate-limit' || this.kind === 'overloaded' || this.kind === 'server' || this.kind === 'not-found';
  }
}

export interface ModelClient {
  /** Streams an answer; onText gets each text delta as it arrives. Throws ProviderError. */
  stream(req: ChatRequest, onText?: (delta: string) => void): Promise<ChatResult>;
  /** Input tokens of a request, from the API's count_tokens. */
  countTokens(req: Omit<ChatRequest, 'maxTokens' | 'signal'>): Promise<number>;
}

export interface AnthropicClientOptions {
  apiKey: string;
  /** For gateways, proxies and tests (the local Messages API server). */
  baseURL?: string;
  /** Retries on 429/529/5xx, honouring retry-after (default 2). */
  maxRetries?: number;
  /** Request timeout in ms (default 600000). */
  timeoutMs?: number;
  /** A stream that sends nothing for this long is treated as stalled (default 60000). */
  idleTimeoutMs?: number;
}
