// A local stand-in for the Anthropic Messages API, faithful enough that the official @anthropic-ai/sdk works against it
// unchanged through `baseURL`. Plain node:http (no tsx-only features): it also runs inside the VS Code extension host.
//
// Endpoints: POST /v1/messages (JSON or SSE stream), POST /v1/messages/count_tokens, GET /v1/models.
// Shapes follow https://docs.anthropic.com/en/api/messages-streaming and /en/api/errors:
//   SSE order  message_start (usage with cache tokens) → content_block_start → ping → content_block_delta(text_delta)…
//              → content_block_stop → message_delta (stop_reason, cumulative usage) → message_stop
//   errors     {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_…"}
//              with the `request-id` header (and `retry-after` on 429/529 when the scenario sets one).
//
// Scenarios (what the next answer does) are chosen, first match wins:
//   1. a marker in the last user message: `[[mock:529]]`, `[[mock:429 retry-after=1 times=1]]`, `[[mock:slow delay=50]]`
//   2. the one-shot queue: `server.queue('429', { times: 2 })`  (optionally `{ model }`)
//   3. a per-model scenario: `server.setScenario('529', { model: 'claude-sonnet-4-6' })`
//   4. the default scenario: `server.setScenario('slow')`  (initially 'ok')
// Tools: with scenario 'tool' (`[[mock:tool]]`, `[[mock:tool name=read_file]]`, or tool_choice any/tool) and tools in
// the request, the answer is a short text then a `tool_use` block whose input (built from the tool's schema) streams as
// `input_json_delta` pieces, stop_reason tool_use. The next request (whose last user message is the tool_result) gets
// a normal answer that quotes the result. Prompt caching: `cache_control` breakpoints are honoured like the API does
// (a prefix of at least `cacheMinTokens` is written on first sight and read afterwards, 5 m or 1 h as marked).
// Every request body is kept (`requests[i].body`), so tests can check what arrived: system, tools, images, history.
// The API key never lands in a record or a log: a record keeps a keyed hash, checked with `keyMatches(req, key)`.
import { createHmac, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cachePrefixes, contentText, mockInputTokens, mockTokens, mockToolInput } from './content';

export { contentText, MOCK_IMAGE_TOKENS, mockInputTokens, mockTokens, mockToolInput } from './content';

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

