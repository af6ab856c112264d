// The routing service: classify → decide (with learned adjustments and the budget) → worst-case budget check →
// record → stream through the model client (history fitted to the context window) → fall back to another tier when
// one is unavailable → record real cost, baseline and timings → score the answer automatically (and the previous
// answer from this turn) → outcome. Every model call is its own record; fallbacks and cascades count in spend and
// are refused when their worst case would pass the budget.
import { budgetState, checkWorstCase, worstCaseCost } from './budget';
import { cascadeTier, DEFAULT_CASCADE, passesGate, type CascadeSettings } from './cascade';
import { storedThresholds, THRESHOLDS_META_KEY } from './calibrate';
import { fineTune as runFineTune, resetFineTune as runResetFineTune, storeClassifier } from './classifier/finetune';
import { tierIndex } from './config';
import { decide } from './policy';
import { estimateOutputTokens, estimateTokens, costOf, priceFor, usageCost } from './pricing';
import { fitHistory } from './provider/context';
import { ProviderError, type ChatResult, type ModelClient } from './provider/api';
import { applyNextTurn, assessAnswer, nextTurnPenalty, previousExchange, type QualityResult } from './quality';
import { retrain as runRetrain, undoAdjustment as runUndo } from './retrain';
import { RouteError, type CallSummary, type RetrainResult, type RouteOutcome, type RouteRequest, type RouterService } from './service-api';
import { dayStart, monthStart } from './store/days';
import type { DecisionStore } from './store/api';
import type { BudgetState, Classifier, Decision, DecisionRecord, RouterConfig, Turn, Usage } from './types';

export interface ServiceSettings {
  cascade: CascadeSettings;
  /** Retrain automatically after this many thumbs (0: only by hand). */
  retrainEvery: number;
  /** Let retraining step a group down a tier when both tiers answer it well (off by default). */
  allowStepDown: boolean;
}

export interface CreateServiceOptions {
  config: RouterConfig;
  store: DecisionStore;
  /** Default: the configured strategy; for 'learned', the model fine-tuned on this store's feedback when one is stored
   *  (llm-router train --from-db, or the panel), otherwise the shipped model. */
  classifier?: Classifier;
  settings?: Partial<Omit<ServiceSettings, 'cascade'>> & { cascade?: boolean | Partial<CascadeSettings> };
  /** Flat forms of the settings (the VS Code glue passes these); `settings` wins where both are given. */
  cascade?: boolean | Partial<CascadeSettings>;
  retrainEvery?: number;
  allowStepDown?: boolean;
  /** Clock (tests, replay). */
  now?: () => number;
}

export const DEFAULT_SETTINGS: ServiceSettings = { cascade: DEFAULT_CASCADE, retrainEvery: 20, allowStepDown: false };

const FEEDBACK_COUNTER = 'feedbackSinceRetrain';

function cascadeSettings(v: boolean | Partial<CascadeSettings> | undefined, base: CascadeSettings): CascadeSettings {
  if (v === undefined) return base;
  if (typeof v === 'boolean') return { ...base, enabled: v };
  return { ...base, ...v };
}

