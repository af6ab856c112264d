// Recording a request's calls: the same decision moved to another tier, a record for a call, and the costs of what a
// call used (real cost on the model that answered, baseline on the top tier).
import { costOf, estimateOutputTokens, priceFor, usageCost } from '../pricing';
import type { RouteRequest } from '../service-api';
import type { DecisionStore } from '../store/api';
import type { Decision, DecisionRecord, RouterConfig, Usage } from '../types';

/** The same decision on another tier (a worst-case downgrade, a fallback or a cascade step). */
export function retier(
  cfg: RouterConfig,
  d: Decision,
  tier: number,
  reason: string,
  newId: boolean,
  now: () => number,
): Decision {
  const t = cfg.tiers[tier];
  const p = priceFor(cfg, t.model);
  const out = estimateOutputTokens(d.estInputTokens, d.complexity);
  return {
    ...d,
    id: newId ? globalThis.crypto.randomUUID() : d.id,
    time: newId ? now() : d.time,
    tier,
    tierId: t.id,
    model: t.model,
    reasons: [...d.reasons, reason],
    estCostUsd: p
      ? costOf(p, { inputTokens: d.estInputTokens, outputTokens: out, cacheWriteTokens: 0, cacheReadTokens: 0 })
      : null,
  };
}

/** What a record keeps of the request it answers (a judge's call has no prompt of its own to keep). */
export type RecordedRequest = Pick<DecisionRecord, 'source' | 'prompt'> & Pick<RouteRequest, 'workspace'>;

/** The record of `d` before its call answers (or when it never will): no answer, usage, cost or timing yet. */
export function recordOf(
  d: Decision,
  req: RecordedRequest,
  status: DecisionRecord['status'],
  parentId: string | null,
  error: string | null = null,
): DecisionRecord {
  return {
    ...d,
    source: req.source,
    prompt: req.prompt,
    answeredModel: null,
    usage: null,
    costUsd: null,
    baselineCostUsd: null,
    latencyMs: null,
    ttftMs: null,
    status,
    error,
    parentId,
    ...(req.workspace ? { workspaceName: req.workspace.name, workspaceId: req.workspace.id } : {}),
  };
}

/** Writes a record for `d` at once (dry runs, refusals). */
export function record(store: DecisionStore, ...of: Parameters<typeof recordOf>): DecisionRecord {
  const rec = recordOf(...of);
  store.insertDecision(rec);
  return rec;
}

/** The cost of a call: what the endpoint reported (`reportedUsd`, OpenRouter's usage.cost) when it did, else usage
 *  on the price table; the baseline is always the top tier's price. */
export function costs(
  cfg: RouterConfig,
  model: string,
  answeredModel: string | null,
  u: Usage,
  reportedUsd?: number,
): { costUsd: number | null; baselineCostUsd: number | null } {
  return {
    costUsd: reportedUsd ?? (answeredModel ? usageCost(cfg, answeredModel, u) : null) ?? usageCost(cfg, model, u),
    baselineCostUsd: usageCost(cfg, cfg.tiers[cfg.tiers.length - 1].model, u),
  };
}

/**
 * Bookkeeping that need not hold a request back. `write` runs once: on the check phase after the call was made
 * (setImmediate: the SDK's promise chain has handed the request to the socket by then), or when the returned
 * `settle` is called, whichever comes first; `extra` runs after it. `settle` throws what `write` threw (the call
 * then fails as it did when the record was written first) and returns what `extra` threw, for the caller to throw
 * once the call's outcome is recorded.
 */
export function afterDispatch(write: () => void, extra: (() => void) | undefined): () => unknown {
  let done = false;
  let writeError: { e: unknown } | null = null;
  let extraError: unknown;
  const run = () => {
    if (done) return;
    done = true;
    try {
      write();
    } catch (e) {
      writeError = { e };
      return;
    }
    try {
      extra?.();
    } catch (e) {
      extraError = e;
    }
  };
  const timer = setImmediate(run);
  return () => {
    clearImmediate(timer);
    run();
    if (writeError) throw (writeError as { e: unknown }).e;
    return extraError;
  };
}
