// A local stand-in for an OpenAI-compatible Chat Completions endpoint (OpenAI, OpenRouter, LiteLLM, Ollama …), faithful
// enough that the official `openai` SDK works against it through `baseURL`. Plain node:http.
//
// Endpoints: POST /v1/chat/completions (JSON or SSE stream), GET /v1/models.
// Shapes follow https://platform.openai.com/docs/api-reference/chat-streaming:
//   SSE   data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}
//         … deltas of `content`, or of `tool_calls` ({index, id, function:{name, arguments}} split over chunks)
//         → a chunk with `finish_reason` → with stream_options.include_usage a chunk with `choices: []` and `usage`
//         (prompt_tokens including cached ones, prompt_tokens_details.cached_tokens, completion_tokens, and `cost`
//         when the scenario reports one, as OpenRouter does) → data: [DONE]
//   errors {"error":{"message":"…","type":"rate_limit_error","code":null}} with `retry-after` on 429/503 when set.
//
// Scenarios (what the next answer does), first match wins: a marker in the last user message (`[[mock:429
// retry-after=1 times=1]]`), the one-shot queue, a per-model scenario, the default (initially 'ok').
// The key never lands in a record: a record keeps a keyed hash, checked with `keyMatches(req, key)`.
import type * as http from 'node:http';
import {
  cut,
  idMaker,
  keyHasher,
  listen,
  readBody,
  recordFields,
  safeHeaders,
  sleep,
  track,
  type BaseRecord,
} from '../mock-common/http';
import {
  parseMarker,
  ScenarioBook,
  scenarioControls,
  scenarioKinds,
  type MarkerArgs,
  type MockControls,
} from '../mock-common/scenarios';
import { chunkText, contentText, mockAnswer, mockTokens } from '../mock-common/text';

export type ScenarioKind =
  | 'ok' // a normal answer derived from the prompt
  | 'slow' // a normal answer, `delayMs` (default 200) between deltas
  | 'tools' // calls the first tool offered (arguments streamed in pieces), finish_reason tool_calls
  | 'cache' // a normal answer whose usage reports cached prompt tokens
  | 'stall' // the first deltas, then nothing (connection kept open)
  | 'cut' // the first deltas, then the socket is destroyed
  | 'stream-error' // the first deltas, then an SSE error object
  | '400'
  | '401'
  | '403'
  | '404'
  | '429'
  | '500'
  | '502'
  | '503';

export interface Scenario {
  kind: ScenarioKind;
  delayMs?: number;
  firstByteDelayMs?: number;
  /** 429/5xx: `retry-after` in seconds. */
  retryAfterS?: number;
  /** stall/cut/stream-error: deltas sent before (default 2). */
  afterDeltas?: number;
  /** cache: cached prompt tokens (default: half the prompt). */
  cachedTokens?: number;
  /** Report `usage.cost` in USD (as OpenRouter does). */
  cost?: number;
  words?: number;
  text?: string;
}

export type RecordedRequest = BaseRecord<ScenarioKind>;

export interface MockOpenAIOptions {
  port?: number;
  /** When set, any other bearer key gets a 401; a request without one too. */
  apiKey?: string;
  /** Models that exist; others get 404. Default: any id except ones containing "nope". */
  models?: string[];
  scenario?: Scenario | ScenarioKind;
  /** Report this `usage.cost` (USD per call) on every answer unless the scenario says otherwise. */
  cost?: number;
  log?: boolean;
}

export interface MockOpenAI extends MockControls<Scenario, RecordedRequest> {
  /** The base URL an SDK takes (`${url}/v1`). */
  baseURL: string;
  /** Only POST /v1/chat/completions. */
  completions(): RecordedRequest[];
}

const KINDS = scenarioKinds<ScenarioKind, Scenario>(
  [
    'ok',
    'slow',
    'tools',
    'cache',
    'stall',
    'cut',
    'stream-error',
    '400',
    '401',
    '403',
    '404',
    '429',
    '500',
    '502',
    '503',
  ],
  { listKnown: false },
);
export const isScenarioKind = KINDS.isKind;
const norm = KINDS.norm;
const MARKER = /\[\[mock:([^\]]+)\]\]/;
const MARKER_ARGS: MarkerArgs<Scenario> = {
  numbers: new Map<string, keyof Scenario>([
    ['delay', 'delayMs'],
    ['first-byte', 'firstByteDelayMs'],
    ['retry-after', 'retryAfterS'],
    ['after', 'afterDeltas'],
    ['cached', 'cachedTokens'],
    ['cost', 'cost'],
    ['words', 'words'],
  ]),
};

/** Prompt tokens the stand-in reports for a body: every message's text (and the tools) at four characters a token. */
export function mockPromptTokens(body: { messages?: { content?: unknown }[] }): number {
  let chars = 0;
  for (const m of body.messages ?? []) chars += contentText(m.content).length;
  return Math.max(1, Math.ceil(chars / 4));
}