export function resolveSettings(opts: CreateServiceOptions): ServiceSettings {
  const s = opts.settings ?? {};
  let cascade = cascadeSettings(opts.cascade, DEFAULT_SETTINGS.cascade);
  cascade = cascadeSettings(s.cascade, cascade);
  return {
    cascade,
    retrainEvery: Math.max(0, Math.floor(s.retrainEvery ?? opts.retrainEvery ?? DEFAULT_SETTINGS.retrainEvery)),
    allowStepDown: s.allowStepDown ?? opts.allowStepDown ?? DEFAULT_SETTINGS.allowStepDown,
  };
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

export function createRouterService(opts: CreateServiceOptions): RouterService & { readonly settings: ServiceSettings } {
  const store = opts.store;
  const baseConfig = opts.config;
  const settings = resolveSettings(opts);
  const now = opts.now ?? (() => Date.now());
  const classifier = opts.classifier ?? storeClassifier(store, baseConfig);
  /** Answers given by this process, by their text: the next turn of the same conversation finds its decision here. */
  const answered = new Map<string, string>();
  /** Worst cases of the calls this service has under way: concurrent requests cannot together pass a limit. */
  let inFlight = 0;

  /** The configuration in force: calibrated thresholds from the database override the configured ones. */
  let eff: { raw: string | null; cfg: RouterConfig } | null = null;
  const effective = (): RouterConfig => {
    const raw = store.getMeta(THRESHOLDS_META_KEY);
    if (eff?.raw === raw) return eff.cfg;
    const t = storedThresholds({ getMeta: () => raw }, baseConfig);
    eff = { raw, cfg: t ? { ...baseConfig, thresholds: t } : baseConfig };
    return eff.cfg;
  };
  const label = (cfg: RouterConfig, t: number) => cfg.tiers[t]?.label ?? `tier ${t}`;

  const overrideIndex = (cfg: RouterConfig, o: string | null | undefined): number | null => {
    if (o === undefined || o === null || !String(o).trim()) return null;
    const i = tierIndex(cfg, String(o));
    if (i < 0) throw new Error(`unknown tier "${o}": use one of ${cfg.tiers.map((t) => t.id).join(', ')}`);
    return i;
  };

  const getBudget = (): BudgetState | null => {
    const t = now();
    return budgetState(store.getBudget(), store.spendSince(dayStart(t)), store.spendSince(monthStart(t)));
  };

  const decideFor = (req: Pick<RouteRequest, 'prompt' | 'history' | 'override'>, cfg: RouterConfig, budget: BudgetState | null): Decision => {
    if (typeof req.prompt !== 'string' || !req.prompt.trim()) throw new Error('the prompt is empty: nothing to route');
    const cls = classifier.classify(req.prompt, req.history);
    return decide(cls, cfg, { override: overrideIndex(cfg, req.override), adjustments: store.listAdjustments(false), budget, now: now() });
  };

  /** The same decision on another tier (a worst-case downgrade, a fallback or a cascade step). */
  const retier = (cfg: RouterConfig, d: Decision, tier: number, reason: string, newId: boolean): Decision => {
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
      estCostUsd: p ? costOf(p, { inputTokens: d.estInputTokens, outputTokens: out, cacheWriteTokens: 0, cacheReadTokens: 0 }) : null,
    };
  };

  const recordOf = (d: Decision, req: RouteRequest, status: DecisionRecord['status'], parentId: string | null, error: string | null = null): DecisionRecord => ({
    ...d, source: req.source, prompt: req.prompt, answeredModel: null, usage: null, costUsd: null, baselineCostUsd: null,
    latencyMs: null, ttftMs: null, status, error, parentId,
  });
  const record = (d: Decision, req: RouteRequest, status: DecisionRecord['status'], parentId: string | null, error: string | null = null): DecisionRecord => {
    const rec = recordOf(d, req, status, parentId, error);
    store.insertDecision(rec);
    return rec;
  };

  const costs = (cfg: RouterConfig, model: string, answeredModel: string | null, u: Usage) => ({
    costUsd: (answeredModel ? usageCost(cfg, answeredModel, u) : null) ?? usageCost(cfg, model, u),
    baselineCostUsd: usageCost(cfg, cfg.tiers[cfg.tiers.length - 1].model, u),
  });

  const maxTokensFor = (cfg: RouterConfig, req: RouteRequest, tier: number) =>
    Math.max(1, Math.min(Math.floor(req.maxTokens ?? cfg.defaultMaxOutputTokens), cfg.tiers[tier].maxOutputTokens));
  const fitted = (cfg: RouterConfig, req: RouteRequest, tier: number) => {
    const max = maxTokensFor(cfg, req, tier);
    const f = fitHistory(req.history ?? [], req.prompt, cfg.tiers[tier].contextWindow, max);
    return { ...f, maxTokens: max, inputTokens: f.inputTokens + (req.system ? estimateTokens(req.system) : 0) };
  };
  const worstCase = (cfg: RouterConfig, req: RouteRequest, tier: number, f = fitted(cfg, req, tier)) =>
    worstCaseCost(cfg, cfg.tiers[tier].model, f.inputTokens, f.maxTokens);

  /** Finds the decision that produced the previous answer of this conversation, if this process or the store knows it. */
  const previousDecision = (history: readonly Turn[] | undefined): { id: string; prompt: string | null } | null => {
    const ex = previousExchange(history);
    if (!ex) return null;
    const known = answered.get(ex.answer.trim());
    if (known) return { id: known, prompt: ex.prompt };
    if (!ex.prompt) return null;
    const head = ex.prompt.trim().slice(0, 60);
    if (head.length < 8) return null;
    const recent = store.listDecisions({ limit: 30, status: 'ok', since: now() - 24 * 3600_000 }).rows;
    const hit = recent.find((r) => r.prompt && r.prompt.replace(/…$/, '').trim().slice(0, 60) === head);
    return hit ? { id: hit.id, prompt: ex.prompt } : null;
  };

  const scoreAnswer = (id: string, prompt: string, result: Pick<ChatResult, 'text' | 'stopReason'>): QualityResult => {
    const q = assessAnswer({ prompt, answer: result.text, stopReason: result.stopReason });
    store.addFeedback({ decisionId: id, thumb: null, autoQuality: q.score, signals: q.signals, time: now() });
    return q;
  };

  const judgePrevious = (req: RouteRequest): void => {
    const prev = previousDecision(req.history);
    if (!prev || !store.getDecision(prev.id)) return;
    const { penalty } = nextTurnPenalty(req.prompt, prev.prompt);
    if (!penalty) return;
    const fb = store.feedbackFor(prev.id).filter((f) => f.autoQuality !== null);
    const last = fb[fb.length - 1];
    const score = applyNextTurn(last?.autoQuality ?? null, penalty);
    store.addFeedback({ decisionId: prev.id, thumb: null, autoQuality: score, signals: { ...(last?.signals ?? {}), nextTurn: penalty }, time: now() });
  };

  interface Answer { rec: DecisionRecord; result: ChatResult }

  /**
   * One call on `d`'s tier, falling back to other tiers while the tier is unavailable: the next tier up first, then
   * down. Each attempt is its own record (the first is `d` itself); a fallback whose worst case would pass the budget
   * is recorded as blocked and not made. `alsoAfterDispatch` (judging the previous answer) runs with the first
   * attempt's record, after its request has left.
   */
  async function callWithFallback(
    cfg: RouterConfig, req: RouteRequest, client: ModelClient, d: Decision, role: CallSummary['role'], parentId: string | null,
    calls: CallSummary[], onText: ((s: string) => void) | undefined, alsoAfterDispatch?: () => void,
  ): Promise<Answer> {
    const top = cfg.tiers.length - 1;
    const order = [...Array.from({ length: top - d.tier }, (_, i) => d.tier + 1 + i), ...Array.from({ length: d.tier }, (_, i) => d.tier - 1 - i)];
    let cur = d;
    let parent = parentId;
    let curRole = role;
    /** The first fallback the budget refused, in words; kept while other tiers are tried. */
    let refusal: string | null = null;
    const alsoDown: string[] = [];
    for (;;) {
      const f = fitted(cfg, req, cur.tier);
      const rec = recordOf(cur, req, 'pending', parent);
      const summary: CallSummary = { decisionId: cur.id, role: curRole, model: cur.model, tier: cur.tier, status: 'pending', costUsd: null, error: null };
      calls.push(summary);
      // The reservation is made before the call; the pending record is written right after the request has left
      // (or when the call settles, whichever comes first), so the database write does not delay it.
      const reserve = worstCase(cfg, req, cur.tier, f) ?? 0;
      inFlight += reserve;
      const extra = alsoAfterDispatch;
      alsoAfterDispatch = undefined;
      const settle = afterDispatch(() => store.insertDecision(rec), extra);
      /** An error of the bookkeeping after dispatch, thrown once this call's outcome is recorded. */
      let late: unknown;
      try {
        const result = await client.stream({ model: cur.model, system: req.system, messages: f.messages, maxTokens: f.maxTokens, signal: req.signal }, onText).finally(() => { inFlight -= reserve; });
        late = settle();
        const c = costs(cfg, cur.model, result.model, result.usage);
        const patch: Partial<DecisionRecord> = {
          status: 'ok', usage: result.usage, ...c, latencyMs: Math.round(result.latencyMs), ttftMs: result.ttftMs === null ? null : Math.round(result.ttftMs),
          answeredModel: result.model,
        };
        store.updateDecision(cur.id, patch);
        Object.assign(summary, { status: 'ok', costUsd: c.costUsd });
        if (late === undefined) return { rec: { ...rec, ...patch }, result };
      } catch (e) {
        settle();
        const pe = e instanceof ProviderError ? e : null;
        const cancelled = pe?.kind === 'cancelled' || !!req.signal?.aborted;
        const usage = pe?.partialUsage ?? null;
        const c = usage ? costs(cfg, cur.model, null, usage) : { costUsd: null, baselineCostUsd: null };
        const message = pe ? pe.message : `unexpected failure: ${e instanceof Error ? e.message : String(e)}`;
        store.updateDecision(cur.id, { status: cancelled ? 'cancelled' : 'error', usage, ...c, error: cancelled ? 'cancelled by the user' : message, answeredModel: null });
        Object.assign(summary, { status: cancelled ? 'cancelled' : 'error', costUsd: c.costUsd, error: cancelled ? 'cancelled by the user' : message });
        if (cancelled) throw new RouteError('cancelled', 'Cancelled: the answer was stopped.', d);
        if (!pe || !pe.tierUnavailable) throw new RouteError('provider', message, d);

        // The tier is unavailable: find another that the budget allows.
        const tried = new Set(calls.filter((x) => x.tier >= 0).map((x) => x.tier));
        if (refusal) alsoDown.push(label(cfg, cur.tier));
        let next: number | null = null;
        for (const t of order) {
          if (tried.has(t)) continue;
          const check = checkWorstCase(getBudget(), worstCase(cfg, req, t), inFlight);
          const why = `${label(cfg, cur.tier)} unavailable (${pe.kind}) → fallback to ${label(cfg, t)}`;
          if (check.fits) { next = t; break; }
          const refused = retier(cfg, d, t, `${why} refused: ${check.message}`, true);
          record(refused, req, 'blocked', cur.id, `fallback refused by the budget: ${check.message}`);
          calls.push({ decisionId: refused.id, role: 'fallback', model: refused.model, tier: t, status: 'blocked', costUsd: null, error: `refused by the budget: ${check.message}` });
          tried.add(t);
          refusal ??= `${label(cfg, cur.tier)} is unavailable (${message}) and falling back to ${label(cfg, t)} was refused: ${check.message}.`;
        }
        if (next === null) {
          if (refusal) throw new RouteError('blocked', `${refusal}${alsoDown.length ? ` ${alsoDown.join(' and ')} ${alsoDown.length > 1 ? 'were' : 'was'} unavailable too.` : ''}`, d);
          throw new RouteError('provider', `${message} (no other tier could answer either)`, d);
        }
        req.onNotice?.(`${label(cfg, cur.tier)} is unavailable (${pe.kind}): falling back to ${label(cfg, next)}${pe.partialText ? '; the answer starts again' : ''}.`);
        parent = cur.id;
        cur = retier(cfg, d, next, `${label(cfg, cur.tier)} unavailable (${pe.kind}) → fallback to ${label(cfg, next)}`, true);
        curRole = 'fallback';
        continue;
      }
      throw late;
    }
  }

  const service: RouterService & { readonly settings: ServiceSettings } = {
    get config() {
      return effective();
    },
    store,
    settings,

    classify(prompt, history) {
      return classifier.classify(prompt, history);
    },

    decide(req) {
      return decideFor(req, effective(), getBudget());
    },

    dryRun(req) {
      const d = decideFor(req, effective(), getBudget());
      req.onDecision?.(d);
      return record(d, req, 'dry-run', null);
    },

    async run(req, client) {
      const cfg = effective();
      const budget = getBudget();
      let d = decideFor(req, cfg, budget);
      if (d.blocked) {
        const which = budget && budget.dailyLimitUsd !== null && budget.spentTodayUsd >= budget.dailyLimitUsd ? 'daily' : 'monthly';
        const msg = `Your ${which} budget is used up (${pct(budget?.usedFraction ?? 1)}): the request was not sent.`;
        record(d, req, 'blocked', null, msg);
        throw new RouteError('blocked', msg, d);
      }
      // Worst case before the call: step down until it fits; cheapest-only lets the cheapest tier through.
      const check0 = checkWorstCase(budget, worstCase(cfg, req, d.tier), inFlight);
      if (!check0.fits) {
        let t = d.tier - 1;
        while (t >= 0 && !checkWorstCase(budget, worstCase(cfg, req, t), inFlight).fits) t--;
        if (t >= 0) {
          d = retier(cfg, d, t, `budget: on ${label(cfg, d.tier)} ${check0.message} → ${label(cfg, t)}`, false);
        } else if (budget?.onExhausted === 'cheapest') {
          d = retier(cfg, d, 0, `budget: ${check0.message}; cheapest-only is on → ${label(cfg, 0)}`, false);
        } else {
          const msg = `Not sent: on ${label(cfg, d.tier)} ${check0.message}, and no cheaper tier fits either.`;
          d = { ...d, blocked: true, reasons: [...d.reasons, `budget: ${check0.message}`] };
          record(d, req, 'blocked', null, msg);
          throw new RouteError('blocked', msg, d);
        }
      }
      const cas = cascadeTier(d, cfg, settings.cascade);
      const strong = d;
      if (cas && checkWorstCase(budget, worstCase(cfg, req, cas.tier), inFlight).fits) d = retier(cfg, d, cas.tier, `cascade: ${cas.reason}`, false);
      const cascading = d !== strong;
      req.onDecision?.(d);
      if (!client) {
        throw new RouteError('no-key', 'No Anthropic API key: set one with “LLM Router: Set API Key” or the ANTHROPIC_API_KEY environment variable. Nothing was sent.', d);
      }
      const judge = () => judgePrevious(req);

      const calls: CallSummary[] = [];
      let ans: Answer;
      let quality: QualityResult;
      if (cascading) {
        // The cheaper answer is held back until it passes the gate.
        const cheap = await callWithFallback(cfg, req, client, d, 'cascade-cheap', null, calls, undefined, judge);
        const q = scoreAnswer(cheap.rec.id, req.prompt, cheap.result);
        const recheck = checkWorstCase(getBudget(), worstCase(cfg, req, strong.tier), inFlight);
        if (passesGate(q, settings.cascade) || cheap.rec.tier >= strong.tier) {
          req.onText?.(cheap.result.text);
          ans = cheap;
          quality = q;
        } else if (!recheck.fits) {
          req.onNotice?.(`${label(cfg, cheap.rec.tier)}'s answer scored ${q.score.toFixed(2)}, but escalating to ${label(cfg, strong.tier)} was refused: ${recheck.message}. Showing ${label(cfg, cheap.rec.tier)}'s answer.`);
          const refused = retier(cfg, strong, strong.tier, `cascade: escalation refused: ${recheck.message}`, true);
          record(refused, req, 'blocked', cheap.rec.id, `escalation refused by the budget: ${recheck.message}`);
          calls.push({ decisionId: refused.id, role: 'cascade-escalated', model: strong.model, tier: strong.tier, status: 'blocked', costUsd: null, error: `refused by the budget: ${recheck.message}` });
          req.onText?.(cheap.result.text);
          ans = cheap;
          quality = q;
        } else {
          const bad = Object.keys(q.signals).join(', ') || 'low score';
          req.onNotice?.(`${label(cfg, cheap.rec.tier)}'s answer fell short (quality ${q.score.toFixed(2)}: ${bad}): escalating to ${label(cfg, strong.tier)}.`);
          const esc = retier(cfg, strong, strong.tier, `cascade: ${label(cfg, cheap.rec.tier)}'s answer failed the quality gate (${q.score.toFixed(2)} < ${settings.cascade.gate}) → ${label(cfg, strong.tier)}`, true);
          ans = await callWithFallback(cfg, req, client, esc, 'cascade-escalated', cheap.rec.id, calls, req.onText);
          quality = scoreAnswer(ans.rec.id, req.prompt, ans.result);
        }
      } else {
        ans = await callWithFallback(cfg, req, client, d, 'primary', null, calls, req.onText, judge);
        quality = scoreAnswer(ans.rec.id, req.prompt, ans.result);
      }
      if (ans.result.text.trim()) {
        answered.set(ans.result.text.trim(), ans.rec.id);
        if (answered.size > 500) answered.delete(answered.keys().next().value as string);
      }
      const made = calls.filter((c) => c.status !== 'blocked');
      const totalCostUsd = made.some((c) => c.costUsd === null && c.status === 'ok') ? null : made.reduce((s, c) => s + (c.costUsd ?? 0), 0);
      const baselineCostUsd = ans.rec.baselineCostUsd;
      return {
        decision: d,
        record: store.getDecision(ans.rec.id) ?? ans.rec,
        text: ans.result.text,
        calls,
        totalCostUsd,
        baselineCostUsd,
        savedUsd: totalCostUsd !== null && baselineCostUsd !== null ? baselineCostUsd - totalCostUsd : null,
        quality: { score: quality.score, signals: quality.signals },
        budget: getBudget(),
      } satisfies RouteOutcome;
    },

    feedback(decisionId, thumb) {
      if (thumb !== 'up' && thumb !== 'down') throw new Error(`a rating is "up" or "down", not ${JSON.stringify(thumb)}`);
      const d = store.getDecision(decisionId);
      if (!d) throw new Error(`no decision with id "${decisionId}"`);
      store.addFeedback({ decisionId, thumb, autoQuality: null, signals: null, time: now() });
      const n = (Number(store.getMeta(FEEDBACK_COUNTER)) || 0) + 1;
      store.setMeta(FEEDBACK_COUNTER, String(n));
      if (settings.retrainEvery > 0 && n >= settings.retrainEvery) service.retrain();
    },

    budgetState() {
      return getBudget();
    },

    retrain(): RetrainResult {
      return runRetrain(store, effective(), { allowStepDown: settings.allowStepDown, now: now() });
    },

    undoAdjustment(id) {
      return runUndo(store, id, now());
    },

    fineTune() {
      return runFineTune(store, effective(), { now: now() }).result;
    },

    resetFineTune() {
      return runResetFineTune(store, now());
    },
  };
  return service;
}

export { RouteError };

/**
 * Bookkeeping that need not hold a request back. `record` runs once: on the check phase after the call was made
 * (setImmediate: the SDK's promise chain has handed the request to the socket by then), or when the returned
 * `settle` is called, whichever comes first; `extra` runs after it. `settle` throws what `record` threw (the call
 * then fails as it did when the record was written first) and returns what `extra` threw, for the caller to throw
 * once the call's outcome is recorded.
 */
function afterDispatch(record: () => void, extra: (() => void) | undefined): () => unknown {
  let done = false;
  let recordError: { e: unknown } | null = null;
  let extraError: unknown;
  const run = () => {
    if (done) return;
    done = true;
    try {
      record();
    } catch (e) {
      recordError = { e };
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
    if (recordError) throw (recordError as { e: unknown }).e;
    return extraError;
  };
}
