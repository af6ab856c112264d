// One request of an agent loop. The first request of a person's turn is routed on what they asked (./agentTurn.ts)
// by the routing service, with the whole structured conversation and the tools sent as they are. Requests that bring
// back the results of tool calls the loop made stay on the loop's tier (the prompt cache keeps working and the model
// does not change mid-task) unless the budget forces a cheaper one, and add their usage and cost to the loop's one
// decision: the record shows the whole loop's tokens and cost.
import { AgentLoops, readAgentTurn, type LoopEntry } from './agentTurn';
import { checkWorstCase, worstCaseCost } from './budget';
import { tierLabel } from './format';
import { usageCost } from './pricing';
import {
  ProviderError,
  type ChatMessage,
  type ChatResult,
  type ClientFor,
  type ModelClient,
  type ToolCall,
  type ToolSpec,
} from './provider/api';
import { RouteError, type RouteOutcome, type RouterService } from './service-api';
import type { Decision, DecisionRecord, RouterConfig, Source, Usage } from './types';

export interface AgentRequest {
  messages: ChatMessage[];
  system?: string;
  tools?: ToolSpec[];
  toolMode?: 'auto' | 'required';
  source: Source;
  /** A tier forced for this request (a pinned picker entry): id or label. */
  override?: string | null;
  maxTokens?: number;
  signal?: AbortSignal;
  onDecision?(d: Decision, continued: boolean): void;
  onText?(delta: string): void;
  onToolCall?(call: ToolCall): void;
  onNotice?(message: string): void;
}

export interface AgentOutcome {
  /** The loop's decision (the same for every request of one loop). */
  decisionId: string;
  tierId: string;
  model: string;
  /** True when this request continued a loop instead of being routed. */
  continued: boolean;
  /** Requests of this loop so far, this one included. */
  turns: number;
  text: string;
  toolCalls: ToolCall[];
  /** This request's cost (null: unpriced). */
  costUsd: number | null;
  /** The record after this request: the loop's summed usage and cost. */
  record: DecisionRecord | null;
  /** The routing outcome when this request was routed (the first of a loop). */
  routed?: RouteOutcome;
}

const add = (a: Usage | null, b: Usage): Usage => ({
  inputTokens: (a?.inputTokens ?? 0) + b.inputTokens,
  outputTokens: (a?.outputTokens ?? 0) + b.outputTokens,
  cacheWriteTokens: (a?.cacheWriteTokens ?? 0) + b.cacheWriteTokens,
  cacheReadTokens: (a?.cacheReadTokens ?? 0) + b.cacheReadTokens,
  ...((a?.cacheWrite1hTokens ?? 0) + (b.cacheWrite1hTokens ?? 0)
    ? { cacheWrite1hTokens: (a?.cacheWrite1hTokens ?? 0) + (b.cacheWrite1hTokens ?? 0) }
    : {}),
});
const tierIs = (cfg: RouterConfig, id: string, name: string): boolean =>
  cfg.tiers.some(
    (t) => t.id === id && [t.id, t.label, t.model].some((n) => n.toLowerCase() === name.trim().toLowerCase()),
  );
const sum = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

/** Routes and answers agent requests; remembers loops (by tool call ids) so their later requests stay on one tier. */
export class AgentRouter {
  constructor(private readonly loops = new AgentLoops()) {}

