// The status of an experiment: each arm's requests, cost per request, quality (thumbs and automatic signals),
// latency and error rate with 95 % intervals, and for each measure whether b differs from a meaningfully yet.
// A request is a conversation turn the experiment routed: its first call plus any fallback or cascade call made for
// it. Turns with a tier forced by the user (/opus, --tier), dry runs, budget refusals and cancelled turns say
// nothing about routing and are left out.
import type { DecisionStore } from '../store/api';
import type { DecisionRecord } from '../types';
import { ARMS, type ArmName, type Experiment } from './definition';
import { meanDifference, meanEstimate, proportionDifference, wilson, type Difference, type Estimate } from './stats';

/** Fewer requests (or ratings) than this in either arm: the comparison is not yet meaningful. */
export const MIN_PER_ARM = 20;
export const MIN_RATINGS_PER_ARM = 10;

export interface ArmStats {
  arm: ArmName;
  requests: number;
  costPerRequestUsd: Estimate;
  /** Requests whose cost is unknown (an unpriced model): not in the cost figures. */
  unpriced: number;
  thumbsUpRate: Estimate;
  autoQuality: Estimate;
  latencyMs: Estimate;
  errorRate: Estimate;
  totalCostUsd: number;
}

export type MetricName = 'costPerRequestUsd' | 'thumbsUpRate' | 'autoQuality' | 'latencyMs' | 'errorRate';

export interface Comparison {
  metric: MetricName;
  /** b − a, with its 95 % interval. */
  difference: Difference;
  /** True when both arms have enough data and the interval excludes 0. */
  meaningful: boolean;
  /** In words: "b costs $0.0012 less per request (95 % CI …)" or why it is not yet meaningful. */
  verdict: string;
}

export interface ExperimentStatus {
  experiment: Experiment;
  arms: Record<ArmName, ArmStats>;
  comparisons: Comparison[];
}

interface Req {
  arm: ArmName;
  cost: number | null;
  ok: boolean;
  error: boolean;
  latency: number | null;
  answerId: string;
}

/** Groups the experiment's decisions into requests (a first call and the calls that continue it). */
function requests(rows: DecisionRecord[]): Req[] {
  const byParent = new Map<string, DecisionRecord[]>();
  for (const r of rows)
    if (r.parentId) (byParent.get(r.parentId) ?? byParent.set(r.parentId, []).get(r.parentId)!).push(r);
  const ids = new Set(rows.map((r) => r.id));
  const out: Req[] = [];
  for (const root of rows) {
    if (root.parentId && ids.has(root.parentId)) continue;
    if (root.override || !root.experimentArm || !['ok', 'error'].includes(root.status)) continue;
    const chain: DecisionRecord[] = [];
    const stack = [root];
    while (stack.length) {
      const r = stack.pop()!;
      chain.push(r);
      stack.push(...(byParent.get(r.id) ?? []));
    }
    const made = chain.filter((r) => r.status !== 'blocked');
    const answer = [...made]
      .sort((x, y) => x.time - y.time)
      .reverse()
      .find((r) => r.status === 'ok');
    const unpriced = made.some((r) => r.costUsd === null && r.usage !== null);
    out.push({
      arm: root.experimentArm as ArmName,
      cost: unpriced ? null : made.reduce((s, r) => s + (r.costUsd ?? 0), 0),
      ok: !!answer,
      error: !answer && made.some((r) => r.status === 'error'),
      latency: answer ? made.reduce((s, r) => s + (r.latencyMs ?? 0), 0) : null,
      answerId: (answer ?? root).id,
    });
  }
  return out;
}

const usd = (x: number) => `$${Math.abs(x) < 0.01 ? Math.abs(x).toFixed(5) : Math.abs(x).toFixed(4)}`;
const FORMAT: Record<MetricName, { what: string; more: string; less: string; fmt: (x: number) => string }> = {
  costPerRequestUsd: { what: 'cost per request', more: 'more per request', less: 'less per request', fmt: usd },
  thumbsUpRate: {
    what: 'thumbs-up rate',
    more: 'more thumbs up',
    less: 'fewer thumbs up',
    fmt: (x) => `${Math.abs(x * 100).toFixed(1)} points`,
  },
  autoQuality: {
    what: 'automatic quality',
    more: 'higher automatic quality',
    less: 'lower automatic quality',
    fmt: (x) => Math.abs(x).toFixed(3),
  },
  latencyMs: { what: 'latency', more: 'slower', less: 'faster', fmt: (x) => `${Math.round(Math.abs(x))} ms` },
  errorRate: {
    what: 'error rate',
    more: 'more errors',
    less: 'fewer errors',
    fmt: (x) => `${Math.abs(x * 100).toFixed(1)} points`,
  },
};
const signed = (m: MetricName, x: number) => `${x < 0 ? '−' : '+'}${FORMAT[m].fmt(x)}`;

