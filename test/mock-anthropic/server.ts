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
import { keyHasher, listen, readBody, recordFields, safeHeaders, sleep, track } from '../mock-common/http';
import { ScenarioBook, scenarioControls } from '../mock-common/scenarios';
import { PromptCache } from './cache';
import { mockInputTokens } from './content';
import { prepare, sendMessage, streamMessage } from './reply';
import { newId, norm, pickScenario, sendError, sendJson, validate } from './scenario';
import type { MockAnthropic, MockAnthropicOptions, RecordedRequest, Scenario } from './types';

export { chunkText, mockAnswer, stripMarker } from '../mock-common/text';
export { contentText, MOCK_IMAGE_TOKENS, mockInputTokens, mockTokens, mockToolInput } from './content';
export { isScenarioKind, REFUSAL_TEXT } from './scenario';
export type { MockAnthropic, MockAnthropicOptions, RecordedRequest, Scenario, ScenarioKind } from './types';

/** The stand-in's state and its request handler. */
class StandIn {
  readonly hashKey = keyHasher(32);
  expectedKeyHash: string | null;
  readonly book: ScenarioBook<Scenario>;
  readonly requests: RecordedRequest[] = [];
  readonly cache: PromptCache;
  private readonly contextWindow: number;
  private readonly models: Set<string> | null;

  constructor(private readonly opts: MockAnthropicOptions) {
    this.expectedKeyHash = opts.apiKey ? this.hashKey(opts.apiKey) : null;
    this.contextWindow = opts.contextWindow ?? 200_000;
    this.models = opts.models ? new Set(opts.models) : null;
    this.book = new ScenarioBook<Scenario>(norm(opts.scenario ?? 'ok'), norm, () => ({ kind: 'ok' }));
    this.cache = new PromptCache(opts.cacheMinTokens ?? 1024);
  }

  private modelExists(m: string): boolean {
    return this.models ? this.models.has(m) : /^claude-[\w.-]*(haiku|sonnet|opus)[\w.-]*$/.test(m);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    const rec = this.record(req, path);
    track(
      res,
      rec,
      this.opts.log
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
    if (this.expectedKeyHash && rec.keyHash !== this.expectedKeyHash)
      return sendError(res, rec, 401, 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return sendError(res, rec, 400, 'anthropic-version: header is required');
    if (isModels) return sendModels(res, rec, this.models, path);
    if (body === null && raw)
      return sendError(res, rec, 400, 'There was an issue with the format of your request: the body is not valid JSON');
    const bad = validate(body, isCount);
    if (bad) return sendError(res, rec, 400, bad);
    if (!this.modelExists(body.model)) return sendError(res, rec, 404, `model: ${body.model}`);
    if (isCount) return sendCount(res, rec, this.book, body);
    await this.handleMessages(req, res, rec, body);
  }

  private async handleMessages(req: http.IncomingMessage, res: http.ServerResponse, rec: RecordedRequest, body: any) {
    const sc = pickScenario(this.book, body);
    rec.scenario = sc.kind;
    if (sc.firstByteDelayMs) await sleep(sc.firstByteDelayMs);
    if (rec.closed) return;
    if (/^\d+$/.test(sc.kind)) return sendError(res, rec, Number(sc.kind), undefined, sc);
    const inputTokens = mockInputTokens(body);
    if (sc.kind === 'prompt-too-long' || inputTokens > this.contextWindow) {
      const n = sc.kind === 'prompt-too-long' ? Math.max(inputTokens, this.contextWindow + 1) : inputTokens;
      return sendError(res, rec, 400, `prompt is too long: ${n} tokens > ${this.contextWindow} maximum`);
    }
    const a = prepare(body, sc, this.cache);
    if (!body.stream) return sendMessage(req, res, rec, a, sc);
    await streamMessage(res, rec, a, sc);
  }

  /** A new record of the request (never its key: a keyed hash of it). */
  private record(req: http.IncomingMessage, path: string): RecordedRequest {
    const rawKey =
      typeof req.headers['x-api-key'] === 'string'
        ? req.headers['x-api-key']
        : typeof req.headers.authorization === 'string'
          ? req.headers.authorization.replace(/^Bearer\s+/i, '')
          : '';
    const keyHash = rawKey ? this.hashKey(rawKey) : null;
    const headers = safeHeaders(req, ['x-api-key', 'authorization']);
    const base = recordFields(
      req,
      { id: newId('req_mock_'), path, headers, keyHash, expected: this.expectedKeyHash },
      'ok',
    );
    const rec: RecordedRequest = Object.assign(base, { url: path, deltasSent: 0 });
    this.requests.push(rec);
    return rec;
  }
}

export async function startMockAnthropic(opts: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const s = new StandIn(opts);
  const server = await listen(
    opts.port ?? 0,
    (req, res) => s.handle(req, res),
    (e) => ({ type: 'error', error: { type: 'api_error', message: `mock server bug: ${e.message}` } }),
  );
  const requests = s.requests;
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    requests,
    messageRequests: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages'),
    ...scenarioControls(s.book, () => {
      s.cache.clear();
      requests.length = 0;
    }),
    keyMatches: (req, key) => !!req.keyHash && req.keyHash === s.hashKey(key),
    setExpectedKey(key) {
      s.expectedKeyHash = key ? s.hashKey(key) : null;
    },
    close: server.close,
  };
}

/** GET /v1/models and /v1/models/{id}. */
function sendModels(res: http.ServerResponse, rec: RecordedRequest, models: Set<string> | null, path: string) {
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
function sendCount(res: http.ServerResponse, rec: RecordedRequest, book: ScenarioBook<Scenario>, body: any) {
  // count_tokens sees the standing scenarios' refusals of service (a '401' default also rejects counting),
  // but never consumes one-shot or marker scenarios, which are about the next answer.
  const standing = book.standing(body.model);
  rec.scenario = standing.kind;
  if (/^\d+$/.test(standing.kind)) return sendError(res, rec, Number(standing.kind), undefined, standing);
  sendJson(res, rec, JSON.stringify({ input_tokens: mockInputTokens(body) }));
}