/** The arguments the 'tools' scenario sends for a tool: each required string property gets "value-of-<name>". */
export function mockToolArgs(tool: any): Record<string, string> {
  const props: Record<string, unknown> = tool?.function?.parameters?.properties ?? {};
  return Object.fromEntries(Object.keys(props).map((k) => [k, `value-of-${k}`]));
}

const newId = idMaker(0, 3);
const ERR_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  429: 'rate_limit_error',
  500: 'server_error',
  502: 'server_error',
  503: 'server_error',
};

export async function startMockOpenAI(opts: MockOpenAIOptions = {}): Promise<MockOpenAI> {
  const hashKey = keyHasher(16);
  const expected = opts.apiKey ? hashKey(opts.apiKey) : null;
  const requests: RecordedRequest[] = [];
  const initial = (): Scenario => (opts.scenario ? norm(opts.scenario) : { kind: 'ok' });
  const book = new ScenarioBook<Scenario>(initial(), norm, initial);
  const modelExists = (m: string) => (opts.models ? opts.models.includes(m) : !/nope/.test(m));

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    const headers = safeHeaders(req, ['authorization', 'api-key']);
    const raw =
      typeof req.headers.authorization === 'string' ? req.headers.authorization.replace(/^Bearer\s+/i, '') : '';
    const keyHash = raw ? hashKey(raw) : null;
    const rec: RecordedRequest = recordFields(req, { id: newId('req_'), path, headers, keyHash, expected }, 'ok');
    requests.push(rec);
    track(
      res,
      rec,
      opts.log
        ? () => `[mock-openai] ${rec.method} ${rec.path} ${rec.model ?? ''} ${rec.scenario} → ${rec.status}\n`
        : undefined,
    );
    const { body } = await readBody(req, rec);
    const isChat = req.method === 'POST' && path === '/v1/chat/completions';
    const isModels = req.method === 'GET' && path === '/v1/models';
    if (!isChat && !isModels) return sendError(res, rec, 404, `Unknown request URL: ${req.method} ${path}`);
    if (expected && keyHash !== expected) return sendError(res, rec, 401, 'Incorrect API key provided.');
    if (isModels) return sendModels(res, rec, opts.models);
    if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages) || !body.messages.length) {
      return sendError(res, rec, 400, 'model and messages are required');
    }
    if (!modelExists(body.model))
      return sendError(res, rec, 404, `The model \`${body.model}\` does not exist or you do not have access to it.`);
    const sc = pick(book, body);
    rec.scenario = sc.kind;
    await answer(res, rec, body, sc, opts.cost);
  }

  const server = await listen(opts.port ?? 0, handle, (e) => ({ error: { message: `mock bug: ${e.message}` } }));
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests,
    completions: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions'),
    ...scenarioControls(book, () => {
      requests.length = 0;
    }),
    keyMatches: (r, key) => !!r.keyHash && r.keyHash === hashKey(key),
    close: server.close,
  };
}

/** The scenario of the next answer: a marker in the last user message (until used `times`), a one-shot, the
 *  model's, the default. */
function pick(book: ScenarioBook<Scenario>, body: any): Scenario {
  const msgs: { role?: string; content?: unknown }[] = Array.isArray(body?.messages) ? body.messages : [];
  const last = [...msgs].reverse().find((m) => m.role === 'user');
  const mk = parseMarker(contentText(last?.content), MARKER, isScenarioKind, MARKER_ARGS);
  if (mk) {
    const used = book.sighting(mk.raw);
    if (mk.times === null || used < mk.times) return mk.scenario;
  }
  return book.next(body.model);
}

/** Answers a chat request on scenario `sc` (`cost`: the server's default `usage.cost`). */
async function answer(res: http.ServerResponse, rec: RecordedRequest, body: any, sc: Scenario, cost?: number) {
  if (sc.firstByteDelayMs) await sleep(sc.firstByteDelayMs);
  if (/^\d+$/.test(sc.kind)) return sendError(res, rec, Number(sc.kind), `mock ${sc.kind}`, sc);
  const r = replyOf(body, sc, cost);
  rec.status = 200;
  if (!rec.stream) sendCompletion(res, rec, r);
  else await streamCompletion(res, rec, r, sc, !!body.stream_options?.include_usage);
}

