// The routing service: classify → decide (with learned adjustments and the budget) → worst-case budget check →
// record → stream through the model client of the tier (history fitted to the context window) → fall back to another
// tier when one is unavailable → record real cost, baseline and timings → score the answer automatically (and the
// previous answer from this turn) → outcome. Every model call is its own record; fallbacks and cascades count in spend
// and are refused when their worst case would pass the budget. The parts live in ./service/: the budget guard,
// fallback, history fitting, recording, the cascade and the conversation.
import { budgetState } from './budget';
import { cascadeTier, DEFAULT_CASCADE, type CascadeSettings } from './cascade';
import { storedThresholds, THRESHOLDS_META_KEY } from './calibrate';
import { fineTune as runFineTune, resetFineTune as runResetFineTune, storeClassifier } from './classifier/finetune';
import { tierIndex } from './config';
import { decide } from './policy';
import { retrain as runRetrain, undoAdjustment as runUndo } from './retrain';
import { answerCascade, answerDirect, type Answered } from './service/cascadeRun';
import { fitsBudget, fitToBudget, refuseExhausted } from './service/budgetGuard';
import { createConversation, type Conversation } from './service/conversation';
import { record, retier } from './service/records';
import { onUsableTier, usable as canTake } from './service/tierFit';
import { tierClients, type ClientChoice, type RunScope, type ServiceEnv } from './service/scope';
import {
  RouteError,
  type RetrainResult,
  type RouteOutcome,
  type RouteRequest,
  type RouterService,
} from './service-api';
import { dayStart, monthStart } from './store/days';
import type { DecisionStore } from './store/api';
import type { Classification, Classifier, Decision, RouterConfig } from './types';
import { holdCall } from './service/reserve';

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
  /** Moves a prompt's score after classification (similar past prompts: neighbours/fromStore.ts); its reasons are kept. */
  adjustScore?: (prompt: string, cls: Classification, cfg: RouterConfig) => Classification;
  /** Told of every answered request after it is returned (the judge's sampling: judge/live.ts); never holds it back. */
  afterAnswer?: (o: RouteOutcome, req: RouteRequest, client: ClientChoice, cfg: RouterConfig) => void;
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

export const NO_KEY_MESSAGE =
  'No Anthropic API key: set one with “LLM Router: Set API Key” or the ANTHROPIC_API_KEY environment variable. Nothing was sent.';

interface Engine {
  env: ServiceEnv;
  settings: ServiceSettings;
  classifier: Classifier;
  talk: Conversation;
  effective(): RouterConfig;
  adjustScore?: CreateServiceOptions['adjustScore'];
}

function overrideIndex(cfg: RouterConfig, o: string | null | undefined): number | null {
  if (o === undefined || o === null || !String(o).trim()) return null;
  const i = tierIndex(cfg, String(o));
  if (i < 0) throw new Error(`unknown tier "${o}": use one of ${cfg.tiers.map((t) => t.id).join(', ')}`);
  return i;
}

function decideFor(
  e: Engine,
  req: Pick<RouteRequest, 'prompt' | 'history' | 'override' | 'agent'>,
  cfg = e.effective(),
  budget = e.env.getBudget(),
): Decision {
  if (typeof req.prompt !== 'string' || !req.prompt.trim()) throw new Error('the prompt is empty: nothing to route');
  const classified = e.classifier.classify(req.prompt, req.history);
  let cls = e.adjustScore ? e.adjustScore(req.prompt, classified, cfg) : classified;
  // an agent's scaffolding is not classified, but it is sent and paid for
  if (req.agent) cls = { ...cls, estInputTokens: Math.max(cls.estInputTokens, req.agent.inputTokens) };
  return decide(cls, cfg, {
    override: overrideIndex(cfg, req.override),
    adjustments: e.env.store.listAdjustments(false),
    budget,
    now: e.env.now(),
  });
}

/** Decides, guards the budget, calls the model(s) and sums up what it cost. */
async function runRequest(e: Engine, req: RouteRequest, choice: ClientChoice): Promise<RouteOutcome> {
  const cfg = e.effective();
  const budget = e.env.getBudget();
  const s: RunScope = { env: e.env, cfg, req, clientOf: tierClients(cfg, choice), calls: [] };
  let d = decideFor(e, req, cfg, budget);
  if (d.blocked) refuseExhausted(s, d, budget);
  // With no client at all, the decision is still checked and shown before the no-key error (the CLI prints it).
  const anyClient = cfg.tiers.some((_, i) => s.clientOf(i));
  const usable = (t: number) => !anyClient || canTake(s, t);
  const notices: string[] = [];
  if (anyClient) d = onUsableTier(s, d, notices);
  d = fitToBudget(s, d, budget, usable);
  const cas = cascadeTier(d, cfg, e.settings.cascade);
  const strong = d;
  if (cas && !req.agent && usable(cas.tier) && fitsBudget(s, cas.tier, budget).fits)
    d = retier(cfg, d, cas.tier, `cascade: ${cas.reason}`, false, e.env.now);
  req.onDecision?.(d);
  if (!anyClient) throw new RouteError('no-key', NO_KEY_MESSAGE, d);
  for (const n of notices) req.onNotice?.(n);
  const judge = () => e.talk.judgePrevious(req);
  const { ans, quality, unscored }: Answered =
    d !== strong
      ? await answerCascade(s, d, strong, e.settings.cascade, e.talk, judge)
      : await answerDirect(s, d, e.talk, judge);
  e.talk.remember(ans.result.text, ans.rec.id);
  const made = s.calls.filter((c) => c.status !== 'blocked');
  const totalCostUsd = made.some((c) => c.costUsd === null && c.status === 'ok')
    ? null
    : made.reduce((sum, c) => sum + (c.costUsd ?? 0), 0);
  const baselineCostUsd = ans.rec.baselineCostUsd;
  return {
    decision: d,
    record: e.env.store.getDecision(ans.rec.id) ?? ans.rec,
    text: ans.result.text,
    calls: s.calls,
    totalCostUsd,
    baselineCostUsd,
    savedUsd: totalCostUsd !== null && baselineCostUsd !== null ? baselineCostUsd - totalCostUsd : null,
    quality: unscored ? null : { score: quality.score, signals: quality.signals },
    budget: e.env.getBudget(),
    ...(ans.result.toolCalls?.length ? { toolCalls: ans.result.toolCalls } : {}),
  };
}

