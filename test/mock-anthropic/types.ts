// The shapes of the Messages API stand-in: its scenarios, what it records of a request, its options and its handle.
import type { BaseRecord } from '../mock-common/http';
import type { MockControls } from '../mock-common/scenarios';

export type ScenarioKind =
  | 'ok' // a normal streamed/JSON answer derived from the prompt
  | 'slow' // a normal answer with a delay between deltas (default 200 ms)
  | 'max_tokens' // the answer stops halfway with stop_reason max_tokens
  | 'refusal' // a short refusal, stop_reason refusal
  | 'cache' // a normal answer whose usage reports cache write/read tokens
  | 'stall' // sends the first events then nothing, connection kept open
  | 'cut' // sends the first events then destroys the socket
  | 'stream-error' // sends the first events then an SSE `error` event (overloaded_error), as the real API can
  | 'prompt-too-long' // 400 invalid_request_error "prompt is too long: N tokens > M maximum"
  | 'tool' // a tool_use block (input streamed as input_json_delta), stop_reason tool_use
  | '400'
  | '401'
  | '403'
  | '404'
  | '413'
  | '429'
  | '500'
  | '529';

export interface Scenario {
  kind: ScenarioKind;
  /** ms between text deltas ('slow' defaults to 200, others to 0). */
  delayMs?: number;
  /** ms before the response starts (headers). */
  firstByteDelayMs?: number;
  /** 429/529/500: `retry-after` header in seconds (may be fractional). */
  retryAfterS?: number;
  /** 429/529/500: `retry-after-ms` header. */
  retryAfterMs?: number;
  /** stall/cut/stream-error: text deltas sent before it happens (default 2). */
  afterDeltas?: number;
  /** cache: tokens reported as cache_read_input_tokens / cache_creation_input_tokens (default: half / a quarter of the input). */
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** Length of the normal answer in words (default 60). */
  words?: number;
  /** Replaces the generated answer text. */
  text?: string;
  /** tool: the tool to call (default: tool_choice's, else the first tool). */
  tool?: string;
  /** tool: the input to send (default: one value per schema property). */
  input?: Record<string, unknown>;
}

export interface RecordedRequest extends BaseRecord<ScenarioKind> {
  /** Same as path (kept for callers that look for `url`). */
  url: string;
  /** Text deltas written so far. */
  deltasSent: number;
}

export interface MockAnthropicOptions {
  /** Port to listen on (default 0: any free port). Always bound to 127.0.0.1. */
  port?: number;
  /** When set, any other key gets a 401 like the real API ("invalid x-api-key"). */
  apiKey?: string;
  /** Models that exist; others get 404 not_found_error. Default: any claude-…haiku/sonnet/opus… id ("claude-nope" is unknown). */
  models?: string[];
  /** Context window used for "prompt is too long" (default 200000 tokens). */
  contextWindow?: number;
  /** Initial default scenario (default 'ok'). */
  scenario?: Scenario | ScenarioKind;
  /** Print one line per request to stderr (never headers or keys). */
  log?: boolean;
  /** Smallest prefix (tokens) a cache_control breakpoint caches (default 1024, as for Sonnet/Opus). */
  cacheMinTokens?: number;
}

export interface MockAnthropic extends MockControls<Scenario, RecordedRequest> {
  port: number;
  /** Only the POST /v1/messages requests. */
  messageRequests(): RecordedRequest[];
  /** Sets or clears the key the server accepts (others get 401). */
  setExpectedKey(key: string | null): void;
}
