// The opt-in response cache (off by default): a request identical to one answered within the TTL (or, when a
// similarity threshold is set, one whose last prompt is that close with all else equal) is answered from memory,
// with the original usage and $0 spent (ChatResult.costUsd 0, servedFrom 'cache' / 'similar'), so the decision
// shows what it saved. Never for tool calls or agent loops, never a cut-short answer, and never across workspaces
// unless asked (the scope is part of every key). Bounded: at most `maxEntries`, least recently used out first.
import type { ChatRequest, ChatResult, ClientFor, ModelClient, ToolCall } from '../provider/api';
import type { Usage } from '../types';
import { contextKey, isAgentRequest, lastPromptText, requestKey, shingles, similarity } from './key';

export interface CacheOptions {
  /** How long an answer is served (default 1 h). */
  ttlMs?: number;
  /** Most answers kept (default 500). */
  maxEntries?: number;
  /** 0 (default): exact only. Else the Jaccard similarity of the last prompt's words and word pairs, in (0, 1],
   *  from which a near-duplicate is served (0.9 is a careful choice). */
  similarity?: number;
  now?: () => number;
}

interface Entry {
  key: string;
  ctx: string;
  words: Set<string>;
  text: string;
  usage: Usage;
  model: string;
  stopReason: string | null;
  storedAt: number;
}

export interface CacheStats {
  hits: number;
  similarHits: number;
  misses: number;
  entries: number;
}

/** Answers that ended on their own (not cut by max_tokens, a refusal or a tool call) are the only ones kept. */
const COMPLETE = new Set(['end_turn', 'stop']);

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byCtx = new Map<string, Set<string>>();
  private readonly ttl: number;
  private readonly max: number;
  private readonly threshold: number;
  private readonly now: () => number;
  readonly stats: CacheStats = { hits: 0, similarHits: 0, misses: 0, entries: 0 };

  constructor(o: CacheOptions = {}) {
    this.ttl = o.ttlMs ?? 3600_000;
    this.max = Math.max(1, o.maxEntries ?? 500);
    this.threshold = o.similarity ?? 0;
    this.now = o.now ?? (() => Date.now());
  }

  /** Every tier's client, cached within `scope` (a workspace; the same scope everywhere when shared across them). */
  wrap(base: ClientFor, scope: string): ClientFor {
    const wrapped = new WeakMap<ModelClient, ModelClient>();
    return (tier) => {
      const inner = base(tier);
      if (!inner) return null;
      let w = wrapped.get(inner);
      if (!w) wrapped.set(inner, (w = new CachedClient(this, inner, scope)));
      return w;
    };
  }

  /** The cached answer for a request, or null. */
  lookup(req: ChatRequest, scope: string): { entry: Entry; similar: boolean } | null {
    const t = this.now();
    const exact = this.fresh(this.entries.get(requestKey(req, scope)), t);
    if (exact) return { entry: this.touch(exact), similar: false };
    if (this.threshold <= 0) return null;
    const keys = this.byCtx.get(contextKey(req, scope));
    if (!keys?.size) return null;
    const words = shingles(lastPromptText(req));
    let best: Entry | null = null;
    let bestSim = this.threshold;
    for (const k of keys) {
      const e = this.fresh(this.entries.get(k), t);
      if (!e) continue;
      const sim = similarity(words, e.words);
      if (sim >= bestSim) {
        best = e;
        bestSim = sim;
      }
    }
    return best ? { entry: this.touch(best), similar: true } : null;
  }

  store(req: ChatRequest, scope: string, r: ChatResult): void {
    if (r.toolCalls?.length || !COMPLETE.has(r.stopReason ?? '') || !r.text) return;
    const key = requestKey(req, scope);
    this.drop(key);
    const e: Entry = {
      key,
      ctx: contextKey(req, scope),
      words: shingles(lastPromptText(req)),
      text: r.text,
      usage: r.usage,
      model: r.model,
      stopReason: r.stopReason,
      storedAt: this.now(),
    };
    this.entries.set(key, e);
    let set = this.byCtx.get(e.ctx);
    if (!set) this.byCtx.set(e.ctx, (set = new Set()));
    set.add(key);
    while (this.entries.size > this.max) this.drop(this.entries.keys().next().value as string);
    this.stats.entries = this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.byCtx.clear();
    this.stats.entries = 0;
  }

  private fresh(e: Entry | undefined, t: number): Entry | null {
    if (!e) return null;
    if (t - e.storedAt < this.ttl) return e;
    this.drop(e.key);
    return null;
  }

  /** Most recently used last (the Map's order is the eviction order). */
  private touch(e: Entry): Entry {
    this.entries.delete(e.key);
    this.entries.set(e.key, e);
    return e;
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    const set = this.byCtx.get(e.ctx);
    set?.delete(key);
    if (set && !set.size) this.byCtx.delete(e.ctx);
    this.stats.entries = this.entries.size;
  }
}

class CachedClient implements ModelClient {
  constructor(
    private readonly cache: ResponseCache,
    private readonly inner: ModelClient,
    private readonly scope: string,
  ) {}

  countTokens(req: Omit<ChatRequest, 'maxTokens' | 'signal'>): Promise<number> {
    return this.inner.countTokens(req);
  }

  async stream(
    req: ChatRequest,
    onText?: (delta: string) => void,
    onToolCall?: (call: ToolCall) => void,
  ): Promise<ChatResult> {
    if (isAgentRequest(req)) return this.inner.stream(req, onText, onToolCall);
    const t0 = performance.now();
    const hit = this.cache.lookup(req, this.scope);
    if (hit) {
      if (hit.similar) this.cache.stats.similarHits++;
      else this.cache.stats.hits++;
      onText?.(hit.entry.text);
      const ms = performance.now() - t0;
      return {
        text: hit.entry.text,
        usage: hit.entry.usage,
        stopReason: hit.entry.stopReason,
        model: hit.entry.model,
        ttftMs: ms,
        latencyMs: ms,
        attempts: 0,
        costUsd: 0,
        servedFrom: hit.similar ? 'similar' : 'cache',
      };
    }
    this.cache.stats.misses++;
    const r = await this.inner.stream(req, onText, onToolCall);
    // A shared answer was stored by the caller that made the call.
    if (r.servedFrom === undefined) this.cache.store(req, this.scope, r);
    return r;
  }
}
