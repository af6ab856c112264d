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
import { createHmac, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chunkText, contentText, mockAnswer, mockTokens } from '../mock-anthropic/server';

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

export interface RecordedRequest {
  id: string;
  method: string;
  path: string;
  /** Lower-case, WITHOUT authorization / api-key. */
  headers: Record<string, string>;
  body: any;
  apiKey: 'missing' | 'present' | 'matched' | 'mismatched';
  readonly keyHash: string | null;
  model: string | null;
  stream: boolean;
  scenario: ScenarioKind;
  status: number;
  retryCount: number;
  time: number;
  closed: boolean;
  aborted: boolean;
  finished: boolean;
}

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

export interface MockOpenAI {
  url: string;
  /** The base URL an SDK takes (`${url}/v1`). */
  baseURL: string;
  requests: RecordedRequest[];
  /** Only POST /v1/chat/completions. */
  completions(): RecordedRequest[];
  setScenario(s: Scenario | ScenarioKind | null, opts?: { model?: string }): void;
  queue(s: Scenario | ScenarioKind, opts?: { times?: number; model?: string }): void;
  reset(): void;
  keyMatches(req: RecordedRequest, key: string): boolean;
  close(): Promise<void>;
}

const KINDS = new Set<string>([
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
]);
export const isScenarioKind = (s: string): s is ScenarioKind => KINDS.has(s);
const norm = (s: Scenario | ScenarioKind): Scenario => {
  const sc = typeof s === 'string' ? { kind: s } : { ...s };
  if (!isScenarioKind(sc.kind)) throw new Error(`unknown mock scenario "${sc.kind}"`);
  return sc;
};
const MARKER = /\[\[mock:([^\]]+)\]\]/;

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

