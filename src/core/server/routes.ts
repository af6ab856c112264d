// The endpoint's routes, each a function of the request and the endpoint's context: GET /v1/models, POST
// /v1/messages/count_tokens, POST /v1/messages and /v1/chat/completions (answered through ./dispatch), and the errors
// of both APIs. Checks before the body is read: browser Origin / foreign Host (403) → token (401) → rate (429); then
// the body, at most `maxBody` bytes (413). Every message that leaves passes `scrub` (the upstream keys, the token).
import type * as http from 'node:http';
import type { AgentRouter } from '../agentRun';
import { PRESET_NAMES } from '../presets';
import { ProviderError } from '../provider/api';
import { RouteError } from '../service-api';
import {
  AnthropicStream,
  anthropicError,
  anthropicMessage,
  msgId,
  parseAnthropic,
  parseAnthropicCount,
} from './anthropicApi';
import {
  chooseModel,
  dispatch,
  providerHttp,
  ROUTED_MODELS,
  routingTurn,
  type EndpointBackend,
  type Sink,
} from './dispatch';
import { OpenAIStream, completionId, openaiCompletion, openaiError, parseOpenAI } from './openaiApi';
import { refuse, type RateLimiter } from './security';
import { clientName, HttpError, parseJson, type Api, type EndpointRequest } from './wire';

export interface RouteContext {
  be: EndpointBackend;
  token: string;
  /** Host header values this endpoint answers to (set once it listens). */
  hosts: Set<string>;
  limiter: RateLimiter;
  maxBody: number;
  agents: AgentRouter;
  scrub(s: string): string;
}

