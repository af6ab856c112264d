// `llm-router serve` and "LLM Router: Start Local Endpoint": a local HTTP endpoint speaking the Anthropic Messages
// API and OpenAI Chat Completions, every request routed, recorded (source 'endpoint') and budgeted like the
// extension's own. Plain node:http: five routes, no framework needed.
//
// Order of checks, before the body is read: browser Origin / foreign Host (403) → token (401) → rate (429); then the
// body, at most `maxBodyBytes` (413). Every message that leaves passes the redactor with the upstream key.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PRESET_NAMES } from '../presets';
import { redactSecrets } from '../redact';
import { RouteError } from '../service-api';
import { AnthropicStream, anthropicError, anthropicMessage, msgId, parseAnthropic, parseAnthropicCount } from './anthropicApi';
import { AgentRouter } from '../agentRun';
import { ProviderError } from '../provider/api';
import { chooseModel, dispatch, providerHttp, ROUTED_MODELS, routingTurn, type EndpointBackend, type Sink } from './dispatch';
import { OpenAIStream, completionId, openaiCompletion, openaiError, parseOpenAI } from './openaiApi';
import { allowedHosts, RateLimiter, refuse } from './security';
import { clientName, HttpError, parseJson, type Api } from './wire';

export interface EndpointOptions {
  backend: EndpointBackend;
  /** The bearer token every request must carry. */
  token: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 8 MB. */
  maxBodyBytes?: number;
  /** Requests a minute (token bucket; default 600, burst a sixth of it); Infinity for no limit. */
  ratePerMinute?: number;
  rateBurst?: number;
  /** One line per request (already scrubbed of the key). */
  log?(line: string): void;
}

