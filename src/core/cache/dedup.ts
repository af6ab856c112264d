// De-duplication of requests in flight: identical requests to the same client at the same time make one upstream
// call, and each caller gets the whole stream (what came before it joined is replayed at once, then every delta as it
// arrives). One caller pays: the first still listening when the answer ends; the others record the same usage at
// $0 (ChatResult.costUsd 0, servedFrom 'shared'). A caller that cancels only leaves; the upstream call stops when
// the last one has left.
import {
  ProviderError,
  type ChatRequest,
  type ChatResult,
  type ClientFor,
  type ModelClient,
  type ToolCall,
} from '../provider/api';
import { requestKey } from './key';

interface Sub {
  onText?: (d: string) => void;
  onToolCall?: (c: ToolCall) => void;
  /** The caller's own first delta, ms after it joined. */
  ttft: number | null;
  t0: number;
  /** A callback of this caller threw: it leaves with that error. */
  fail(e: unknown): void;
}

interface Flight {
  deltas: string[];
  toolCalls: ToolCall[];
  subs: Set<Sub>;
  ac: AbortController;
  result: Promise<ChatResult>;
  /** How many callers joined (1 = no sharing). */
  joined: number;
  /** Who records the cost: the first caller still listening when the call ended (set then, once). */
  payer?: Sub;
}

export class Dedup {
  private readonly wrapped = new WeakMap<ModelClient, ModelClient>();
  /** Upstream calls saved since this Dedup was made. */
  saved = 0;

  wrap(base: ClientFor): ClientFor {
    return (tier) => {
      const inner = base(tier);
      if (!inner) return null;
      let w = this.wrapped.get(inner);
      if (!w)
        this.wrapped.set(
          inner,
          (w = new DedupClient(inner, () => {
            this.saved++;
          })),
        );
      return w;
    };
  }
}

class DedupClient implements ModelClient {
  private readonly flights = new Map<string, Flight>();
  constructor(
    private readonly inner: ModelClient,
    private readonly onShared: () => void,
  ) {}

  countTokens(req: Omit<ChatRequest, 'maxTokens' | 'signal'>): Promise<number> {
    return this.inner.countTokens(req);
  }

  stream(
    req: ChatRequest,
    onText?: (delta: string) => void,
    onToolCall?: (call: ToolCall) => void,
  ): Promise<ChatResult> {
    if (req.signal?.aborted)
      return Promise.reject(new ProviderError('cancelled', 'Cancelled before the request was sent.'));
    const key = requestKey(req);
    let f = this.flights.get(key);
    if (f) {
      f.joined++;
      this.onShared();
    } else f = this.start(key, req);
    const flight = f;
    return new Promise<ChatResult>((resolve, reject) => {
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        req.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const leave = () => {
        flight.subs.delete(sub);
        if (flight.subs.size === 0) {
          if (this.flights.get(key) === flight) this.flights.delete(key);
          flight.ac.abort();
        }
      };
      const sub: Sub = {
        t0: performance.now(),
        ttft: null,
        fail: (e) =>
          finish(() => {
            leave();
            reject(e);
          }),
        ...(onText ? { onText } : {}),
        ...(onToolCall ? { onToolCall } : {}),
      };
      let stopping = false;
      const onAbort = () => {
        if (done || stopping) return;
        stopping = true;
        leave();
        const cancelled = new ProviderError('cancelled', 'Cancelled.', null, null, flight.deltas.join(''));
        if (flight.subs.size > 0) return finish(() => reject(cancelled));
        // The last caller: the call was stopped for it, so what it billed until then is this caller's to record.
        flight.result.then(
          () => finish(() => reject(cancelled)),
          (e) =>
            finish(() =>
              reject(
                e instanceof ProviderError && e.partialUsage
                  ? new ProviderError('cancelled', e.message, e.status, e.partialUsage, e.partialText, e.retryAfterMs)
                  : cancelled,
              ),
            ),
        );
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      // What came before this caller joined, at once.
      for (const d of flight.deltas) if (!deliver(sub, () => sub.onText?.(d))) return;
      for (const c of flight.toolCalls) if (!deliver(sub, () => sub.onToolCall?.(c))) return;
      if (flight.deltas.length) sub.ttft = 0;
      flight.subs.add(sub);
      flight.result.then(
        (r) =>
          stopping ||
          finish(() => {
            const payer = (flight.payer ??= flight.subs.values().next().value) === sub;
            flight.subs.delete(sub);
            if (payer) return resolve(r);
            resolve({
              ...r,
              costUsd: 0,
              servedFrom: 'shared',
              latencyMs: performance.now() - sub.t0,
              ttftMs: sub.ttft,
              attempts: 0,
            });
          }),
        (e) =>
          stopping ||
          finish(() => {
            const payer = (flight.payer ??= flight.subs.values().next().value) === sub;
            flight.subs.delete(sub);
            // Only the payer records what the failed call billed.
            if (!payer && e instanceof ProviderError && e.partialUsage)
              return reject(new ProviderError(e.kind, e.message, e.status, null, e.partialText, e.retryAfterMs));
            reject(e);
          }),
      );
    });
  }

  private start(key: string, req: ChatRequest): Flight {
    const ac = new AbortController();
    const f: Flight = {
      deltas: [],
      toolCalls: [],
      subs: new Set(),
      ac,
      joined: 1,
      result: null as unknown as Promise<ChatResult>,
    };
    const each = (fn: (s: Sub) => void) => {
      for (const s of [...f.subs]) deliver(s, () => fn(s));
    };
    f.result = this.inner
      .stream(
        { ...req, signal: ac.signal },
        (d) => {
          f.deltas.push(d);
          each((s) => {
            if (s.ttft === null) s.ttft = performance.now() - s.t0;
            s.onText?.(d);
          });
        },
        (c) => {
          f.toolCalls.push(c);
          each((s) => s.onToolCall?.(c));
        },
      )
      .finally(() => {
        if (this.flights.get(key) === f) this.flights.delete(key);
      });
    f.result.catch(() => undefined); // every caller handles it; never an unhandled rejection
    this.flights.set(key, f);
    return f;
  }
}

/** Runs one caller's callback; a throw makes that caller leave with the error (the others go on). */
function deliver(s: Sub, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    s.fail(e);
    return false;
  }
}