const mb = (n: number) => (n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`);

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, 'too_large', `The request body is larger than ${mb(max)}: refused.`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/** The API a request speaks: by its path, and for the shared GET /v1/models by the Anthropic headers it carries. */
export function apiOf(path: string, h: http.IncomingHttpHeaders): Api {
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1/chat/')) return 'openai';
  return h['anthropic-version'] !== undefined || (h['x-api-key'] !== undefined && h.authorization === undefined)
    ? 'anthropic'
    : 'openai';
}

/** An error in the request's API's own shape; `x-should-retry` tells both SDKs whether trying again can help. */
export function sendError(ctx: RouteContext, res: http.ServerResponse, api: Api, e: HttpError): void {
  const safe = new HttpError(e.status, e.kind, ctx.scrub(e.message), e.retryAfterS);
  const status = api === 'openai' && safe.status === 529 ? 503 : safe.status;
  const retry = safe.kind === 'rate_limit' || safe.kind === 'overloaded';
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-should-retry': retry ? 'true' : 'false',
    ...(safe.retryAfterS ? { 'retry-after': String(safe.retryAfterS) } : {}),
  });
  res.end(JSON.stringify(api === 'anthropic' ? anthropicError(safe) : openaiError(safe)));
}

/** Whatever a route threw, as an HttpError (an upstream failure keeps its status). */
export function asHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof ProviderError) return providerHttp(e, e.message);
  return new HttpError(500, 'api', `LLM Router endpoint failed: ${(e as Error)?.message ?? String(e)}`);
}

/** The models list: one shape both SDKs read (Anthropic's fields and OpenAI's side by side). */
function models(be: EndpointBackend, api: Api) {
  const cfg = be.service(null).config;
  const ids = [...ROUTED_MODELS, ...PRESET_NAMES, ...cfg.tiers.map((t) => t.model)];
  const created = Math.floor(Date.now() / 1000);
  const name = (id: string) =>
    id === 'llm-router' || id === 'auto'
      ? 'LLM Router (routed)'
      : (PRESET_NAMES as readonly string[]).includes(id)
        ? `LLM Router (${id} preset)`
        : (cfg.tiers.find((t) => t.model === id)?.label ?? id);
  const data = ids.map((id) => ({
    id,
    object: 'model',
    type: 'model',
    created,
    created_at: new Date(created * 1000).toISOString(),
    owned_by: 'llm-router',
    display_name: name(id),
  }));
  return api === 'anthropic'
    ? {
        data,
        has_more: false,
        first_id: data[0]?.id ?? null,
        last_id: data[data.length - 1]?.id ?? null,
        object: 'list',
      }
    : { object: 'list', data };
}

function json(res: http.ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Answers one request; resolves with a few words for the log line, throws what should become an error response. */
export async function handle(ctx: RouteContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<string> {
  const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
  const api = apiOf(path, req.headers);
  const denied = refuse(req.headers, ctx.hosts, ctx.token);
  if (denied) {
    sendError(ctx, res, api, new HttpError(denied.status, denied.kind, denied.message));
    return `refused ${denied.status}`;
  }
  const wait = ctx.limiter.take();
  if (wait > 0) {
    sendError(
      ctx,
      res,
      api,
      new HttpError(429, 'rate_limit', `Too many requests to the LLM Router endpoint: try again in ${wait} s.`, wait),
    );
    return 'rate-limited';
  }

  if (req.method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) {
    const list = models(ctx.be, api);
    if (path === '/v1/models') {
      json(res, list);
      return 'models';
    }
    const one = list.data.find((m) => m.id === decodeURIComponent(path.slice('/v1/models/'.length)));
    if (!one)
      throw new HttpError(404, 'not_found', `No model "${path.slice('/v1/models/'.length).slice(0, 80)}" here.`);
    json(res, one);
    return 'model';
  }
  const route = req.method === 'POST' ? path : '';
  if (route !== '/v1/messages' && route !== '/v1/messages/count_tokens' && route !== '/v1/chat/completions') {
    throw new HttpError(
      404,
      'not_found',
      `${req.method} ${path.slice(0, 80)} is not an endpoint here: POST /v1/messages, POST /v1/messages/count_tokens, POST /v1/chat/completions, GET /v1/models.`,
    );
  }
  const body = parseJson(await readBody(req, ctx.maxBody));
  if (route === '/v1/messages/count_tokens') return countTokens(ctx, parseAnthropicCount(body), res);
  return answer(ctx, route === '/v1/messages' ? parseAnthropic(body) : parseOpenAI(body), req, res);
}

/** A Messages or Chat Completions request, answered as JSON or as the API's event stream. */
async function answer(
  ctx: RouteContext,
  er: EndpointRequest,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<string> {
  const id = er.api === 'anthropic' ? msgId() : completionId();
  const title = req.headers['x-title'];
  const client = clientName(req.headers['user-agent'], Array.isArray(title) ? title[0] : title);
  const ac = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  let sink: Sink | undefined;
  let stream: AnthropicStream | OpenAIStream | undefined;
  if (er.stream) {
    const s = er.api === 'anthropic' ? new AnthropicStream(res, id) : new OpenAIStream(res, id, er.includeUsage);
    stream = s;
    sink = {
      open: (h) =>
        s instanceof AnthropicStream ? s.open(h.headers, h.model, h.inputTokens) : s.open(h.headers, h.model),
      text: (t) => s.text(t),
      toolCall: (c) => s.toolCall(c),
    };
  }
  try {
    const r = await dispatch(er, ctx.be, { id, client, signal: ac.signal, sink, agents: ctx.agents });
    if (stream) stream.end(r.answer);
    else json(res, er.api === 'anthropic' ? anthropicMessage(r.answer) : openaiCompletion(r.answer), r.headers);
    return `${r.headers['x-llm-router-tier']} ${r.answer.model} ${client ?? ''}`.trim();
  } catch (e) {
    if (e instanceof RouteError && e.kind === 'cancelled') {
      res.destroy();
      return 'cancelled by the client';
    }
    if (stream?.started && e instanceof HttpError) {
      stream.fail(new HttpError(e.status, e.kind, ctx.scrub(e.message)));
      return `failed mid-stream ${e.status}`;
    }
    throw e;
  }
}

/** count_tokens on the model the request would go to (the router's choice for "llm-router"); nothing recorded. */
async function countTokens(ctx: RouteContext, er: EndpointRequest, res: http.ServerResponse): Promise<string> {
  const svc = ctx.be.service(null);
  const choice = chooseModel(er.model, svc.config);
  const turn = routingTurn(er);
  const tiers = svc.config.tiers;
  const tier = choice.override
    ? tiers.find((t) => t.id === choice.override)!
    : tiers[
        (choice.preset ? ctx.be.service(choice.preset) : svc).decide({
          prompt: turn.prompt,
          history: turn.history,
          override: null,
        }).tier
      ];
  const model = choice.send ?? tier.model;
  const got = await ctx.be.client();
  const client = typeof got === 'function' ? got(tier) : got;
  // Without a key: the estimate the router itself uses (system, tools, every message, images).
  const n = client
    ? await client.countTokens({
        model,
        system: er.system,
        messages: er.messages,
        ...(er.tools ? { tools: er.tools } : {}),
      })
    : turn.inputTokens;
  json(res, { input_tokens: n }, { 'x-llm-router-model': model });
  return `count_tokens ${model}`;
}