export interface RecordedRequest {
  /** The request-id header the server answered with ("req_mock_…"). */
  id: string;
  method: string;
  /** Path without the query string ("/v1/messages"). */
  path: string;
  /** Same as path (kept for callers that look for `url`). */
  url: string;
  /** Request headers, lower-case, WITHOUT x-api-key and authorization. */
  headers: Record<string, string>;
  /** The parsed JSON body (null when it was not JSON). */
  body: any;
  /** 'missing' when no key came; otherwise 'matched'/'mismatched' against the expected key, or 'present' when none is expected. */
  apiKey: 'missing' | 'present' | 'matched' | 'mismatched';
  /** Keyed hash of the key (for keyMatches); never the key. */
  readonly keyHash: string | null;
  model: string | null;
  stream: boolean;
  /** The scenario this request got. */
  scenario: ScenarioKind;
  /** HTTP status sent (0 until the head is written). */
  status: number;
  /** `x-stainless-retry-count` (0 on a first attempt). */
  retryCount: number;
  time: number;
  /** The connection is gone (the answer finished, was cut, or the client went away). */
  closed: boolean;
  /** The client closed the connection before the answer finished. */
  aborted: boolean;
  /** The response was completely written. */
  finished: boolean;
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

export interface MockAnthropic {
  url: string;
  port: number;
  /** Every request, oldest first (cleared in place by reset()). */
  requests: RecordedRequest[];
  /** Only the POST /v1/messages requests. */
  messageRequests(): RecordedRequest[];
  /** Sets the default scenario, or the scenario of one model (`null` clears a model's). */
  setScenario(s: Scenario | ScenarioKind | null, opts?: { model?: string }): void;
  /** One-shot scenarios: the next `times` (default 1) message requests (of `model`, if given) get `s`. */
  queue(s: Scenario | ScenarioKind, opts?: { times?: number; model?: string }): void;
  /** Back to 'ok', empty queue, no per-model scenarios, no records, marker counters cleared. */
  reset(): void;
  /** Whether the request carried exactly this key (compares keyed hashes; the key itself is never stored). */
  keyMatches(req: RecordedRequest, key: string): boolean;
  /** Sets or clears the key the server accepts (others get 401). */
  setExpectedKey(key: string | null): void;
  close(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const ERROR_MESSAGES: Record<number, string> = {
  400: 'messages: text content blocks must be non-empty',
  401: 'invalid x-api-key',
  403: 'Your API key does not have permission to use the specified resource.',
  404: 'The requested resource could not be found.',
  413: 'Request exceeds the maximum allowed number of bytes.',
  429: 'This request would exceed the rate limit for your organization of 50 requests per minute. Please reduce the prompt length or the maximum tokens requested, or try again later.',
  500: 'Internal server error',
  529: 'Overloaded',
};

const KINDS = new Set<string>([
  'ok',
  'slow',
  'max_tokens',
  'refusal',
  'cache',
  'tool',
  'stall',
  'cut',
  'stream-error',
  'prompt-too-long',
  '400',
  '401',
  '403',
  '404',
  '413',
  '429',
  '500',
  '529',
]);

export function isScenarioKind(s: string): s is ScenarioKind {
  return KINDS.has(s);
}

function norm(s: Scenario | ScenarioKind): Scenario {
  const sc = typeof s === 'string' ? { kind: s } : { ...s };
  if (!isScenarioKind(sc.kind)) throw new Error(`unknown mock scenario "${sc.kind}" (known: ${[...KINDS].join(', ')})`);
  return sc;
}

const MARKER = /\[\[mock:([^\]]*)\]\]/;

/** The prompt without any `[[mock:…]]` marker, trimmed. */
export function stripMarker(prompt: string): string {
  return prompt.replace(new RegExp(MARKER.source, 'g'), '').replace(/\s+/g, ' ').trim();
}

const FILLER = [
  'Here is a short, plain answer.',
  'The main point comes first, then the details.',
  'Each sentence is generated locally, without any network call.',
  'Token counts follow one rule: a token per four characters.',
  'That keeps usage and cost easy to check in tests.',
  'Nothing here comes from a real model.',
];

/**
 * The answer the stand-in gives to a prompt (the last user message, markers removed) on a model: deterministic, so
 * tests can assert the exact streamed text. `words` (default 60) sets its length.
 */
export function mockAnswer(model: string, prompt: string, words = 60): string {
  const p = stripMarker(prompt);
  const snippet = p.length > 60 ? `${p.slice(0, 57)}...` : p;
  const head = `[${model}] You asked: "${snippet}".`;
  const out = head.split(' ');
  let i = 0;
  while (out.length < words) out.push(...FILLER[i++ % FILLER.length].split(' '));
  return out.slice(0, Math.max(words, head.split(' ').length)).join(' ');
}

/** The refusal text of the 'refusal' scenario. */
export const REFUSAL_TEXT = "I can't help with that request.";

/** Splits text into deltas of about three words each (whitespace kept), as a model streams it. */
export function chunkText(text: string): string[] {
  const parts = text.match(/\S+\s*/g) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < parts.length; i += 3) chunks.push(parts.slice(i, i + 3).join(''));
  if (/^\s+/.test(text) && chunks.length) chunks[0] = text.match(/^\s+/)![0] + chunks[0];
  return chunks;
}

function parseMarker(text: string): { scenario: Scenario; times: number | null; raw: string } | null {
  // (a tool's name is the one argument that is not a number)
  const m = MARKER.exec(text);
  if (!m) return null;
  const [kind, ...args] = m[1].trim().split(/\s+/);
  if (!isScenarioKind(kind)) return null;
  const s: Scenario = { kind };
  let times: number | null = null;
  for (const a of args) {
    const [k, v] = a.split('=');
    if (k === 'name' && v) {
      s.tool = v;
      continue;
    }
    const n = Number(v);
    if (!Number.isFinite(n)) continue;
    if (k === 'delay') s.delayMs = n;
    else if (k === 'first-byte') s.firstByteDelayMs = n;
    else if (k === 'retry-after') s.retryAfterS = n;
    else if (k === 'retry-after-ms') s.retryAfterMs = n;
    else if (k === 'after') s.afterDeltas = n;
    else if (k === 'read') s.cacheReadTokens = n;
    else if (k === 'write') s.cacheWriteTokens = n;
    else if (k === 'words') s.words = n;
    else if (k === 'times') times = n;
  }
  return { scenario: s, times, raw: m[0] };
}

let seq = 0;
const newId = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${(seq++).toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Closes the connection in the middle of a chunked body: what was written still arrives, then the socket ends. */
function cut(res: http.ServerResponse): void {
  const s = res.socket;
  if (!s) return;
  s.end();
  setTimeout(() => s.destroy(), 50).unref();
}

function lastUserText(body: any): string {
  const msgs: { role?: string; content?: unknown }[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]?.role === 'user') return contentText(msgs[i].content);
  return '';
}

/** Checks a Messages request body the way the API does; returns the 400 message or null. */
function validate(body: any, countOnly: boolean): string | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'Request body must be a JSON object';
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (!countOnly && !(Number.isInteger(body.max_tokens) && body.max_tokens >= 1)) {
    return body.max_tokens === undefined
      ? 'max_tokens: Field required'
      : 'max_tokens: Input should be a valid integer greater than or equal to 1';
  }
  if (!Array.isArray(body.messages)) return 'messages: Field required';
  if (body.messages.length === 0) return 'messages: at least one message is required';
  for (let i = 0; i < body.messages.length; i++) {
    const m = body.messages[i];
    if (!m || (m.role !== 'user' && m.role !== 'assistant'))
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const c = m.content;
    if (typeof c === 'string') {
      if (!c && i !== body.messages.length - 1)
        return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    } else if (!Array.isArray(c)) {
      return `messages.${i}.content: Input should be a valid string or list`;
    } else {
      for (let j = 0; j < c.length; j++) {
        if (c[j]?.type === 'text' && !c[j].text)
          return `messages.${i}.content.${j}.text: text content blocks must be non-empty`;
      }
    }
  }
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system))
    return 'system: Input should be a valid string or list';
  return null;
}