export interface Endpoint {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Requests answered so far (any status). */
  readonly requests: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(tooLarge(max));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) { req.removeAllListeners('data'); req.resume(); reject(tooLarge(max)); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

const tooLarge = (max: number) => new HttpError(413, 'too_large', `The request body is larger than ${Math.round(max / 1024 / 1024)} MB: refused.`);

/** The API a request speaks: by its path, and for the shared GET /v1/models by the Anthropic headers it carries. */
function apiOf(path: string, h: http.IncomingHttpHeaders): Api {
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1/chat/')) return 'openai';
  return h['anthropic-version'] !== undefined || (h['x-api-key'] !== undefined && h.authorization === undefined) ? 'anthropic' : 'openai';
}

export async function startEndpoint(opts: EndpointOptions): Promise<Endpoint> {
  const host = opts.host ?? '127.0.0.1';
  const max = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const limiter = new RateLimiter(opts.ratePerMinute ?? 600, opts.rateBurst);
  const be = opts.backend;
  const scrub = (s: string) => redactSecrets(s, [...be.secrets(), opts.token]);
  const log = (line: string) => { try { opts.log?.(scrub(line)); } catch { /* a log must not fail a request */ } };
  const agents = new AgentRouter();
  let hosts = new Set<string>();
  let count = 0;

  const sendError = (res: http.ServerResponse, api: Api, e: HttpError, extra: Record<string, string> = {}) => {
    const safe = new HttpError(e.status, e.kind, scrub(e.message), e.retryAfterS);
    const status = api === 'openai' && safe.status === 529 ? 503 : safe.status;
    const retry = safe.kind === 'rate_limit' || safe.kind === 'overloaded';
    const body = JSON.stringify(api === 'anthropic' ? anthropicError(safe) : openaiError(safe));
    if (res.headersSent) { res.end(); return; }
    res.writeHead(status, {
      ...extra, 'content-type': 'application/json', 'x-should-retry': retry ? 'true' : 'false',
      ...(safe.retryAfterS ? { 'retry-after': String(safe.retryAfterS) } : {}),
    });
    res.end(body);
  };

  const models = (api: Api) => {
    const cfg = be.service(null).config;
    const ids = [...ROUTED_MODELS, ...PRESET_NAMES, ...cfg.tiers.map((t) => t.model)];
    const created = Math.floor(Date.now() / 1000);
    const data = ids.map((id) => ({
      id, object: 'model', type: 'model', created, created_at: new Date(created * 1000).toISOString(), owned_by: 'llm-router',
      display_name: id === 'llm-router' || id === 'auto' ? 'LLM Router (routed)' : (PRESET_NAMES as readonly string[]).includes(id) ? `LLM Router (${id} preset)` : (cfg.tiers.find((t) => t.model === id)?.label ?? id),
    }));
    return api === 'anthropic' ? { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, object: 'list' } : { object: 'list', data };
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<string> => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const api = apiOf(path, req.headers);
    const denied = refuse(req.headers, hosts, opts.token);
    if (denied) { sendError(res, api, new HttpError(denied.status, denied.kind, denied.message)); return `refused ${denied.status}`; }
    const wait = limiter.take();
    if (wait > 0) { sendError(res, api, new HttpError(429, 'rate_limit', `Too many requests to the LLM Router endpoint: try again in ${wait} s.`, wait)); return 'rate-limited'; }

    if (req.method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) {
      const list = models(api);
      if (path === '/v1/models') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(list)); return 'models'; }
      const one = list.data.find((m) => m.id === decodeURIComponent(path.slice('/v1/models/'.length)));
      if (!one) throw new HttpError(404, 'not_found', `No model "${path.slice('/v1/models/'.length).slice(0, 80)}" here.`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(one));
      return 'model';
    }
    const route = req.method === 'POST' ? path : '';
    if (route !== '/v1/messages' && route !== '/v1/messages/count_tokens' && route !== '/v1/chat/completions') {
      throw new HttpError(404, 'not_found', `${req.method} ${path.slice(0, 80)} is not an endpoint here: POST /v1/messages, POST /v1/messages/count_tokens, POST /v1/chat/completions, GET /v1/models.`);
    }
    const json = parseJson(await readBody(req, max));
    if (route === '/v1/messages/count_tokens') return countTokens(parseAnthropicCount(json), res);

    const er = route === '/v1/messages' ? parseAnthropic(json) : parseOpenAI(json);
    const id = er.api === 'anthropic' ? msgId() : completionId();
    const client = clientName(req.headers['user-agent'], headerStr(req.headers['x-title']));
    const ac = new AbortController();
    res.on('close', () => { if (!res.writableFinished) ac.abort(); });
    let sink: Sink | undefined;
    let stream: AnthropicStream | OpenAIStream | undefined;
    if (er.stream) {
      const s = er.api === 'anthropic' ? new AnthropicStream(res, id) : new OpenAIStream(res, id, er.includeUsage);
      stream = s;
      sink = {
        open: (h) => (s instanceof AnthropicStream ? s.open(h.headers, h.model, h.inputTokens) : s.open(h.headers, h.model)),
        text: (t) => s.text(t),
        toolCall: (c) => s.toolCall(c),
      };
    }
    try {
      const r = await dispatch(er, be, { id, client, signal: ac.signal, sink, agents });
      if (stream) stream.end(r.answer);
      else {
        res.writeHead(200, { ...r.headers, 'content-type': 'application/json' });
        res.end(JSON.stringify(er.api === 'anthropic' ? anthropicMessage(r.answer) : openaiCompletion(r.answer)));
      }
      return `${r.headers['x-llm-router-tier']} ${r.answer.model} ${client ?? ''}`.trim();
    } catch (e) {
      if (e instanceof RouteError && e.kind === 'cancelled') { res.destroy(); return 'cancelled by the client'; }
      if (stream?.started && e instanceof HttpError) { stream.fail(new HttpError(e.status, e.kind, scrub(e.message))); return `failed mid-stream ${e.status}`; }
      throw e;
    }
  };

  const countTokens = async (er: ReturnType<typeof parseAnthropicCount>, res: http.ServerResponse): Promise<string> => {
    const svc = be.service(null);
    const choice = chooseModel(er.model, svc.config);
    const turn = routingTurn(er);
    const tier = choice.override ? svc.config.tiers.find((t) => t.id === choice.override)! : svc.config.tiers[(choice.preset ? be.service(choice.preset) : svc).decide({ prompt: turn.prompt, history: turn.history, override: null }).tier];
    const model = choice.send ?? tier.model;
    const got = await be.client();
    const client = typeof got === 'function' ? got(tier) : got;
    // Without a key the estimate the router itself uses (system, tools, every message, images).
    const n = client ? await client.countTokens({ model, system: er.system, messages: er.messages, ...(er.tools ? { tools: er.tools } : {}) }) : turn.inputTokens;
    res.writeHead(200, { 'content-type': 'application/json', 'x-llm-router-model': model });
    res.end(JSON.stringify({ input_tokens: n }));
    return `count_tokens ${model}`;
  };

  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    count++;
    handle(req, res).then(
      (what) => log(`${req.method} ${req.url} ${res.statusCode} ${what} ${Math.round(performance.now() - t0)} ms`),
      (e: unknown) => {
        const path = (req.url ?? '/').split('?')[0];
        const he = e instanceof HttpError ? e
          : e instanceof ProviderError ? providerHttp(e, e.message) // count_tokens upstream
            : new HttpError(500, 'api', `LLM Router endpoint failed: ${(e as Error)?.message ?? String(e)}`);
        try { sendError(res, apiOf(path, req.headers), he); } catch { res.destroy(); }
        log(`${req.method} ${req.url} ${he.status} ${scrub(he.message).slice(0, 200)} ${Math.round(performance.now() - t0)} ms`);
      },
    );
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // answers may stream for minutes
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    host,
    port,
    get requests() { return count; },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

const headerStr = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
