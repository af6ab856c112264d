// The panel's view of the A/B experiment and of spend per workspace. The experiment's comparison reads every decision
// of the experiment, so it is computed at most once a minute per experiment (about 1.5 s for 20,000 of its decisions on a loaded machine) (the panel refreshes on each
// decision); the workspace split is one grouped query over the period.
import { experimentStatus } from '../core/experiments/analysis';
import { describeArm, listExperiments } from '../core/experiments/definition';
import type { DecisionStore } from '../core/store/api';
import type { FeaturesView } from '../../webview/protocol';

const EXPERIMENT_TTL_MS = 60_000;
let cached: { key: string; at: number; view: FeaturesView['experiment'] } | null = null;

function experimentView(store: DecisionStore, now: number): FeaturesView['experiment'] {
  const all = listExperiments(store);
  const exp = all.find((e) => e.stoppedAt === null) ?? all[all.length - 1];
  if (!exp) return null;
  const key = `${store.path}:${exp.id}:${exp.stoppedAt}`;
  if (cached && cached.key === key && now - cached.at < EXPERIMENT_TTL_MS) return cached.view;
  const st = experimentStatus(store, exp);
  const view = {
    name: exp.name,
    running: exp.stoppedAt === null,
    arms: (['a', 'b'] as const).map((arm) => {
      const a = st.arms[arm];
      return {
        arm,
        config: describeArm(exp.arms[arm]),
        requests: a.requests,
        costPerRequestUsd: a.costPerRequestUsd.value,
        thumbsUpRate: a.thumbsUpRate.value,
        thumbs: a.thumbsUpRate.n,
        errorRate: a.errorRate.value,
      };
    }),
    verdicts: st.comparisons.map((c) => ({ text: c.verdict, meaningful: c.meaningful })),
  };
  cached = { key, at: now, view };
  return view;
}

export function featuresView(store: DecisionStore, since: number | undefined, now: number): FeaturesView {
  const rows = store.breakdown({ by: 'workspace', since });
  return {
    experiment: experimentView(store, now),
    // Only worth a card once some request came from a workspace.
    workspaces: rows.some((r) => r.key !== null)
      ? rows.map((r) => ({ name: r.name, id: r.key, requests: r.requests, spendUsd: r.spendUsd, savedUsd: r.savedUsd }))
      : [],
  };
}