export async function startMockAnthropic(opts: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const secret = randomBytes(32);
  const hashKey = (k: string) => createHmac('sha256', secret).update(k).digest('hex');
  let expectedKeyHash: string | null = opts.apiKey ? hashKey(opts.apiKey) : null;
  const contextWindow = opts.contextWindow ?? 200_000;
  const models = opts.models ? new Set(opts.models) : null;
  const modelExists = (m: string) => (models ? models.has(m) : /^claude-[\w.-]*(haiku|sonnet|opus)[\w.-]*$/.test(m));

  let defaultScenario: Scenario = norm(opts.scenario ?? 'ok');
  const perModel = new Map<string, Scenario>();
  const oneShots: { scenario: Scenario; left: number; model?: string }[] = [];
  const markerCounts = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  /** Cached prefixes (model + text) and how long they live (ms since epoch). */
  const cached = new Map<string, number>();
  const cacheMin = opts.cacheMinTokens ?? 1024;
  const sockets = new Set<import('node:net').Socket>();

  function pickScenario(body: any): Scenario {
    const model = typeof body?.model === 'string' ? body.model : '';
    const choice = body?.tool_choice?.type;
    if ((choice === 'any' || choice === 'tool') && Array.isArray(body?.tools) && body.tools.length) {
      return { kind: 'tool', ...(choice === 'tool' ? { tool: String(body.tool_choice.name) } : {}) };
    }
    const marker = parseMarker(lastUserText(body));
    if (marker) {
      if (marker.times === null) return marker.scenario;
      const key = `${model}\u0000${lastUserText(body)}`;
      const n = markerCounts.get(key) ?? 0;
      markerCounts.set(key, n + 1);
      if (n < marker.times) return marker.scenario;
      return { kind: 'ok' };
    }
    const i = oneShots.findIndex((q) => !q.model || q.model === model);
    if (i >= 0) {
      const q = oneShots[i];
      if (--q.left <= 0) oneShots.splice(i, 1);
      return q.scenario;
    }
    return perModel.get(model) ?? defaultScenario;
  }

  function sendError(res: http.ServerResponse, rec: RecordedRequest, status: number, message?: string, sc?: Scenario) {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'request-id': rec.id,
      'x-should-retry': String(status === 429 || status >= 500),
    };
    if (sc?.retryAfterS !== undefined) headers['retry-after'] = String(sc.retryAfterS);
    if (sc?.retryAfterMs !== undefined) headers['retry-after-ms'] = String(sc.retryAfterMs);
    if (status === 429) {
      headers['anthropic-ratelimit-requests-limit'] = '50';
      headers['anthropic-ratelimit-requests-remaining'] = '0';
    }
    rec.status = status;
    const body = JSON.stringify({
      type: 'error',
      error: { type: ERROR_TYPES[status] ?? 'api_error', message: message ?? ERROR_MESSAGES[status] ?? 'Error' },
      request_id: rec.id,
    });
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** What the breakpoints of a request read from and write to the cache, like the API's prompt caching. */
  function cacheOf(body: any, total: number): { read: number; write: number; write1h: number } {
    const now = Date.now();
    const all = cachePrefixes(body);
    const lastMark = all.map((p) => p.marked).lastIndexOf(true);
    if (lastMark < 0) return { read: 0, write: 0, write1h: 0 };
    const points = all
      .slice(0, lastMark + 1)
      .map((p) => ({ ...p, key: `${body.model}\u0000${p.text}`, tokens: Math.min(total, mockTokens(p.text)) }))
      .filter((p) => p.tokens >= cacheMin);
    if (!points.length) return { read: 0, write: 0, write1h: 0 };
    let read = 0;
    for (const p of points) if ((cached.get(p.key) ?? 0) > now) read = Math.max(read, p.tokens);
    const last = points[points.length - 1];
    const write = last.marked ? Math.max(0, last.tokens - read) : 0;
    for (const p of points) if (p.marked) cached.set(p.key, now + (p.ttl === '1h' ? 3_600_000 : 300_000));
    return { read, write, write1h: last.ttl === '1h' ? write : 0 };
  }

  function usageOf(body: any, sc: Scenario, outputTokens: number) {
    const total = mockInputTokens(body);
    let { read, write, write1h } = cacheOf(body, total);
    if (sc.kind === 'cache') {
      read = Math.min(total, sc.cacheReadTokens ?? Math.floor(total / 2));
      write = Math.min(total - read, sc.cacheWriteTokens ?? Math.floor(total / 4));
      write1h = 0;
    }
    return {
      input_tokens: total - read - write,
      cache_creation_input_tokens: write,
      cache_read_input_tokens: read,
      cache_creation: { ephemeral_5m_input_tokens: write - write1h, ephemeral_1h_input_tokens: write1h },
      output_tokens: outputTokens,
      service_tier: 'standard',
    };
  }

  /** The tool call of a 'tool' answer: the named tool (or the first), its input built from its schema. */
  function toolCallOf(body: any, sc: Scenario): { id: string; name: string; input: Record<string, unknown> } | null {
    if (sc.kind !== 'tool' || !Array.isArray(body.tools) || !body.tools.length) return null;
    const tool = body.tools.find((t: { name?: string }) => t?.name === sc.tool) ?? body.tools[0];
    return { id: newId('toolu_mock_'), name: String(tool.name), input: sc.input ?? mockToolInput(tool.input_schema) };
  }

  /** The text and stop reason of an answer (truncated at max_tokens like the real API). */
  function answerOf(body: any, sc: Scenario): { text: string; stop: string } {
    if (sc.kind === 'refusal') return { text: REFUSAL_TEXT, stop: 'refusal' };
    let text = sc.text ?? mockAnswer(body.model, lastUserText(body), sc.words ?? 60);
    let stop = 'end_turn';
    if (sc.kind === 'max_tokens') {
      const words = text.split(' ');
      text = words.slice(0, Math.max(1, Math.floor(words.length / 2))).join(' ');
      stop = 'max_tokens';
    }
    const max = body.max_tokens as number;
    if (mockTokens(text) > max) {
      text = text.slice(0, max * 4);
      stop = 'max_tokens';
    }
    return { text, stop };
  }

  async function handleMessages(req: http.IncomingMessage, res: http.ServerResponse, rec: RecordedRequest, body: any) {
    const sc = pickScenario(body);
    rec.scenario = sc.kind;
    if (sc.firstByteDelayMs) await sleep(sc.firstByteDelayMs);
    if (rec.closed) return;
    if (/^\d+$/.test(sc.kind)) return sendError(res, rec, Number(sc.kind), undefined, sc);
    const inputTokens = mockInputTokens(body);
    if (sc.kind === 'prompt-too-long' || inputTokens > contextWindow) {
      const n = sc.kind === 'prompt-too-long' ? Math.max(inputTokens, contextWindow + 1) : inputTokens;
      return sendError(res, rec, 400, `prompt is too long: ${n} tokens > ${contextWindow} maximum`);
    }
    const call = toolCallOf(body, sc);
    const answered = answerOf(body, sc);
    const text = call ? (sc.text ?? `I'll call ${call.name}.`) : answered.text;
    const stop = call ? 'tool_use' : answered.stop;
    const callJson = call ? JSON.stringify(call.input) : '';
    const id = newId('msg_mock_');
    const chunks = chunkText(text);
    const outputTokens = mockTokens(text) + mockTokens(callJson);
    const usage = usageOf(body, sc, outputTokens);
    const delayMs = sc.delayMs ?? (sc.kind === 'slow' ? 200 : 0);
    const breakAt =
      sc.kind === 'stall' || sc.kind === 'cut' || sc.kind === 'stream-error'
        ? Math.min(sc.afterDeltas ?? 2, chunks.length)
        : -1;

    if (!body.stream) {
      if (sc.kind === 'stall') return; // never answers; the client times out or goes away
      if (sc.kind === 'cut') {
        req.socket.destroy();
        return;
      }
      if (sc.kind === 'stream-error') return sendError(res, rec, 529, undefined, sc);
      if (delayMs) await sleep(delayMs * chunks.length);
      if (rec.closed) return;
      const content: unknown[] = [{ type: 'text', text }];
      if (call) content.push({ type: 'tool_use', ...call });
      const msg = {
        id,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content,
        stop_reason: stop,
        stop_sequence: null,
        usage,
      };
      const out = JSON.stringify(msg);
      rec.status = 200;
      res.writeHead(200, {
        'content-type': 'application/json',
        'request-id': rec.id,
        'content-length': Buffer.byteLength(out),
      });
      res.end(out);
      return;
    }

    rec.status = 200;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'request-id': rec.id,
      connection: 'keep-alive',
    });
    const send = (event: string, data: unknown) => {
      if (!rec.closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: Math.min(1, outputTokens) },
      },
    });
    send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    send('ping', { type: 'ping' });
    for (let i = 0; i < chunks.length; i++) {
      if (i === breakAt) {
        if (sc.kind === 'stall') return; // the connection stays open, silent, until the client gives up
        if (sc.kind === 'cut') {
          cut(res);
          return;
        }
        send('error', {
          type: 'error',
          error: { type: 'overloaded_error', message: 'Overloaded' },
          request_id: rec.id,
        });
        res.end();
        return;
      }
      if (delayMs && i > 0) await sleep(delayMs);
      if (rec.closed) return;
      send('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: chunks[i] },
      });
      rec.deltasSent++;
    }
    if (breakAt === chunks.length && sc.kind === 'stall') return;
    if (breakAt === chunks.length && sc.kind === 'cut') {
      cut(res);
      return;
    }
    send('content_block_stop', { type: 'content_block_stop', index: 0 });
    if (call) {
      send('content_block_start', {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      });
      for (let i = 0; i < callJson.length; i += 8) {
        if (delayMs) await sleep(delayMs);
        if (rec.closed) return;
        send('content_block_delta', {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'input_json_delta', partial_json: callJson.slice(i, i + 8) },
        });
      }
      send('content_block_stop', { type: 'content_block_stop', index: 1 });
    }
    const { service_tier: _tier, cache_creation: _cc, ...cumulative } = usage;
    send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stop, stop_sequence: null },
      usage: cumulative,
    });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k === 'x-api-key' || k === 'authorization' || v === undefined) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const rawKey =
      typeof req.headers['x-api-key'] === 'string'
        ? req.headers['x-api-key']
        : typeof req.headers.authorization === 'string'
          ? req.headers.authorization.replace(/^Bearer\s+/i, '')
          : '';
    const keyHash = rawKey ? hashKey(rawKey) : null;
    const rec: RecordedRequest = {
      id: newId('req_mock_'),
      method: req.method ?? 'GET',
      path,
      url: path,
      headers,
      body: null,
      apiKey: !keyHash
        ? 'missing'
        : !expectedKeyHash
          ? 'present'
          : keyHash === expectedKeyHash
            ? 'matched'
            : 'mismatched',
      keyHash,
      model: null,
      stream: false,
      scenario: 'ok',
      status: 0,
      retryCount: Number(req.headers['x-stainless-retry-count'] ?? 0) || 0,
      time: Date.now(),
      closed: false,
      aborted: false,
      finished: false,
      deltasSent: 0,
    };
    Object.defineProperty(rec, 'keyHash', { enumerable: false, value: keyHash }); // not in JSON dumps of a record
    requests.push(rec);
    res.on('finish', () => {
      rec.finished = true;
    });
    res.on('close', () => {
      rec.closed = true;
      if (!rec.finished) rec.aborted = true;
      if (opts.log)
        process.stderr.write(
          `[mock-anthropic] ${rec.method} ${rec.path} ${rec.model ?? ''} ${rec.scenario} → ${rec.status}${rec.aborted ? ' (closed early)' : ''}\n`,
        );
    });

    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = null;
    }
    rec.body = body;
    rec.model = typeof body?.model === 'string' ? body.model : null;
    rec.stream = body?.stream === true;

    const isMessages = req.method === 'POST' && path === '/v1/messages';
    const isCount = req.method === 'POST' && path === '/v1/messages/count_tokens';
    const isModels = req.method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'));
    if (!isMessages && !isCount && !isModels) return sendError(res, rec, 404, `Not Found: ${req.method} ${path}`);
    if (!keyHash) return sendError(res, rec, 401, 'x-api-key header is required');
    if (expectedKeyHash && keyHash !== expectedKeyHash) return sendError(res, rec, 401, 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return sendError(res, rec, 400, 'anthropic-version: header is required');
    if (isModels) {
      const ids = models ? [...models] : ['claude-haiku-4-5', 'claude-sonnet-4-6', 'claude-opus-4-6'];
      const one = path.slice('/v1/models/'.length);
      const data = ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' }));
      const out = JSON.stringify(
        one
          ? (data.find((d) => d.id === one) ?? null)
          : { data, has_more: false, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null },
      );
      if (out === 'null') return sendError(res, rec, 404, `model: ${one}`);
      rec.status = 200;
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': rec.id });
      res.end(out);
      return;
    }
    if (body === null && raw)
      return sendError(res, rec, 400, 'There was an issue with the format of your request: the body is not valid JSON');
    const bad = validate(body, isCount);
    if (bad) return sendError(res, rec, 400, bad);
    if (!modelExists(body.model)) return sendError(res, rec, 404, `model: ${body.model}`);
    if (isCount) {
      // count_tokens sees the standing scenarios' refusals of service (a '401' default also rejects counting),
      // but never consumes one-shot or marker scenarios, which are about the next answer.
      const standing = perModel.get(body.model) ?? defaultScenario;
      rec.scenario = standing.kind;
      if (/^\d+$/.test(standing.kind)) return sendError(res, rec, Number(standing.kind), undefined, standing);
      const out = JSON.stringify({ input_tokens: mockInputTokens(body) });
      rec.status = 200;
      res.writeHead(200, {
        'content-type': 'application/json',
        'request-id': rec.id,
        'content-length': Buffer.byteLength(out),
      });
      res.end(out);
      return;
    }
    await handleMessages(req, res, rec, body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            type: 'error',
            error: { type: 'api_error', message: `mock server bug: ${(e as Error).message}` },
          }),
        );
      } else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    messageRequests: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages'),
    setScenario(s, o) {
      if (o?.model) {
        if (s === null) perModel.delete(o.model);
        else perModel.set(o.model, norm(s));
      } else defaultScenario = s === null ? { kind: 'ok' } : norm(s);
    },
    queue(s, o) {
      const times = o?.times ?? 1;
      if (times > 0) oneShots.push({ scenario: norm(s), left: times, model: o?.model });
    },
    reset() {
      defaultScenario = { kind: 'ok' };
      perModel.clear();
      oneShots.length = 0;
      markerCounts.clear();
      cached.clear();
      requests.length = 0;
    },
    keyMatches: (req, key) => !!req.keyHash && req.keyHash === hashKey(key),
    setExpectedKey(key) {
      expectedKeyHash = key ? hashKey(key) : null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
