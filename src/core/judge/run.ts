// Judging one answered request: (in 'compare' mode) the top tier's own answer as the reference, then the judge
// tier's verdict. Every call is its own decision row with source 'judge' (strategy names its role: 'judge',
// 'judge-reference', 'judge-replay'), its baseline equal to its cost (so it never counts as routing savings), and
// the judged decision as its parent. A clear verdict becomes a quality signal on the judged decision (feedback with
// signals { judge: 1 | 0 }); no verdict records nothing on it. Each call first checks the budget share.
import { tierIndex } from '../config';
import { costOf, estimateTokens, priceFor } from '../pricing';
import { ProviderError, type ChatResult, type ClientFor, type ModelClient } from '../provider/api';
import { recordOf } from '../service/records';
import { tierClients } from '../service/scope';
import type { DecisionStore } from '../store/api';
import { monthStart } from '../store/days';
import type { Decision, DecisionRecord, RouterConfig } from '../types';
import { JUDGE_SYSTEM, judgePrompt, parseVerdict, type JudgeMode, type Verdict } from './verdict';

export interface JudgeSettings {
  /** Share of answered requests judged as they happen, in [0, 1] (0: off). */
  sampleRate: number;
  /** The judge's spend this month never passes this share of the monthly limit (or of this month's routing spend). */
  maxBudgetShare: number;
  /** Tier id of the judge (null: the top tier). */
  tier: string | null;
  mode: JudgeMode;
}

export const DEFAULT_JUDGE: JudgeSettings = { sampleRate: 0, maxBudgetShare: 0.05, tier: null, mode: 'compare' };

export type JudgeRole = 'judge' | 'judge-reference' | 'judge-replay';
export const JUDGE_ROLES: readonly string[] = ['judge', 'judge-reference', 'judge-replay'];

export interface JudgeContext {
  store: DecisionStore;
  config: RouterConfig;
  client: ModelClient | ClientFor | null;
  settings: JudgeSettings;
  now?: () => number;
}

export interface JudgeResult {
  decisionId: string;
  /** null when nothing was asked (skipped). */
  verdict: Verdict | null;
  /** Why it was not judged (budget share, no client, the top tier answered …). */
  skipped: string | null;
  /** The judge's calls for it, and what they cost together. */
  calls: DecisionRecord[];
  costUsd: number;
}

const JUDGE_MAX_TOKENS = 300;
const ANSWER_MAX_TOKENS = 1500;

export function judgeTier(cfg: RouterConfig, s: JudgeSettings): number {
  if (!s.tier) return cfg.tiers.length - 1;
  const i = tierIndex(cfg, s.tier);
  if (i < 0)
    throw new Error(`judge tier "${s.tier}" is not a tier: use one of ${cfg.tiers.map((t) => t.id).join(', ')}`);
  return i;
}

/** What the judge spent this month and how much it may spend (the share of the monthly limit, else of routing spend). */
export function judgeAllowance(
  store: DecisionStore,
  share: number,
  now: number,
): { spentUsd: number; allowedUsd: number } {
  const since = monthStart(now);
  const rows = store.listDecisions({ source: 'judge', since, limit: 1_000_000 }).rows;
  const spentUsd = rows.reduce((s, r) => s + (r.costUsd ?? 0), 0);
  const routing = Math.max(0, store.spendSince(since) - spentUsd);
  const base = store.getBudget().monthlyLimitUsd ?? routing;
  return { spentUsd, allowedUsd: Math.max(0, share) * base };
}

interface Call {
  role: JudgeRole;
  tier: number;
  system?: string;
  text: string;
  maxTokens: number;
}

class Refused extends Error {}