export function createRouterService(
  opts: CreateServiceOptions,
): RouterService & { readonly settings: ServiceSettings } {
  const store = opts.store;
  const baseConfig = opts.config;
  const settings = resolveSettings(opts);
  const now = opts.now ?? (() => Date.now());
  const reserving = { usd: 0 };
  const env: ServiceEnv = {
    store,
    now,
    getBudget: () => {
      const t = now();
      return budgetState(store.getBudget(), store.spendSince(dayStart(t)), store.spendSince(monthStart(t)));
    },
    held: () => {
      const t = now();
      const r = reserving.usd;
      return {
        dayUsd: store.reservations.heldSince(dayStart(t)) + r,
        monthUsd: store.reservations.heldSince(monthStart(t)) + r,
      };
    },
    reserving,
  };
  /** The configuration in force: calibrated thresholds from the database override the configured ones. */
  let eff: { raw: string | null; cfg: RouterConfig } | null = null;
  const effective = (): RouterConfig => {
    const raw = store.getMeta(THRESHOLDS_META_KEY);
    if (eff && eff.raw === raw) return eff.cfg;
    const t = storedThresholds({ getMeta: () => raw }, baseConfig);
    eff = { raw, cfg: t ? { ...baseConfig, thresholds: t } : baseConfig };
    return eff.cfg;
  };
  const engine: Engine = {
    env,
    settings,
    effective,
    classifier: opts.classifier ?? storeClassifier(store, baseConfig),
    talk: createConversation(store, now),
    adjustScore: opts.adjustScore,
  };

  const running = requestsUnderWay();
  const service: RouterService & { readonly settings: ServiceSettings } = {
    get config() {
      return effective();
    },
    store,
    settings,
    classify: (prompt, history) => engine.classifier.classify(prompt, history),
    decide: (req) => decideFor(engine, req),
    dryRun(req) {
      const d = decideFor(engine, req);
      req.onDecision?.(d);
      return record(store, d, req, 'dry-run', null);
    },
    run: async (req, client) => {
      const o = await running.run(req, (r) => runRequest(engine, r, client));
      try {
        opts.afterAnswer?.(o, req, client, effective());
      } catch {
        // A failing observer never fails the request it observes.
      }
      return o;
    },
    cancelAll: () => running.cancelAll(),
    holdCall: (rec, usd) => holdCall(env, rec, usd),
    feedback(decisionId, thumb) {
      if (thumb !== 'up' && thumb !== 'down')
        throw new Error(`a rating is "up" or "down", not ${JSON.stringify(thumb)}`);
      const d = store.getDecision(decisionId);
      if (!d) throw new Error(`no decision with id "${decisionId}"`);
      store.addFeedback({ decisionId, thumb, autoQuality: null, signals: null, time: now() });
      const n = (Number(store.getMeta(FEEDBACK_COUNTER)) || 0) + 1;
      store.setMeta(FEEDBACK_COUNTER, String(n));
      if (settings.retrainEvery > 0 && n >= settings.retrainEvery) service.retrain();
    },
    budgetState: () => env.getBudget(),
    retrain: (): RetrainResult => runRetrain(store, effective(), { allowStepDown: settings.allowStepDown, now: now() }),
    undoAdjustment: (id) => runUndo(store, id, now()),
    fineTune: () => runFineTune(store, effective(), { now: now() }).result,
    resetFineTune: () => runResetFineTune(store, now()),
  };
  return service;
}

/** The requests under way, each with its own abort (linked to the caller's signal), so that all can be stopped at once. */
function requestsUnderWay() {
  const under = new Set<{ ac: AbortController; done: Promise<void> }>();
  return {
    run<T>(req: RouteRequest, go: (r: RouteRequest) => Promise<T>): Promise<T> {
      const ac = new AbortController();
      const stop = () => ac.abort();
      if (req.signal?.aborted) ac.abort();
      else req.signal?.addEventListener('abort', stop, { once: true });
      const p = go({ ...req, signal: ac.signal });
      const entry = {
        ac,
        done: p.then(
          () => undefined,
          () => undefined,
        ),
      };
      under.add(entry);
      void entry.done.then(() => {
        under.delete(entry);
        req.signal?.removeEventListener('abort', stop);
      });
      return p;
    },
    async cancelAll(): Promise<void> {
      const all = [...under];
      for (const e of all) e.ac.abort();
      await Promise.all(all.map((e) => e.done));
    },
  };
}

export { RouteError };
