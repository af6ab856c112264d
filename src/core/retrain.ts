// Retraining the routing from feedback: per (complexity, category) group, a tier whose answers are consistently bad
// gets the group raised one tier above it; where a tier is consistently good and the tier below it has been good
// too, the group may step down (only when allowed). Every change is a RoutingAdjustment with its evidence in words,
// stored, and undoable.
import type { RetrainResult } from './service-api';
import type { DecisionStore, QualitySample } from './store/api';
import {
  CATEGORIES,
  COMPLEXITIES,
  type Category,
  type Complexity,
  type RouterConfig,
  type RoutingAdjustment,
} from './types';
import { QUALITY_GATE } from './quality';

export interface RetrainOptions {
  /** Samples a (group, tier) needs before it can change anything (default 5). */
  minSamples?: number;
  /** Only the most recent samples of a (group, tier) count (default 20). */
  window?: number;
  /** Share of bad (or good) samples that counts as "consistently" (default 0.8). */
  consistency?: number;
  /** Good means quality ≥ this (default 0.7); bad means quality < QUALITY_GATE. */
  goodAt?: number;
  allowStepDown?: boolean;
  now?: number;
  /** For tests and replay: fixed ids. */
  newId?: () => string;
}

interface Cell {
  n: number;
  bad: number;
  good: number;
  mean: number;
  samples: QualitySample[];
}