/** Makes one call, within the budget share, and records it. Throws Refused (nothing sent) or ProviderError (recorded). */
async function call(
  ctx: JudgeContext,
  judged: DecisionRecord,
  c: Call,
  clientOf: (t: number) => ModelClient | null,
): Promise<{ rec: DecisionRecord; result: ChatResult }> {
  const now = ctx.now ?? Date.now;
  const tier = ctx.config.tiers[c.tier];
  const client = clientOf(c.tier);
  if (!client) throw new Refused(`no client for ${tier.label} (no API key for its provider)`);
  const price = priceFor(ctx.config, tier.model);
  if (!price) throw new Refused(`${tier.label} has no price: the judge's share of the budget cannot be kept`);
  const inTok = estimateTokens((c.system ?? '') + c.text) + 20;
  const worst = costOf(price, {
    inputTokens: inTok,
    outputTokens: c.maxTokens,
    cacheWriteTokens: 0,
    cacheReadTokens: 0,
  });
  const a = judgeAllowance(ctx.store, ctx.settings.maxBudgetShare, now());
  if (a.spentUsd + worst > a.allowedUsd) {
    throw new Refused(
      `the judge's budget share is used up (${(ctx.settings.maxBudgetShare * 100).toFixed(1)} %: $${a.spentUsd.toFixed(4)} of $${a.allowedUsd.toFixed(4)} this month)`,
    );
  }
  // Only the judged prompt's kind is carried over: nothing else of the judged row (an experiment arm, a workflow)
  // may count this call as one of its requests.
  const decision: Decision = {
    id: globalThis.crypto.randomUUID(),
    time: now(),
    tier: c.tier,
    tierId: tier.id,
    model: tier.model,
    score: judged.score,
    complexity: judged.complexity,
    category: judged.category,
    confidence: judged.confidence,
    reasons: [
      `${c.role} for ${judged.id} (${ctx.config.tiers[judged.tier]?.label ?? judged.tierId} answer, ${ctx.settings.mode})`,
    ],
    estInputTokens: inTok,
    estCostUsd: worst,
    baselineEstCostUsd: worst,
    override: null,
    adjustments: [],
    highStakes: false,
    blocked: false,
    strategy: c.role,
  };
  const rec = recordOf(decision, { source: 'judge', prompt: null }, 'pending', judged.id);
  ctx.store.insertDecision(rec);
  try {
    const result = await client.stream({
      model: tier.model,
      system: c.system,
      messages: [{ role: 'user', content: c.text }],
      maxTokens: c.maxTokens,
    });
    const cost = costOf(priceFor(ctx.config, result.model) ?? price, result.usage);
    const done: Partial<DecisionRecord> = {
      answeredModel: result.model,
      usage: result.usage,
      costUsd: cost,
      baselineCostUsd: cost,
      latencyMs: result.latencyMs,
      ttftMs: result.ttftMs,
      status: 'ok',
    };
    ctx.store.updateDecision(rec.id, done);
    return { rec: { ...rec, ...done }, result };
  } catch (e) {
    const pe = e instanceof ProviderError ? e : null;
    const cost = pe?.partialUsage ? costOf(price, pe.partialUsage) : null;
    const failed: Partial<DecisionRecord> = {
      status: pe?.kind === 'cancelled' ? 'cancelled' : 'error',
      error: e instanceof Error ? e.message : String(e),
      usage: pe?.partialUsage ?? null,
      costUsd: cost,
      baselineCostUsd: cost,
    };
    ctx.store.updateDecision(rec.id, failed);
    throw e;
  }
}

/**
 * Judges one answered decision. `answer` is the text the user got; null re-asks the decision's model for it (a
 * recorded decision keeps its prompt, never its answer). Provider failures end in a result with no verdict.
 */
export async function judgeAnswer(
  ctx: JudgeContext,
  judged: DecisionRecord,
  prompt: string,
  answer: string | null,
): Promise<JudgeResult> {
  const calls: DecisionRecord[] = [];
  const result = (verdict: Verdict | null, skipped: string | null): JudgeResult => ({
    decisionId: judged.id,
    verdict,
    skipped,
    calls,
    costUsd: calls.reduce((s, c) => s + (c.costUsd ?? 0), 0),
  });
  const top = ctx.config.tiers.length - 1;
  if (judged.tier >= top) return result(null, 'the top tier answered it: there is nothing cheaper to judge');
  const jt = judgeTier(ctx.config, ctx.settings);
  const clientOf = tierClients(ctx.config, ctx.client);
  const step = async (c: Call): Promise<string> => {
    const r = await call(ctx, judged, c, clientOf);
    calls.push(r.rec);
    return r.result.text;
  };
  try {
    const routed =
      answer ?? (await step({ role: 'judge-replay', tier: judged.tier, text: prompt, maxTokens: ANSWER_MAX_TOKENS }));
    const reference =
      ctx.settings.mode === 'compare'
        ? await step({ role: 'judge-reference', tier: top, text: prompt, maxTokens: ANSWER_MAX_TOKENS })
        : null;
    const text = await step({
      role: 'judge',
      tier: jt,
      system: JUDGE_SYSTEM,
      text: judgePrompt(ctx.settings.mode, prompt, routed, reference),
      maxTokens: JUDGE_MAX_TOKENS,
    });
    const verdict = parseVerdict(text);
    const last = calls[calls.length - 1];
    const said =
      verdict.kind === 'none'
        ? `no verdict: ${verdict.why}`
        : `verdict: ${verdict.kind} (${verdict.score})${verdict.reason ? ` — ${verdict.reason}` : ''}`;
    ctx.store.updateDecision(last.id, { reasons: [...last.reasons, said] });
    last.reasons = [...last.reasons, said];
    if (verdict.kind !== 'none') {
      ctx.store.addFeedback({
        decisionId: judged.id,
        thumb: null,
        autoQuality: verdict.score,
        signals: { judge: verdict.kind === 'good' ? 1 : 0 },
        time: (ctx.now ?? Date.now)(),
      });
    }
    return result(verdict, null);
  } catch (e) {
    if (e instanceof Refused) return result(null, e.message);
    return result(
      { kind: 'none', why: `the judge's call failed: ${e instanceof Error ? e.message : String(e)}` },
      null,
    );
  }
}

/** Whether an answered request is judged as it happens: a draw against the sample rate (0 never, 1 always). */
export function drawSample(rate: number, random: () => number = Math.random): boolean {
  return rate > 0 && random() < Math.min(1, rate);
}
