// Building the shipped model from outcome tables and labeled prompts, and measuring how it generalises:
// leave-one-benchmark-out cross-validation — for each task family, fit on every other family and score the one left
// out, beside the random and prompt-length routers.
import { lengthBaseline, outcomeMetrics, randomBaseline, type Outcome } from '../routingMetrics';
import type { Classification } from '../types';
import { classifyWith, extract } from './strategy';
import type { Row } from './dataset';
import { learnedCore } from './learned';
import type { Weights } from './model';
import { difficulties, pairFor, pairOutcomes, percentileRanks, tables, type MultiRow, type Table } from './outcomes';
import { fitRanker, rankInputs, type RankGroup, type Ranker } from './ranker';
import { train, type TrainOptions } from './train';

/** Weight of the ranker in the score logit, chosen on the VS Code mix's ranking (see the bench). */
export const DEFAULT_BETA = 6;

export type OutcomeGroup = RankGroup & { family: string; prompts: string[] };

export function rankGroups(ts: readonly Table[]): OutcomeGroup[] {
  return ts.map((t) => ({
    family: t.family,
    prompts: t.rows.map((r) => r.prompt),
    x: t.rows.map((r) => rankInputs(r.prompt)),
    y: percentileRanks(difficulties(t)),
  }));
}

/**
 * Where benchmark prompts stand for the tiers: most are answered well by a small model of today (Claude 3.5 Haiku is
 * right on 69–90 % of such sets), so the score head learns them as cheap-tier prompts, the hardest of each table
 * towards the middle tier. Each table weighs as much as about 20 labeled prompts in all (more pulls the VS Code mix's
 * hard prompts down with them: measured in the routing bench).
 */
export const OUTCOME_LEVEL = { low: 0.05, span: 0.5, weightPerTable: 20 };

export function levelRows(groups: readonly OutcomeGroup[]): Row[] {
  return groups.flatMap((g, gi) =>
    g.prompts.map((prompt, i) => ({
      kind: 'scored' as const,
      id: `outcome-${gi}-${i}`,
      prompt,
      target: OUTCOME_LEVEL.low + OUTCOME_LEVEL.span * g.y[i] ** 2,
      weight: Math.min(1, OUTCOME_LEVEL.weightPerTable / g.prompts.length),
    })),
  );
}

export interface BuildOptions extends TrainOptions {
  beta?: number;
}

/** The model: the ranker fitted on the outcome tables, then the heads on the labeled rows around it. */
export function buildModel(groups: readonly OutcomeGroup[], labeled: readonly Row[], o: BuildOptions = {}): Weights {
  const ranker: Ranker = fitRanker(groups);
  return train([...labeled, ...levelRows(groups)], { ...o, ranker: { ...ranker, beta: o.beta ?? DEFAULT_BETA } });
}

export interface FamilyResult {
  family: string;
  table: string;
  rows: number;
  pair: string;
  apgr: number | null;
  cpt50: number | null;
  lengthApgr: number | null;
  lengthCpt50: number | null;
  randomApgr: number | null;
}

export const scorer = (w: Weights) => {
  const core = learnedCore(w, []);
  return (prompt: string) => core.one(prompt).score;
};

/** A held-out table as the fold's model classified it (for routing it with a preset). */
export interface HeldOut {
  family: string;
  table: string;
  outcomes: Outcome[];
  cls: Classification[];
}

export interface LoboResult {
  results: FamilyResult[];
  held: HeldOut[];
}

/** Scores every table of `evalTables` with a model that never saw its family. */
export function leaveOneBenchmarkOut(
  train: readonly MultiRow[],
  evalOnly: readonly MultiRow[],
  labeled: readonly Row[],
  o: BuildOptions = {},
): LoboResult {
  const groups = rankGroups(tables(train));
  const all = tables([...train, ...evalOnly]);
  const families = [...new Set(all.map((t) => t.family))].sort();
  const out: FamilyResult[] = [];
  const held: HeldOut[] = [];
  for (const family of families) {
    const core = learnedCore(
      buildModel(
        groups.filter((g) => g.family !== family),
        labeled,
        o,
      ),
      [],
    );
    for (const t of all.filter((x) => x.family === family)) {
      const p = pairFor(t);
      const { outcomes } = pairOutcomes(t, p);
      const cls = outcomes.map((r) => classifyWith(core, r.prompt, undefined, (x) => extract(x)));
      held.push({ family, table: t.key, outcomes, cls });
      const m = outcomeMetrics(
        outcomes,
        cls.map((c) => c.score),
      );
      const len = lengthBaseline(outcomes);
      out.push({
        family,
        table: t.key,
        rows: outcomes.length,
        pair: `${p.weak} → ${p.strong}`,
        apgr: m.apgr,
        cpt50: m.cpt50,
        lengthApgr: len.apgr,
        lengthCpt50: len.cpt50,
        randomApgr: randomBaseline(outcomes).apgr,
      });
    }
  }
  return { results: out, held };
}

/** Mean of the non-null values. */
export const meanOf = (xs: readonly (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};
