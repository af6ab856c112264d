// A request fitted to one tier: its max output tokens, the conversation history that fits the tier's context
// window, and the worst case the call can cost there.
import { worstCaseCost } from '../budget';
import { estimateTokens } from '../pricing';
import { fitHistory, MESSAGE_OVERHEAD_TOKENS, type FittedHistory } from '../provider/history';
import type { RouteRequest } from '../service-api';
import type { RouterConfig } from '../types';

export interface Fitted extends FittedHistory {
  maxTokens: number;
}

export function maxTokensFor(cfg: RouterConfig, req: RouteRequest, tier: number): number {
  return Math.max(
    1,
    Math.min(Math.floor(req.maxTokens ?? cfg.defaultMaxOutputTokens), cfg.tiers[tier].maxOutputTokens),
  );
}

/** The messages to send on `tier`: the newest history that fits its window beside the system prompt, then the prompt. */
export function fitted(cfg: RouterConfig, req: RouteRequest, tier: number): Fitted {
  const max = maxTokensFor(cfg, req, tier);
  if (req.agent) {
    // an agent's conversation goes as it is: its tool calls and results must stay paired
    const budget = cfg.tiers[tier].contextWindow - max;
    return {
      messages: [],
      dropped: 0,
      inputTokens: req.agent.inputTokens,
      promptTooLong: req.agent.inputTokens > budget,
      maxTokens: max,
    };
  }
  const sys = req.system ? estimateTokens(req.system) : 0;
  const f = fitHistory(req.history ?? [], req.prompt, cfg.tiers[tier].contextWindow - sys, max);
  return { ...f, maxTokens: max, inputTokens: f.inputTokens + sys };
}

/** Estimated input tokens that go with every call whatever history fits: the prompt and the system prompt (for an
 *  agent request, everything it sends: its conversation goes unfitted). */
export function promptTokens(req: Pick<RouteRequest, 'prompt' | 'system' | 'agent'>): number {
  if (req.agent) return req.agent.inputTokens;
  return estimateTokens(req.prompt) + MESSAGE_OVERHEAD_TOKENS + (req.system ? estimateTokens(req.system) : 0);
}

/** The most the call on `tier` can cost (null when its model has no price). */
export function worstCase(
  cfg: RouterConfig,
  req: RouteRequest,
  tier: number,
  f: Fitted = fitted(cfg, req, tier),
): number | null {
  return worstCaseCost(cfg, cfg.tiers[tier].model, f.inputTokens, f.maxTokens);
}