function compare(metric: MetricName, d: Difference, na: number, nb: number, min: number): Comparison {
  const f = FORMAT[metric];
  const ci = d.lo !== null && d.hi !== null ? ` (95 % CI ${signed(metric, d.lo)} to ${signed(metric, d.hi)})` : '';
  if (na < min || nb < min) {
    return {
      metric,
      difference: d,
      meaningful: false,
      verdict: `${f.what}: not yet meaningful: ${na} vs ${nb}, at least ${min} in each arm needed${ci}`,
    };
  }
  if (d.value === null || d.lo === null || d.hi === null || (d.lo <= 0 && d.hi >= 0)) {
    return { metric, difference: d, meaningful: false, verdict: `${f.what}: no meaningful difference yet${ci}` };
  }
  return {
    metric,
    difference: d,
    meaningful: true,
    verdict: `${f.what}: b is ${f.fmt(d.value)} ${d.value > 0 ? f.more : f.less} than a${ci}`,
  };
}

export function experimentStatus(store: DecisionStore, exp: Experiment): ExperimentStatus {
  const since = exp.createdAt;
  const until = exp.stoppedAt === null ? undefined : exp.stoppedAt + 1;
  const rows = store.listDecisions({ experimentId: exp.id, since, until, limit: 10_000_000 }).rows;
  const reqs = requests(rows);
  const quality = new Map(store.qualitySamples({ since }).map((q) => [q.decisionId, q]));
  const per = (arm: ArmName) => {
    const rs = reqs.filter((r) => r.arm === arm);
    const priced = rs.filter((r) => r.cost !== null).map((r) => r.cost!);
    const q = rs.map((r) => quality.get(r.answerId)).filter((x) => x !== undefined);
    const thumbs = q.filter((x) => x.thumb !== null);
    const errorsOf = rs.filter((r) => r.error).length;
    const stats: ArmStats = {
      arm,
      requests: rs.length,
      costPerRequestUsd: meanEstimate(priced),
      unpriced: rs.length - priced.length,
      thumbsUpRate: wilson(thumbs.filter((x) => x.thumb === 'up').length, thumbs.length),
      autoQuality: meanEstimate(q.filter((x) => x.autoQuality !== null).map((x) => x.autoQuality!)),
      latencyMs: meanEstimate(rs.filter((r) => r.latency !== null).map((r) => r.latency!)),
      errorRate: wilson(errorsOf, rs.length),
      totalCostUsd: priced.reduce((s, x) => s + x, 0),
    };
    return { stats, rs, priced, q, thumbs };
  };
  const A = per('a'),
    B = per('b');
  const autoA = A.q.filter((x) => x.autoQuality !== null).map((x) => x.autoQuality!);
  const autoB = B.q.filter((x) => x.autoQuality !== null).map((x) => x.autoQuality!);
  const latA = A.rs.filter((r) => r.latency !== null).map((r) => r.latency!);
  const latB = B.rs.filter((r) => r.latency !== null).map((r) => r.latency!);
  const up = (t: typeof A.thumbs) => t.filter((x) => x.thumb === 'up').length;
  const err = (rs: Req[]) => rs.filter((r) => r.error).length;
  const comparisons = [
    compare('costPerRequestUsd', meanDifference(A.priced, B.priced), A.priced.length, B.priced.length, MIN_PER_ARM),
    compare(
      'thumbsUpRate',
      proportionDifference(up(A.thumbs), A.thumbs.length, up(B.thumbs), B.thumbs.length),
      A.thumbs.length,
      B.thumbs.length,
      MIN_RATINGS_PER_ARM,
    ),
    compare('autoQuality', meanDifference(autoA, autoB), autoA.length, autoB.length, MIN_PER_ARM),
    compare('latencyMs', meanDifference(latA, latB), latA.length, latB.length, MIN_PER_ARM),
    compare(
      'errorRate',
      proportionDifference(err(A.rs), A.rs.length, err(B.rs), B.rs.length),
      A.rs.length,
      B.rs.length,
      MIN_PER_ARM,
    ),
  ];
  return {
    experiment: exp,
    arms: Object.fromEntries(ARMS.map((a) => [a, a === 'a' ? A.stats : B.stats])) as Record<ArmName, ArmStats>,
    comparisons,
  };
}
