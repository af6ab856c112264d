// Routing under an A/B experiment: a RouterService that, while an experiment runs, sends each conversation to its
// arm's service (the arm's configuration on the same store) and tags every decision it records with the experiment
// and the arm. Without a running experiment it is the base service, unchanged.
import { THRESHOLDS_META_KEY } from '../calibrate';
import { createRouterService, resolveSettings, type CreateServiceOptions } from '../service';
import { RouteError, type RouteRequest, type RouterService } from '../service-api';
import type { DecisionStore } from '../store/api';
import type { Decision, RouterConfig } from '../types';
import {
  activeExperiment,
  armConfig,
  assignArm,
  conversationKey,
  describeArm,
  type ArmName,
  type ArmSpec,
  type Experiment,
} from './definition';

/** Builds the service of one arm: its configuration, and its cascade setting (undefined: as the user set it). */
export type ArmServiceFactory = (
  config: RouterConfig,
  cascade: boolean | undefined,
  store: DecisionStore,
) => RouterService;

/**
 * The store an arm routes with. An arm that sets its own routing (preset, thresholds or tiers) must not have it
 * replaced by thresholds calibrated for the user's configuration, so it does not see them; everything else is the
 * store itself.
 */
function armStore(store: DecisionStore, spec: ArmSpec): DecisionStore {
  if (!spec.preset && !spec.thresholds && !spec.tiers) return store;
  return new Proxy(store, {
    get(target, key) {
      if (key === 'getMeta') return (k: string) => (k === THRESHOLDS_META_KEY ? null : target.getMeta(k));
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export interface ExperimentRouting extends RouterService {
  /** The running experiment and the arm this request would get, or null. */
  armFor(req: Pick<RouteRequest, 'prompt' | 'history'>): { experiment: Experiment; arm: ArmName } | null;
}

export function withExperiments(
  base: RouterService,
  make: ArmServiceFactory,
  onProblem?: (m: string) => void,
): ExperimentRouting {
  const store = base.store;
  const cache = new Map<string, RouterService>();
  const reported = new Set<string>();

  const armFor = (req: Pick<RouteRequest, 'prompt' | 'history'>) => {
    const experiment = activeExperiment(store);
    if (!experiment || typeof req.prompt !== 'string') return null;
    return { experiment, arm: assignArm(experiment, conversationKey(req.prompt, req.history)) };
  };

  /** The arm's service, or null (the base answers) when the arm no longer fits the configuration. */
  const serviceOf = (exp: Experiment, arm: ArmName): RouterService | null => {
    const key = `${exp.id}:${arm}:${JSON.stringify(base.config.tiers.map((t) => t.id))}`;
    const hit = cache.get(key);
    if (hit) return hit;
    try {
      const spec = exp.arms[arm];
      const svc = make(armConfig(base.config, spec, arm), spec.cascade, armStore(store, spec));
      cache.set(key, svc);
      return svc;
    } catch (e) {
      if (!reported.has(key))
        onProblem?.(`experiment "${exp.name}": ${(e as Error).message} Routing with your settings instead.`);
      reported.add(key);
      return null;
    }
  };

  const tag = (ids: string[], exp: Experiment, arm: ArmName) => {
    for (const id of ids)
      if (store.getDecision(id)) store.updateDecision(id, { experimentId: exp.id, experimentArm: arm });
  };
  const note = (exp: Experiment, arm: ArmName) =>
    `A/B experiment "${exp.name}": arm ${arm} (${describeArm(exp.arms[arm])})`;
  const withNote = (d: Decision, exp: Experiment, arm: ArmName): Decision => ({
    ...d,
    reasons: [...d.reasons, note(exp, arm)],
  });

  const pick = (req: Pick<RouteRequest, 'prompt' | 'history'>) => {
    const a = armFor(req);
    const svc = a ? serviceOf(a.experiment, a.arm) : null;
    return a && svc ? { ...a, svc } : null;
  };

  const overrides: Partial<ExperimentRouting> = {
    armFor,
    decide(req) {
      const p = pick(req);
      return p ? withNote(p.svc.decide(req), p.experiment, p.arm) : base.decide(req);
    },
    dryRun(req) {
      const p = pick(req);
      if (!p) return base.dryRun(req);
      const rec = p.svc.dryRun({ ...req, onDecision: (d) => req.onDecision?.(withNote(d, p.experiment, p.arm)) });
      tag([rec.id], p.experiment, p.arm);
      return store.getDecision(rec.id) ?? rec;
    },
    async run(req, client) {
      const p = pick(req);
      if (!p) return base.run(req, client);
      try {
        const o = await p.svc.run(
          { ...req, onDecision: (d) => req.onDecision?.(withNote(d, p.experiment, p.arm)) },
          client,
        );
        tag(
          o.calls.map((c) => c.decisionId),
          p.experiment,
          p.arm,
        );
        return { ...o, record: store.getDecision(o.record.id) ?? o.record };
      } catch (e) {
        if (e instanceof RouteError && e.decision) tag([e.decision.id], p.experiment, p.arm);
        throw e;
      }
    },
  };
  // Everything else is the base service (getters stay live). A method that acts on requests under way (cancelling
  // them at shutdown) reaches the arms' services too.
  return new Proxy(base as ExperimentRouting, {
    get(t, k) {
      if (k in overrides) return overrides[k as keyof ExperimentRouting];
      const v = Reflect.get(t, k, t) as unknown;
      if (typeof v !== 'function') return v;
      if (k === 'cancelAll') {
        return (...a: unknown[]) =>
          Promise.all(
            [t, ...cache.values()].map((svc) =>
              (Reflect.get(svc, k, svc) as (...x: unknown[]) => unknown)?.apply(svc, a),
            ),
          );
      }
      return (v as (...a: unknown[]) => unknown).bind(t);
    },
  });
}

/** The routing service with experiments: the base from `opts`, each arm the same options with its configuration. */
export function createExperimentService(
  opts: CreateServiceOptions,
  onProblem?: (m: string) => void,
): ExperimentRouting {
  const base = createRouterService(opts);
  const resolved = resolveSettings(opts);
  return withExperiments(
    base,
    (config, cascade, store) =>
      createRouterService({
        ...opts,
        config,
        store,
        settings: {
          ...opts.settings,
          cascade: cascade === undefined ? resolved.cascade : { ...resolved.cascade, enabled: cascade },
        },
      }),
    onProblem,
  );
}