  async run(service: RouterService, req: AgentRequest, clients: ClientFor): Promise<AgentOutcome> {
    const turn = readAgentTurn(req.messages, req.system, req.tools);
    if (!turn.prompt) throw new RouteError('provider', 'The request has no text from the person to answer.');
    const found = turn.continuation ? this.loops.find(turn.toolCallIds) : null;
    // a pinned request continues its loop only on the pinned tier
    // (and only while its tier is still configured: settings may have changed mid-loop)
    const stillThere = !!found && service.config.tiers.some((t) => t.id === found.tierId);
    const loop =
      found && stillThere && (!req.override || tierIs(service.config, found.tierId, req.override)) ? found : null;
    const rec = loop ? service.store.getDecision(loop.decisionId) : null;
    if (loop && rec) return this.continueLoop(service, req, clients, loop, rec, turn.inputTokens);

    const toolCalls: ToolCall[] = [];
    const o = await service.run(
      {
        prompt: turn.prompt,
        history: turn.history,
        source: req.source,
        override: req.override ?? null,
        system: req.system,
        maxTokens: req.maxTokens,
        signal: req.signal,
        onDecision: (d) => req.onDecision?.(d, false),
        onText: req.onText,
        onNotice: req.onNotice,
        agent: {
          messages: req.messages,
          tools: req.tools,
          toolMode: req.toolMode,
          inputTokens: turn.inputTokens,
          onToolCall: (c) => {
            toolCalls.push(c);
            req.onToolCall?.(c);
          },
        },
      },
      clients,
    );
    const entry: LoopEntry = {
      decisionId: o.record.id,
      tierId: o.record.tierId,
      model: o.record.answeredModel ?? o.record.model,
      turns: 1,
      time: 0,
    };
    if (toolCalls.length)
      this.loops.remember(
        entry,
        toolCalls.map((c) => c.id),
      );
    return {
      decisionId: o.record.id,
      tierId: o.record.tierId,
      model: entry.model,
      continued: false,
      turns: 1,
      text: o.text,
      toolCalls,
      costUsd: o.totalCostUsd,
      record: o.record,
      routed: o,
    };
  }

  /** A later request of a loop: on the loop's tier (or the nearest cheaper one the budget allows), added to its decision. */
  private async continueLoop(
    service: RouterService,
    req: AgentRequest,
    clients: ClientFor,
    loop: LoopEntry,
    rec: DecisionRecord,
    inputTokens: number,
  ): Promise<AgentOutcome> {
    const cfg = service.config;
    const { tier, client, reason } = this.loopTier(service, cfg, req, clients, rec, inputTokens);
    const t = cfg.tiers[tier];
    req.onDecision?.(
      { ...rec, tier, tierId: t.id, model: t.model, reasons: reason ? [...rec.reasons, reason] : rec.reasons },
      true,
    );
    if (reason) req.onNotice?.(reason);
    const toolCalls: ToolCall[] = [];
    const maxTokens = Math.max(1, Math.min(req.maxTokens ?? cfg.defaultMaxOutputTokens, t.maxOutputTokens));
    // Held like any routed call: a loop running in one window is seen by the budget of every other window and process.
    const held = await service.holdCall(rec, worstCaseCost(cfg, t.model, inputTokens, maxTokens));
    if ('refused' in held) {
      service.store.updateDecision(rec.id, { reasons: [...rec.reasons, `budget: ${held.refused}`] });
      throw new RouteError(
        'blocked',
        `Not sent: the next step of this agent loop on ${tierLabel(cfg, tier)} ${held.refused}.`,
        rec,
      );
    }
    try {
      return await this.streamLoopRequest(service, req, client, loop, rec, tier, maxTokens, reason, toolCalls);
    } finally {
      held.release();
    }
  }

  /** Streams one later request of a loop on `tier` and adds its usage and cost to the loop's decision. */
  private async streamLoopRequest(
    service: RouterService,
    req: AgentRequest,
    client: ModelClient,
    loop: LoopEntry,
    rec: DecisionRecord,
    tier: number,
    maxTokens: number,
    reason: string | null,
    toolCalls: ToolCall[],
  ): Promise<AgentOutcome> {
    const cfg = service.config;
    const t = cfg.tiers[tier];
    let result: ChatResult;
    try {
      result = await client.stream(
        {
          model: t.model,
          system: req.system,
          messages: req.messages,
          tools: req.tools,
          toolMode: req.toolMode,
          maxTokens,
          signal: req.signal,
        },
        req.onText,
        (c) => {
          toolCalls.push(c);
          req.onToolCall?.(c);
        },
      );
    } catch (e) {
      const pe = e instanceof ProviderError ? e : null;
      const cancelled = pe?.kind === 'cancelled' || !!req.signal?.aborted;
      if (pe?.partialUsage)
        this.addToRecord(service, cfg, rec, t.model, pe.partialUsage, 0, reason, cancelled ? null : pe.message);
      else if (!cancelled) service.store.updateDecision(rec.id, { status: 'error', error: pe?.message ?? String(e) });
      if (cancelled) throw new RouteError('cancelled', 'Cancelled: the answer was stopped.', rec);
      throw new RouteError(
        'provider',
        pe?.message ?? `unexpected failure: ${e instanceof Error ? e.message : String(e)}`,
        rec,
      );
    }
    const costUsd = usageCost(cfg, result.model, result.usage) ?? usageCost(cfg, t.model, result.usage);
    const after = this.addToRecord(
      service,
      cfg,
      rec,
      result.model || t.model,
      result.usage,
      result.latencyMs,
      reason,
      null,
    );
    const entry: LoopEntry = { ...loop, turns: loop.turns + 1, tierId: t.id, model: t.model };
    if (toolCalls.length)
      this.loops.remember(
        entry,
        toolCalls.map((c) => c.id),
      );
    return {
      decisionId: rec.id,
      tierId: t.id,
      model: t.model,
      continued: true,
      turns: entry.turns,
      text: result.text,
      toolCalls,
      costUsd,
      record: after,
    };
  }

