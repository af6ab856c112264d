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
import type * as http from 'node:http';
import { idMaker, keyHasher, listen, readBody, recordFields, safeHeaders, sleep, track } from '../mock-common/http';
import { ScenarioBook, scenarioControls } from '../mock-common/scenarios';
import { chunkText, lastUserText, mockAnswer } from '../mock-common/text';
import { cachePrefixes, mockInputTokens, mockTokens, mockToolInput } from './content';
import { sendMessage, streamMessage, type Answer } from './reply';
import { markerIn, norm, REFUSAL_TEXT, sendError, sendJson, validate } from './scenario';
import type { MockAnthropic, MockAnthropicOptions, RecordedRequest, Scenario } from './types';

export { chunkText, mockAnswer, stripMarker } from '../mock-common/text';
export { contentText, MOCK_IMAGE_TOKENS, mockInputTokens, mockTokens, mockToolInput } from './content';
export { isScenarioKind, REFUSAL_TEXT } from './scenario';
export type { MockAnthropic, MockAnthropicOptions, RecordedRequest, Scenario, ScenarioKind } from './types';

const newId = idMaker(4, 4);

export async function startMockAnthropic(opts: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const hashKey = keyHasher(32);
  let expectedKeyHash: string | null = opts.apiKey ? hashKey(opts.apiKey) : null;
  const contextWindow = opts.contextWindow ?? 200_000;
  const models = opts.models ? new Set(opts.models) : null;
  const modelExists = (m: string) => (models ? models.has(m) : /^claude-[\w.-]*(haiku|sonnet|opus)[\w.-]*$/.test(m));

  const book = new ScenarioBook<Scenario>(norm(opts.scenario ?? 'ok'), norm, () => ({ kind: 'ok' }));
  const requests: RecordedRequest[] = [];
  /** Cached prefixes (model + text) and how long they live (ms since epoch). */
  const cached = new Map<string, number>();
  const cacheMin = opts.cacheMinTokens ?? 1024;

  function pickScenario(body: any): Scenario {
    const model = typeof body?.model === 'string' ? body.model : '';
    const choice = body?.tool_choice?.type;
    if ((choice === 'any' || choice === 'tool') && Array.isArray(body?.tools) && body.tools.length) {
      return { kind: 'tool', ...(choice === 'tool' ? { tool: String(body.tool_choice.name) } : {}) };
    }
    const marker = markerIn(lastUserText(body));
    if (marker) {
      if (marker.times === null) return marker.scenario;
      const n = book.sighting(`${model}\u0000${lastUserText(body)}`);
      if (n < marker.times) return marker.scenario;
      return { kind: 'ok' };
    }
    return book.next(model);
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

  /** The answer to a Messages request on scenario `sc`, ready to send. */
  function prepare(body: any, sc: Scenario): Answer {
    const call = toolCallOf(body, sc);
    const answered = answerOf(body, sc);
    const text = call ? (sc.text ?? `I'll call ${call.name}.`) : answered.text;
    const callJson = call ? JSON.stringify(call.input) : '';
    const chunks = chunkText(text);
    const outputTokens = mockTokens(text) + mockTokens(callJson);
    return {
      id: newId('msg_mock_'),
      model: body.model,
      text,
      stop: call ? 'tool_use' : answered.stop,
      call,
      callJson,
      chunks,
      usage: usageOf(body, sc, outputTokens),
      outputTokens,
      delayMs: sc.delayMs ?? (sc.kind === 'slow' ? 200 : 0),
      breakAt:
        sc.kind === 'stall' || sc.kind === 'cut' || sc.kind === 'stream-error'
          ? Math.min(sc.afterDeltas ?? 2, chunks.length)
          : -1,
    };
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
    const a = prepare(body, sc);
    if (!body.stream) return sendMessage(req, res, rec, a, sc);
    await streamMessage(res, rec, a, sc);
  }

  /** GET /v1/models and /v1/models/{id}. */
  function handleModels(res: http.ServerResponse, rec: RecordedRequest, path: string) {
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
  }

  /** POST /v1/messages/count_tokens. */
  function handleCount(res: http.ServerResponse, rec: RecordedRequest, body: any) {
    // count_tokens sees the standing scenarios' refusals of service (a '401' default also rejects counting),
    // but never consumes one-shot or marker scenarios, which are about the next answer.
    const standing = book.standing(body.model);
    rec.scenario = standing.kind;
    if (/^\d+$/.test(standing.kind)) return sendError(res, rec, Number(standing.kind), undefined, standing);
    sendJson(res, rec, JSON.stringify({ input_tokens: mockInputTokens(body) }));
  }

  /** A new record of the request (never its key: a keyed hash of it). */
  function record(req: http.IncomingMessage, path: string): RecordedRequest {
    const rawKey =
      typeof req.headers['x-api-key'] === 'string'
        ? req.headers['x-api-key']
        : typeof req.headers.authorization === 'string'
          ? req.headers.authorization.replace(/^Bearer\s+/i, '')
          : '';
    const keyHash = rawKey ? hashKey(rawKey) : null;
    const headers = safeHeaders(req, ['x-api-key', 'authorization']);
    const base = recordFields(req, { id: newId('req_mock_'), path, headers, keyHash, expected: expectedKeyHash }, 'ok');
    const rec: RecordedRequest = Object.assign(base, { url: path, deltasSent: 0 });
    requests.push(rec);
    return rec;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    const rec = record(req, path);
    track(
      res,
      rec,
      opts.log
        ? () =>
            `[mock-anthropic] ${rec.method} ${rec.path} ${rec.model ?? ''} ${rec.scenario} → ${rec.status}${rec.aborted ? ' (closed early)' : ''}\n`
        : undefined,
    );
    const { raw, body } = await readBody(req, rec);
    const isMessages = req.method === 'POST' && path === '/v1/messages';
    const isCount = req.method === 'POST' && path === '/v1/messages/count_tokens';
    const isModels = req.method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'));
    if (!isMessages && !isCount && !isModels) return sendError(res, rec, 404, `Not Found: ${req.method} ${path}`);
    if (!rec.keyHash) return sendError(res, rec, 401, 'x-api-key header is required');
    if (expectedKeyHash && rec.keyHash !== expectedKeyHash) return sendError(res, rec, 401, 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return sendError(res, rec, 400, 'anthropic-version: header is required');
    if (isModels) return handleModels(res, rec, path);
    if (body === null && raw)
      return sendError(res, rec, 400, 'There was an issue with the format of your request: the body is not valid JSON');
    const bad = validate(body, isCount);
    if (bad) return sendError(res, rec, 400, bad);
    if (!modelExists(body.model)) return sendError(res, rec, 404, `model: ${body.model}`);
    if (isCount) return handleCount(res, rec, body);
    await handleMessages(req, res, rec, body);
  }

  const server = await listen(opts.port ?? 0, handle, (e) => ({
    type: 'error',
    error: { type: 'api_error', message: `mock server bug: ${e.message}` },
  }));

  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    requests,
    messageRequests: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages'),
    ...scenarioControls(book, () => {
      cached.clear();
      requests.length = 0;
    }),
    keyMatches: (req, key) => !!req.keyHash && req.keyHash === hashKey(key),
    setExpectedKey(key) {
      expectedKeyHash = key ? hashKey(key) : null;
    },
    close: server.close,
  };
}