/** The answer to a chat request on scenario `sc`: its text or tool call and usage. */
function replyOf(body: any, sc: Scenario, cost: number | undefined): Reply {
  const msgs: { role?: string; content?: unknown }[] = body.messages;
  const prompt = contentText([...msgs].reverse().find((m) => m.role === 'user')?.content);
  const text = sc.text ?? mockAnswer(body.model, prompt, sc.words ?? 60);
  const tool = sc.kind === 'tools' && Array.isArray(body.tools) ? body.tools[0] : null;
  const promptTokens = mockPromptTokens(body);
  const cached = sc.kind === 'cache' ? Math.min(promptTokens, sc.cachedTokens ?? Math.floor(promptTokens / 2)) : 0;
  const argsText = tool ? JSON.stringify(mockToolArgs(tool)) : '';
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: tool ? mockTokens(argsText) : mockTokens(text),
    total_tokens: 0,
    prompt_tokens_details: { cached_tokens: cached },
    ...((sc.cost ?? cost) !== undefined ? { cost: sc.cost ?? cost } : {}),
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  return {
    id: newId('chatcmpl-mock'),
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    text,
    tool,
    argsText,
    usage,
    finish: tool ? 'tool_calls' : 'stop',
  };
}

/** An error the way the endpoint answers one, with `retry-after` when the scenario sets it. */
function sendError(res: http.ServerResponse, rec: RecordedRequest, status: number, message: string, sc?: Scenario) {
  rec.status = status;
  const h: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': rec.id };
  if (sc?.retryAfterS !== undefined) h['retry-after'] = String(sc.retryAfterS);
  res.writeHead(status, h);
  res.end(JSON.stringify({ error: { message, type: ERR_TYPE[status] ?? 'server_error', param: null, code: null } }));
}

/** GET /v1/models: the known models (or two stock ones). */
function sendModels(res: http.ServerResponse, rec: RecordedRequest, models: string[] | undefined) {
  rec.status = 200;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      object: 'list',
      data: (models ?? ['gpt-4o-mini', 'llama3.2']).map((id) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: 'mock',
      })),
    }),
  );
}

/** An answer as the endpoint sends it: its id, model, text or tool call, usage and finish reason. */
interface Reply {
  id: string;
  created: number;
  model: string;
  text: string;
  /** The tool it calls (as the request offered it), with `argsText` as its arguments. */
  tool: any;
  argsText: string;
  usage: object;
  finish: string;
}

/** A non-streamed answer: one chat.completion object. */
function sendCompletion(res: http.ServerResponse, rec: RecordedRequest, r: Reply) {
  const { id, tool } = r;
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': rec.id });
  const message = tool
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: `call_${id}`, type: 'function', function: { name: tool.function.name, arguments: r.argsText } },
        ],
      }
    : { role: 'assistant', content: r.text };
  res.end(
    JSON.stringify({
      id,
      object: 'chat.completion',
      created: r.created,
      model: r.model,
      choices: [{ index: 0, message, finish_reason: r.finish }],
      usage: r.usage,
    }),
  );
}

/** A streamed answer: chunks of text or tool-call arguments, the finish reason, the usage if asked, [DONE]; or,
 *  for stall / cut / stream-error, what that scenario does after `afterDeltas` deltas. */
async function streamCompletion(
  res: http.ServerResponse,
  rec: RecordedRequest,
  r: Reply,
  sc: Scenario,
  includeUsage: boolean,
) {
  const { id, tool, argsText } = r;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': rec.id });
  const send = (choices: unknown[], extra: object = {}) =>
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: r.created, model: r.model, choices, ...extra })}\n\n`,
    );
  send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  const pieces = tool
    ? [argsText.slice(0, 5), argsText.slice(5, 12), argsText.slice(12)].filter(Boolean)
    : chunkText(r.text);
  const delay = sc.delayMs ?? (sc.kind === 'slow' ? 200 : 0);
  const breakAt = ['stall', 'cut', 'stream-error'].includes(sc.kind) ? (sc.afterDeltas ?? 2) : Infinity;
  for (let i = 0; i < pieces.length; i++) {
    if (res.destroyed) return;
    if (i === breakAt) {
      if (sc.kind === 'stall') return; // nothing more; the connection stays open
      if (sc.kind === 'cut') return cut(res); // what was written arrives, then the socket ends
      res.write(
        `data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', code: 500 } })}\n\n`,
      );
      res.end();
      return;
    }
    if (delay) await sleep(delay);
    if (tool) {
      const fn = i === 0 ? { name: tool.function.name, arguments: pieces[i] } : { arguments: pieces[i] };
      send([
        {
          index: 0,
          delta: {
            tool_calls: [{ index: 0, ...(i === 0 ? { id: `call_${id}`, type: 'function' } : {}), function: fn }],
          },
          finish_reason: null,
        },
      ]);
    } else send([{ index: 0, delta: { content: pieces[i] }, finish_reason: null }]);
  }
  send([{ index: 0, delta: {}, finish_reason: r.finish }]);
  if (includeUsage) send([], { usage: r.usage });
  res.end('data: [DONE]\n\n');
}