  /** The loop's tier when its client is there and the budget allows the request's worst case; else the nearest cheaper. */
  private loopTier(
    service: RouterService,
    cfg: RouterConfig,
    req: AgentRequest,
    clients: ClientFor,
    rec: DecisionRecord,
    inputTokens: number,
  ): { tier: number; client: ModelClient; reason: string | null } {
    const start = Math.max(
      0,
      cfg.tiers.findIndex((t) => t.id === rec.tierId),
    );
    const budget = service.budgetState();
    let firstRefusal: string | null = null;
    for (let i = start; i >= 0; i--) {
      const t = cfg.tiers[i];
      const client = clients(t);
      if (!client) continue;
      const max = Math.min(req.maxTokens ?? cfg.defaultMaxOutputTokens, t.maxOutputTokens);
      const check = checkWorstCase(budget, worstCaseCost(cfg, t.model, inputTokens, max));
      if (check.fits) {
        const reason =
          i === start
            ? null
            : `budget: the agent loop moves from ${tierLabel(cfg, start)} to ${tierLabel(cfg, i)} (${firstRefusal ?? 'no client'})`;
        return { tier: i, client, reason };
      }
      firstRefusal ??= check.message;
    }
    const msg = `Not sent: the next step of this agent loop on ${tierLabel(cfg, start)} ${firstRefusal ?? 'has no client'}, and no cheaper tier fits either.`;
    service.store.updateDecision(rec.id, { reasons: [...rec.reasons, `budget: ${firstRefusal ?? 'no client'}`] });
    throw new RouteError(firstRefusal ? 'blocked' : 'no-key', msg, rec);
  }

  /** Adds one request's usage, cost, baseline and time to the loop's record (re-read: the last turn's sums). */
  private addToRecord(
    service: RouterService,
    cfg: RouterConfig,
    rec0: DecisionRecord,
    model: string,
    usage: Usage,
    latencyMs: number,
    reason: string | null,
    error: string | null,
  ): DecisionRecord | null {
    const store = service.store;
    const rec = store.getDecision(rec0.id) ?? rec0;
    const top = cfg.tiers[cfg.tiers.length - 1].model;
    const turns = (rec.reasons.find((r) => r.startsWith('agent loop: ')) ?? '').match(/(\d+) requests/);
    const n = (turns ? Number(turns[1]) : 1) + 1;
    const reasons = [
      ...rec.reasons.filter((r) => !r.startsWith('agent loop: ')),
      ...(reason ? [reason] : []),
      `agent loop: ${n} requests on one decision`,
    ];
    store.updateDecision(rec.id, {
      usage: add(rec.usage, usage),
      costUsd: sum(rec.costUsd, usageCost(cfg, model, usage)),
      baselineCostUsd: sum(rec.baselineCostUsd, usageCost(cfg, top, usage)),
      latencyMs: Math.round((rec.latencyMs ?? 0) + latencyMs),
      reasons,
      ...(error ? { status: 'error' as const, error } : {}),
    });
    return store.getDecision(rec.id) ?? null;
  }
}
