// The resilient pool: every tier's client wrapped so that each backend (an endpoint, and each model on it) has a
// circuit breaker and health figures, and a tier with alternates (the same model through another provider: Claude
// direct and through OpenRouter, a model on two gateways) fails over to them before any text was shown. Falling back
// along the tier order stays the service's job: a paused backend fails at once with a ProviderError that says so,
// which the service treats as the tier being unavailable. Wrapping the ClientFor needs no change in the service.
import {
  ProviderError,
  type ChatRequest,
  type ChatResult,
  type ClientFor,
  type ModelClient,
  type ProviderErrorKind,
  type ToolCall,
} from '../provider/api';
import type { TierConfig, TierProvider } from '../types';
import { CircuitBreaker, DEFAULT_BREAKER, type BackendHealth, type BreakerOptions } from './breaker';

/** The same tier served elsewhere: another provider or endpoint, with that provider's model id. */
export interface Alternate {
  provider?: TierProvider;
  /** For provider "openai": one of llmRouter.endpoints. */
  endpoint?: string;
  model: string;
}

export interface PoolOptions {
  breaker?: Partial<BreakerOptions>;
  /** Alternates by tier id, tried in order after the tier's own backend. */
  alternates?: Record<string, Alternate[]>;
  now?: () => number;
  /** Called after each call's verdict with every backend's health (to keep a snapshot in the database). */
  onChange?: (health: BackendHealth[]) => void;
}

/** Failures that say something about a backend's health (a wrong key or a bad request does not). */
const MODEL_FAILURES: ReadonlySet<ProviderErrorKind> = new Set([
  'rate-limit',
  'overloaded',
  'server',
  'network',
  'timeout',
  'not-found',
]);
/** Failures of the endpoint as a whole, whichever model was asked: it cannot be reached (a 5xx from a gateway is
 *  often one upstream model's trouble, so it counts for that model). */
const ENDPOINT_FAILURES: ReadonlySet<ProviderErrorKind> = new Set(['network', 'timeout']);

/** The backend name of a tier: its endpoint for OpenAI-compatible tiers, else the provider. */
export function backendOf(t: Pick<TierConfig, 'provider' | 'endpoint'>): string {
  const p = t.provider ?? 'anthropic';
  return p === 'openai' ? (t.endpoint ?? 'openai') : p;
}

interface Route {
  endpoint: string;
  model: string;
  client: ModelClient;
}

const secs = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))} s`;

export class Pool {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly opts: BreakerOptions;
  private readonly now: () => number;

  constructor(private readonly o: PoolOptions = {}) {
    this.opts = { ...DEFAULT_BREAKER, ...o.breaker };
    this.now = o.now ?? (() => Date.now());
  }

  /** The breaker of an endpoint (model null) or of one model on it. */
  breaker(endpoint: string, model: string | null): CircuitBreaker {
    const id = model === null ? endpoint : `${endpoint}/${model}`;
    let b = this.breakers.get(id);
    if (!b) this.breakers.set(id, (b = new CircuitBreaker(id, endpoint, model, this.opts)));
    return b;
  }

  /** Every backend that has had a verdict (an endpoint only counts the failures of the endpoint itself). */
  health(): BackendHealth[] {
    const t = this.now();
    return [...this.breakers.values()]
      .map((b) => b.health(t))
      .filter((h) => h.calls > 0)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Every tier's client, pooled: breakers, health, and alternates for the same tier. */
  wrap(base: ClientFor): ClientFor {
    const made = new Map<ModelClient | null, Map<string, ModelClient | null>>();
    return (tier) => {
      const own = base(tier);
      const routes: Route[] = [];
      if (own) routes.push({ endpoint: backendOf(tier), model: tier.model, client: own });
      for (const a of this.o.alternates?.[tier.id] ?? []) {
        const alt: TierConfig = {
          ...tier,
          model: a.model,
          provider: a.provider ?? (a.endpoint ? 'openai' : 'anthropic'),
          ...(a.endpoint ? { endpoint: a.endpoint } : {}),
        };
        const c = base(alt);
        if (c) routes.push({ endpoint: backendOf(alt), model: a.model, client: c });
      }
      if (!routes.length) return null;
      // The same wrapper for the same clients: the service asks once per request.
      const key = routes.map((r) => `${r.endpoint}/${r.model}`).join('|');
      let byKey = made.get(own);
      if (!byKey) made.set(own, (byKey = new Map()));
      if (!byKey.has(key))
        byKey.set(key, new PooledClient(this, routes, this.now, () => this.o.onChange?.(this.health())));
      return byKey.get(key)!;
    };
  }
}

class PooledClient implements ModelClient {
  constructor(
    private readonly pool: Pool,
    private readonly routes: Route[],
    private readonly now: () => number,
    private readonly changed: () => void,
  ) {}

  async stream(
    req: ChatRequest,
    onText?: (delta: string) => void,
    onToolCall?: (call: ToolCall) => void,
  ): Promise<ChatResult> {
    let last: unknown = null;
    for (const [i, r] of this.routes.entries()) {
      const ep = this.pool.breaker(r.endpoint, null);
      const md = this.pool.breaker(r.endpoint, r.model);
      const t = this.now();
      const a = ep.admit(t);
      const b = a.ok ? md.admit(t) : a;
      if (!a.ok || !b.ok) {
        if (a.ok) ep.release();
        const denied = !a.ok ? a : (b as Extract<typeof b, { ok: false }>);
        const who = !a.ok ? r.endpoint : md.id;
        last = new ProviderError(
          'overloaded',
          `${who} is paused (${denied.why}); it is tried again in ${secs(denied.retryInMs)}.`,
        );
        continue;
      }
      let shown = false;
      try {
        const res = await r.client.stream(
          { ...req, model: r.model },
          onText &&
            ((d) => {
              shown = true;
              onText(d);
            }),
          onToolCall,
        );
        const done = this.now();
        ep.success(done, res.latencyMs, res.ttftMs);
        md.success(done, res.latencyMs, res.ttftMs);
        this.changed();
        return res;
      } catch (e) {
        const pe = e instanceof ProviderError ? e : null;
        if (!pe || !MODEL_FAILURES.has(pe.kind)) {
          ep.release();
          md.release();
          throw e;
        }
        const done = this.now();
        md.failure(done, pe.message, pe.retryAfterMs);
        if (ENDPOINT_FAILURES.has(pe.kind)) ep.failure(done, pe.message, pe.retryAfterMs);
        else ep.release();
        this.changed();
        last = e;
        // An answer already on screen is not started again elsewhere; the service decides what comes next.
        if (shown || req.signal?.aborted || i === this.routes.length - 1) throw e;
      }
    }
    throw last ?? new ProviderError('server', 'No backend could take the request.');
  }

  async countTokens(req: Omit<ChatRequest, 'maxTokens' | 'signal'>): Promise<number> {
    const r =
      this.routes.find(
        (x) =>
          this.pool.breaker(x.endpoint, null).state !== 'open' &&
          this.pool.breaker(x.endpoint, x.model).state !== 'open',
      ) ?? this.routes[0];
    return r.client.countTokens({ ...req, model: r.model });
  }
}
