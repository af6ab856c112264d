// One endpoint request through the routing service: the model name says whether the router chooses ("llm-router",
// "auto", a preset) or the client did (a tier or a real model id, still recorded and priced); the client's
// conversation and tools go to the model as sent, while the router classifies what the person asked (agent
// scaffolding removed, ../agentTurn). An agent loop stays on the tier its user turn was routed to: a request that
// brings the results of tool calls this endpoint returned continues on that tier. Errors come back as HttpErrors in
// words a user understands, never with the upstream key.
import type { AgentRouter } from '../agentRun';
import { readAgentTurn } from '../agentTurn';
import { tierIndex } from '../config';
import { isPresetName, type PresetName } from '../presets';
import { ProviderError, type ChatResult, type ClientFor, type ModelClient, type ToolCall } from '../provider/api';
import { redactSecrets } from '../redact';
import { RouteError, type RouterService } from '../service-api';
import type { Decision, RouterConfig, Usage } from '../types';
import type { Answer } from './anthropicApi';
import { bad, HttpError, type EndpointRequest } from './wire';

/** What the endpoint runs on: the routing service(s), the model client and the secrets it must never show. */
export interface EndpointBackend {
  /** The service in force (preset null), or one routing with a preset's thresholds and rules. */
  service(preset: PresetName | null): RouterService;
  /** The upstream model client, or one per tier (null when there is no API key). */
  client(): Promise<ModelClient | ClientFor | null>;
  /** Strings never to appear in a response or a log line (the upstream key). */
  secrets(): string[];
}

/** Model names that let the router choose. */
export const ROUTED_MODELS = ['llm-router', 'auto'] as const;

export interface ModelChoice {
  preset: PresetName | null;
  /** A tier the client chose, or null: the router chooses. */
  override: string | null;
  /** The model id sent instead of the tier's own (a real model that is not a tier, priced by its own id). */
  send: string | null;
}

const FAMILIES = ['haiku', 'sonnet', 'opus'];

/** What a request's `model` means here; a 404 in words for a model the endpoint cannot serve. */
export function chooseModel(name: string, config: RouterConfig): ModelChoice {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/^llm-router[/:]/, '');
  if ((ROUTED_MODELS as readonly string[]).includes(n)) return { preset: null, override: null, send: null };
  if (isPresetName(n)) return { preset: n, override: null, send: null };
  const i = tierIndex(config, n);
  if (i >= 0) return { preset: null, override: config.tiers[i].id, send: null };
  // A real model that is not a tier: it answers, recorded on the tier of its family (its own price when known).
  const fam = FAMILIES.find((f) => n.includes(f));
  const t = fam ? config.tiers.find((x) => x.model.toLowerCase().includes(fam)) : undefined;
  if (t) return { preset: null, override: t.id, send: name.trim() };
  throw new HttpError(
    404,
    'not_found',
    `The model "${name.slice(0, 80)}" is not served here. Use "llm-router" (the router chooses), a preset (economy, balanced, quality) or a tier: ${config.tiers.map((x) => `${x.id} (${x.model})`).join(', ')}.`,
  );
}

export interface Head {
  headers: Record<string, string>;
  model: string;
  inputTokens: number;
}

export interface Sink {
  /** Called before the first text delta (or the end) with the decision headers of the call that answers. */
  open(head: Head): void;
  text(delta: string): void;
  /** A whole tool call the model made, as soon as its block is complete (only for the answer the client gets). */
  toolCall(call: ToolCall): void;
}

export function decisionHeaders(
  d: Pick<Decision, 'id' | 'tierId' | 'model' | 'score'>,
  model = d.model,
  tierId = d.tierId,
): Record<string, string> {
  return {
    'x-llm-router-tier': tierId,
    'x-llm-router-model': model,
    'x-llm-router-score': d.score.toFixed(3),
    'x-llm-router-decision': d.id,
  };
}

const ZERO: Usage = { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0 };

/** A ProviderError as the status a client of either API understands (its retry logic included). */
export function providerHttp(pe: ProviderError, msg: string): HttpError {
  switch (pe.kind) {
    case 'bad-request':
      return new HttpError(400, 'invalid_request', msg);
    case 'not-found':
      return new HttpError(404, 'not_found', msg);
    case 'rate-limit':
      return new HttpError(429, 'rate_limit', msg);
    case 'overloaded':
      return new HttpError(529, 'overloaded', msg);
    case 'auth':
      return new HttpError(502, 'api', `The router's upstream key was refused: ${msg}`);
    case 'timeout':
    case 'network':
      return new HttpError(504, 'api', msg);
    default:
      return new HttpError(502, 'api', msg);
  }
}

export interface DispatchResult {
  answer: Answer;
  headers: Record<string, string>;
  decision: Decision;
}

/**
 * Runs one request. `sink` (streaming) gets the answer as it comes; the result is the whole answer. Throws an
 * HttpError (the upstream key scrubbed from its message), or RouteError 'cancelled' when `signal` aborted.
 */
/** What the router classifies for a request: the person's words in their latest turn and the turns before. */
export function routingTurn(er: Pick<EndpointRequest, 'messages' | 'system' | 'tools'>) {
  const turn = readAgentTurn(er.messages, er.system, er.tools);
  if (!turn.prompt.trim()) throw bad('messages: no user message with text to answer');
  return turn;
}