/** Works out which adjustments the samples call for, given the existing ones (active and undone). Adds nothing to any store. */
export function planRetrain(
  samples: readonly QualitySample[],
  config: RouterConfig,
  active: readonly RoutingAdjustment[],
  opts: RetrainOptions = {},
): RetrainResult {
  const min = opts.minSamples ?? 5;
  const window = opts.window ?? 20;
  const consistency = opts.consistency ?? 0.8;
  const goodAt = opts.goodAt ?? 0.7;
  const now = opts.now ?? Date.now();
  const newId = opts.newId ?? (() => globalThis.crypto.randomUUID());
  const top = config.tiers.length - 1;
  const label = (t: number) => config.tiers[t]?.label ?? `tier ${t}`;
  const added: RoutingAdjustment[] = [];
  const report: string[] = [];

  const by = new Map<string, QualitySample[]>();
  for (const s of samples) {
    if (s.tier < 0 || s.tier > top) continue;
    const k = `${s.complexity}/${s.category}/${s.tier}`;
    let arr = by.get(k);
    if (!arr) by.set(k, (arr = []));
    arr.push(s);
  }
  // An undone adjustment sticks: only samples after the undo count for that group and tier.
  const undoneAt = new Map<string, number>();
  for (const a of active) {
    if (a.revertedAt === null) continue;
    const k = `${a.complexity}/${a.category}/${a.evidence.fromTier}`;
    undoneAt.set(k, Math.max(undoneAt.get(k) ?? -Infinity, a.revertedAt));
  }
  const cell = (cx: Complexity, cat: Category, tier: number): Cell | null => {
    const since = undoneAt.get(`${cx}/${cat}/${tier}`) ?? -Infinity;
    const all = by.get(`${cx}/${cat}/${tier}`)?.filter((s) => s.time > since);
    if (!all?.length) return null;
    const recent = [...all].sort((a, b) => a.time - b.time).slice(-window);
    const n = recent.length;
    const bad = recent.filter((s) => s.quality < QUALITY_GATE).length;
    const good = recent.filter((s) => s.quality >= goodAt).length;
    const mean = recent.reduce((x, s) => x + s.quality, 0) / n;
    return { n, bad, good, mean, samples: recent };
  };

  for (const cx of COMPLEXITIES) {
    for (const cat of CATEGORIES) {
      const g = `${cx}/${cat}`;
      const mine = active.filter((a) => a.revertedAt === null && a.complexity === cx && a.category === cat);
      const raisedTo = Math.max(-1, ...mine.filter((a) => a.kind === 'raise').map((a) => a.tier));
      const loweredTo = Math.min(top + 1, ...mine.filter((a) => a.kind === 'lower').map((a) => a.tier));
      const cells = config.tiers.map((_, t) => cell(cx, cat, t));
      if (cells.every((c) => !c)) continue;

      // Raise: the highest tier whose answers are consistently bad.
      let raised = false;
      for (let t = top; t >= 0; t--) {
        const c = cells[t];
        if (!c || c.n < min) continue;
        if (c.bad / c.n < consistency) continue;
        const evidence = `${c.bad} of ${c.n} ${g} answers from ${label(t)} rated bad (mean quality ${c.mean.toFixed(2)})`;
        if (t >= top) {
          report.push(`${g}: ${evidence}, but ${label(t)} is already the top tier: nothing to raise to`);
        } else if (raisedTo >= t + 1) {
          report.push(`${g}: ${evidence}; already raised to ${label(raisedTo)}`);
        } else {
          added.push({
            id: newId(),
            complexity: cx,
            category: cat,
            kind: 'raise',
            tier: t + 1,
            reason: evidence,
            evidence: { samples: c.n, meanQuality: round(c.mean), fromTier: t },
            createdAt: now,
            revertedAt: null,
          });
          report.push(`${g}: ${evidence} → raised to ${label(t + 1)}`);
        }
        raised = true;
        break;
      }
      if (raised) continue;

      // Step down: a tier consistently good, and the tier below it good too for this group.
      let stepped = false;
      for (let t = top; t >= 1 && !stepped; t--) {
        const hi = cells[t];
        const lo = cells[t - 1];
        if (!hi || !lo || hi.n < min || lo.n < min) continue;
        if (hi.good / hi.n < consistency || lo.good / lo.n < consistency) continue;
        const evidence = `${hi.good} of ${hi.n} ${g} answers from ${label(t)} and ${lo.good} of ${lo.n} from ${label(t - 1)} rated good`;
        stepped = true;
        if (!opts.allowStepDown) report.push(`${g}: ${evidence}; stepping down is off`);
        else if (raisedTo >= t)
          report.push(`${g}: ${evidence}; kept: a raise to ${label(raisedTo)} is active (undo it to step down)`);
        else if (loweredTo <= t - 1) report.push(`${g}: ${evidence}; already lowered to ${label(loweredTo)}`);
        else {
          added.push({
            id: newId(),
            complexity: cx,
            category: cat,
            kind: 'lower',
            tier: t - 1,
            reason: evidence,
            evidence: {
              samples: hi.n + lo.n,
              meanQuality: round((hi.mean * hi.n + lo.mean * lo.n) / (hi.n + lo.n)),
              fromTier: t,
            },
            createdAt: now,
            revertedAt: null,
          });
          report.push(`${g}: ${evidence} → may step down to ${label(t - 1)}`);
        }
      }
      if (stepped) continue;

      const seen = cells
        .map((c, t) => (c ? `${label(t)} ${c.n} (${c.bad} bad)` : null))
        .filter(Boolean)
        .join(', ');
      const few = cells.every((c) => !c || c.n < min);
      report.push(
        `${g}: ${seen}: ${few ? `fewer than ${min} samples on any tier` : 'no consistent pattern'}; unchanged`,
      );
    }
  }
  return { added, report, time: now };
}

/** Plans from the store's quality samples, stores the new adjustments and the time of this run. */
export function retrain(store: DecisionStore, config: RouterConfig, opts: RetrainOptions = {}): RetrainResult {
  const res = planRetrain(store.qualitySamples(), config, store.listAdjustments(true), opts);
  for (const a of res.added) store.addAdjustment(a);
  store.setMeta('lastRetrain', String(res.time));
  store.setMeta('feedbackSinceRetrain', '0');
  return res;
}

/** Undoes an adjustment (it stays in the history, marked reverted). False when there is no such active adjustment. */
export function undoAdjustment(store: DecisionStore, id: string, now = Date.now()): boolean {
  const a = store.listAdjustments(true).find((x) => x.id === id || (id.length >= 6 && x.id.startsWith(id)));
  if (!a || a.revertedAt !== null) return false;
  return store.revertAdjustment(a.id, now);
}

const round = (x: number) => Math.round(x * 1000) / 1000;