function parseMarker(text: string): { scenario: Scenario; times: number | null; raw: string } | null {
  const m = MARKER.exec(text);
  if (!m) return null;
  const [kind, ...args] = m[1].trim().split(/\s+/);
  if (!isScenarioKind(kind)) return null;
  const s: Scenario = { kind };
  let times: number | null = null;
  for (const a of args) {
    const [k, v] = a.split('=');
    const n = Number(v);
    if (!Number.isFinite(n)) continue;
    if (k === 'delay') s.delayMs = n;
    else if (k === 'first-byte') s.firstByteDelayMs = n;
    else if (k === 'retry-after') s.retryAfterS = n;
    else if (k === 'after') s.afterDeltas = n;
    else if (k === 'cached') s.cachedTokens = n;
    else if (k === 'cost') s.cost = n;
    else if (k === 'words') s.words = n;
    else if (k === 'times') times = n;
  }
  return { scenario: s, times, raw: m[0] };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
let seq = 0;
const newId = (p: string) => `${p}${Date.now().toString(36)}${(seq++).toString(36)}${randomBytes(3).toString('hex')}`;
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
  const secret = randomBytes(16);
  const hashKey = (k: string) => createHmac('sha256', secret).update(k).digest('hex');
  const expected = opts.apiKey ? hashKey(opts.apiKey) : null;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  let defaultScenario: Scenario = opts.scenario ? norm(opts.scenario) : { kind: 'ok' };
  const perModel = new Map<string, Scenario>();
  const oneShots: { scenario: Scenario; left: number; model?: string }[] = [];
  const markerCounts = new Map<string, number>();
  const modelExists = (m: string) => (opts.models ? opts.models.includes(m) : !/nope/.test(m));

  const pick = (body: any): Scenario => {
    const msgs: { role?: string; content?: unknown }[] = Array.isArray(body?.messages) ? body.messages : [];
    const last = [...msgs].reverse().find((m) => m.role === 'user');
    const mk = parseMarker(contentText(last?.content));
    if (mk) {
      const used = markerCounts.get(mk.raw) ?? 0;
      markerCounts.set(mk.raw, used + 1);
      if (mk.times === null || used < mk.times) return mk.scenario;
    }
    const i = oneShots.findIndex((o) => !o.model || o.model === body.model);
    if (i >= 0) {
      const o = oneShots[i];
      if (--o.left <= 0) oneShots.splice(i, 1);
      return o.scenario;
    }
    return perModel.get(body.model) ?? defaultScenario;
  };

  const sendError = (
    res: http.ServerResponse,
    rec: RecordedRequest,
    status: number,
    message: string,
    sc?: Scenario,
  ) => {
    rec.status = status;
    const h: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': rec.id };
    if (sc?.retryAfterS !== undefined) h['retry-after'] = String(sc.retryAfterS);
    res.writeHead(status, h);
    res.end(JSON.stringify({ error: { message, type: ERR_TYPE[status] ?? 'server_error', param: null, code: null } }));
  };

  async function answer(res: http.ServerResponse, rec: RecordedRequest, body: any, sc: Scenario) {
    if (sc.firstByteDelayMs) await sleep(sc.firstByteDelayMs);
    if (/^\d+$/.test(sc.kind)) return sendError(res, rec, Number(sc.kind), `mock ${sc.kind}`, sc);
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
      ...((sc.cost ?? opts.cost) !== undefined ? { cost: sc.cost ?? opts.cost } : {}),
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = newId('chatcmpl-mock');
    const created = Math.floor(Date.now() / 1000);
    const finish = tool ? 'tool_calls' : 'stop';
    rec.status = 200;
    if (!rec.stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': rec.id });
      const message = tool
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: `call_${id}`, type: 'function', function: { name: tool.function.name, arguments: argsText } },
            ],
          }
        : { role: 'assistant', content: text };
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          choices: [{ index: 0, message, finish_reason: finish }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': rec.id });
    const send = (choices: unknown[], extra: object = {}) =>
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices, ...extra })}\n\n`,
      );
    send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    const pieces = tool
      ? [argsText.slice(0, 5), argsText.slice(5, 12), argsText.slice(12)].filter(Boolean)
      : chunkText(text);
    const delay = sc.delayMs ?? (sc.kind === 'slow' ? 200 : 0);
    const breakAt = ['stall', 'cut', 'stream-error'].includes(sc.kind) ? (sc.afterDeltas ?? 2) : Infinity;
    for (let i = 0; i < pieces.length; i++) {
      if (res.destroyed) return;
      if (i === breakAt) {
        if (sc.kind === 'stall') return; // nothing more; the connection stays open
        if (sc.kind === 'cut') {
          const so = res.socket;
          so?.end();
          setTimeout(() => so?.destroy(), 50).unref();
          return;
        } // what was written arrives, then the socket ends
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
    send([{ index: 0, delta: {}, finish_reason: finish }]);
    if (body.stream_options?.include_usage) send([], { usage });
    res.end('data: [DONE]\n\n');
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k === 'authorization' || k === 'api-key' || v === undefined) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const raw =
      typeof req.headers.authorization === 'string' ? req.headers.authorization.replace(/^Bearer\s+/i, '') : '';
    const keyHash = raw ? hashKey(raw) : null;
    const rec: RecordedRequest = {
      id: newId('req_'),
      method: req.method ?? 'GET',
      path,
      headers,
      body: null,
      apiKey: !keyHash ? 'missing' : !expected ? 'present' : keyHash === expected ? 'matched' : 'mismatched',
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
    };
    Object.defineProperty(rec, 'keyHash', { enumerable: false, value: keyHash });
    requests.push(rec);
    res.on('finish', () => {
      rec.finished = true;
    });
    res.on('close', () => {
      rec.closed = true;
      if (!rec.finished) rec.aborted = true;
      if (opts.log)
        process.stderr.write(
          `[mock-openai] ${rec.method} ${rec.path} ${rec.model ?? ''} ${rec.scenario} → ${rec.status}\n`,
        );
    });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: any = null;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
    } catch {
      body = null;
    }
    rec.body = body;
    rec.model = typeof body?.model === 'string' ? body.model : null;
    rec.stream = body?.stream === true;
    const isChat = req.method === 'POST' && path === '/v1/chat/completions';
    const isModels = req.method === 'GET' && path === '/v1/models';
    if (!isChat && !isModels) return sendError(res, rec, 404, `Unknown request URL: ${req.method} ${path}`);
    if (expected && keyHash !== expected) return sendError(res, rec, 401, 'Incorrect API key provided.');
    if (isModels) {
      rec.status = 200;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: (opts.models ?? ['gpt-4o-mini', 'llama3.2']).map((id) => ({
            id,
            object: 'model',
            created: 0,
            owned_by: 'mock',
          })),
        }),
      );
      return;
    }
    if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages) || !body.messages.length) {
      return sendError(res, rec, 400, 'model and messages are required');
    }
    if (!modelExists(body.model))
      return sendError(res, rec, 404, `The model \`${body.model}\` does not exist or you do not have access to it.`);
    const sc = pick(body);
    rec.scenario = sc.kind;
    await answer(res, rec, body, sc);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `mock bug: ${(e as Error).message}` } }));
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
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests,
    completions: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions'),
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
      defaultScenario = opts.scenario ? norm(opts.scenario) : { kind: 'ok' };
      perModel.clear();
      oneShots.length = 0;
      markerCounts.clear();
      requests.length = 0;
    },
    keyMatches: (r, key) => !!r.keyHash && r.keyHash === hashKey(key),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