export interface DispatchOptions {
  id: string;
  /** The client program's name ("Claude Code 2.0.14"), recorded with the decision. */
  client: string | null;
  signal: AbortSignal;
  sink?: Sink;
  /** Routes agent requests and keeps their loops (one per endpoint: its requests share the loops). */
  agents: AgentRouter;
}

export async function dispatch(
  er: EndpointRequest,
  be: EndpointBackend,
  opts: DispatchOptions,
): Promise<DispatchResult> {
  const scrub = (s: string) => redactSecrets(s, be.secrets());
  routingTurn(er); // a clear 400 when there is nothing to answer
  const base = be.service(null);
  const choice = chooseModel(er.model, base.config);
  const svc = choice.preset ? be.service(choice.preset) : base;
  const cfg = svc.config;
  const inner = await be.client();
  const overrideModel = choice.override ? cfg.tiers[tierIndex(cfg, choice.override)].model : null;
  const sendAs = (model: string) => (choice.send && model === overrideModel ? choice.send : model);

  let decision: Decision | null = null;
  let lastError: ProviderError | null = null;
  let answered: ChatResult | null = null;
  let calling = '';
  const tierOf = (model: string) => cfg.tiers.find((t) => t.model === model)?.id ?? decision?.tierId ?? '';
  let opened = false;
  const open = () => {
    if (opened || !opts.sink || !decision) return;
    opened = true;
    opts.sink.open({
      headers: decisionHeaders(decision, calling, tierOf(calling)),
      model: calling,
      inputTokens: decision.estInputTokens,
    });
  };

  // Every model call of this request: on the real model the client named (when it did), its result and failure kept
  // for the answer's stop reason and usage and for the error's status.
  const wrap = (c: ModelClient): ModelClient => ({
    async stream(req, onText, onToolCall) {
      const model = sendAs(req.model);
      calling = model;
      try {
        const r = await c.stream(
          { ...req, model },
          onText &&
            ((t) => {
              open();
              onText(t);
            }),
          onToolCall &&
            ((call) => {
              open();
              onToolCall(call);
            }),
        );
        answered = r;
        return r;
      } catch (e) {
        if (e instanceof ProviderError) lastError = e;
        throw e;
      }
    },
    countTokens: (req) => c.countTokens(req),
  });
  const clients: ClientFor =
    typeof inner === 'function'
      ? (tier) => {
          const c = inner(tier);
          return c && wrap(c);
        }
      : (() => {
          const w = inner && wrap(inner);
          return () => w;
        })();

  try {
    const o = await opts.agents.run(
      svc,
      {
        messages: er.messages,
        system: er.system,
        tools: er.tools,
        toolMode: er.toolMode,
        source: 'endpoint',
        override: choice.override,
        maxTokens: er.maxTokens,
        signal: opts.signal,
        onDecision: (d, continued) => {
          // Recorded with the decision (the first request of a loop): the panel shows which program asked.
          if (opts.client && !continued) d.reasons.push(`client: ${opts.client}`);
          decision = d;
          calling = sendAs(d.model);
        },
        onText: opts.sink
          ? (t) => {
              open();
              opts.sink!.text(t);
            }
          : undefined,
        onToolCall: opts.sink
          ? (c) => {
              open();
              opts.sink!.toolCall(c);
            }
          : undefined,
      },
      clients,
    );
    const r = answered as ChatResult | null;
    const model = r?.model ?? o.record?.answeredModel ?? o.model;
    const d = decision ?? o.routed?.decision ?? (o.record as Decision);
    open();
    return {
      decision: d,
      headers: decisionHeaders({ id: o.decisionId, tierId: o.tierId, model, score: d.score }, model, o.tierId),
      answer: {
        id: opts.id,
        model,
        text: o.text,
        toolCalls: o.toolCalls,
        stopReason: r?.stopReason ?? null,
        usage: r?.usage ?? o.record?.usage ?? ZERO,
      },
    };
  } catch (e) {
    throw failure(e, lastError as ProviderError | null, scrub, () => {
      // Refused before the decision reached onDecision (a used-up budget): the record gets the client too.
      const d = e instanceof RouteError ? e.decision : null;
      if (d && opts.client && !d.reasons.includes(`client: ${opts.client}`)) {
        try {
          base.store.updateDecision(d.id, { reasons: [...d.reasons, `client: ${opts.client}`] });
        } catch {
          /* not recorded */
        }
      }
    });
  }
}

/** What a failed request throws: RouteError 'cancelled' as it is, everything else an HttpError in words. */
function failure(
  e: unknown,
  lastError: ProviderError | null,
  scrub: (s: string) => string,
  noteClient: () => void,
): unknown {
  if (e instanceof HttpError) return e;
  if (!(e instanceof RouteError))
    return new HttpError(400, 'invalid_request', scrub((e as Error)?.message ?? String(e)));
  noteClient();
  const msg = scrub(e.message);
  switch (e.kind) {
    case 'cancelled':
      return e;
    case 'blocked':
      return new HttpError(402, 'budget', `LLM Router: ${msg}`);
    case 'no-key':
      return new HttpError(
        503,
        'api',
        'LLM Router has no key for any tier: set one with “LLM Router: Set API Key” in VS Code, or ANTHROPIC_API_KEY (LLM_ROUTER_KEY_<KEYNAME> for an endpoint) where `llm-router serve` runs. Nothing was sent.',
      );
    default:
      return lastError ? providerHttp(lastError, msg) : new HttpError(502, 'api', msg);
  }
}
