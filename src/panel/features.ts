// The panel's view of the A/B experiment and of spend per workspace. The experiment's comparison reads every decision
// of the experiment, so it is computed at most once a minute per experiment (about 1.5 s for 20,000 of its decisions on
// a loaded machine; the panel refreshes on each decision). The workspace split is one grouped query over the period;
// over all time that reads every row (~60 ms at 100,000 decisions), so the rows older than a cut are read at most once
// a minute and the rows since the cut (what the last minute added or changed) on every refresh.
import { experimentStatus } from '../core/experiments/analysis';
import { describeArm, listExperiments } from '../core/experiments/definition';
import type { BreakdownRow, DecisionStore } from '../core/store/api';
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

const OLD_ROWS_TTL_MS = 60_000;
/** Rows before `cut` change only when rows are removed (a reset, retention: the count drops, read again at once) or
 *  rarely otherwise (read again after a minute). */
const CUT_MARGIN_MS = 3_600_000;
let olderSplit: { path: string; at: number; cut: number; total: number; rows: BreakdownRow[] } | null = null;

/** Two splits of the same rows added together (by workspace), ordered as the store orders them. */
function addSplits(a: readonly BreakdownRow[], b: readonly BreakdownRow[]): BreakdownRow[] {
  const by = new Map<string | null, BreakdownRow>();
  for (const r of [...a, ...b]) {
    const o = by.get(r.key);
    if (!o) by.set(r.key, { ...r });
    else {
      o.name ??= r.name;
      o.decisions += r.decisions;
      o.requests += r.requests;
      o.spendUsd += r.spendUsd;
      o.baselineUsd += r.baselineUsd;
      o.savedUsd += r.savedUsd;
    }
  }
  return [...by.values()].sort((x, y) => y.spendUsd - x.spendUsd || y.decisions - x.decisions);
}

/** The spend split by workspace since `since`, or over all time (older rows from a split at most a minute old). */
export function workspaceSplit(store: DecisionStore, since: number | undefined, now: number): BreakdownRow[] {
  if (since !== undefined) return store.breakdown({ by: 'workspace', since });
  const total = store.listDecisions({ limit: 0 }).total;
  const o = olderSplit;
  if (!o || o.path !== store.path || total < o.total || now - o.at >= OLD_ROWS_TTL_MS || now < o.at) {
    const cut = now - CUT_MARGIN_MS;
    olderSplit = { path: store.path, at: now, cut, total, rows: store.breakdown({ by: 'workspace', until: cut }) };
  } else o.total = total;
  const { cut, rows } = olderSplit!;
  return addSplits(rows, store.breakdown({ by: 'workspace', since: cut }));
}

export function featuresView(store: DecisionStore, since: number | undefined, now: number): FeaturesView {
  const rows = workspaceSplit(store, since, now);
  return {
    experiment: experimentView(store, now),
    // Only worth a card once some request came from a workspace.
    workspaces: rows.some((r) => r.key !== null)
      ? rows.map((r) => ({ name: r.name, id: r.key, requests: r.requests, spendUsd: r.spendUsd, savedUsd: r.savedUsd }))
      : [],
  };
}
