// Building the shipped model from outcome tables and labeled prompts, and measuring how it generalises:
// leave-one-benchmark-out cross-validation — for each task family, fit on every other family and score the one left
// out, beside the random and prompt-length routers.
import { lengthBaseline, outcomeMetrics, randomBaseline } from '../eval';
import type { Row } from './dataset';
import { learnedCore } from './learned';
import type { Weights } from './model';
import { difficulties, pairFor, pairOutcomes, percentileRanks, tables, type MultiRow, type Table } from './outcomes';
import { fitRanker, rankInputs, type RankGroup, type Ranker } from './ranker';
import { train, type TrainOptions } from './train';

/** Weight of the ranker in the score logit, chosen on the VS Code mix's ranking (see the bench). */
export const DEFAULT_BETA = 6;

export function rankGroups(ts: readonly Table[]): (RankGroup & { family: string })[] {
  return ts.map((t) => ({ family: t.family, x: t.rows.map((r) => rankInputs(r.prompt)), y: percentileRanks(difficulties(t)) }));
}

export interface BuildOptions extends TrainOptions {
  beta?: number;
}

/** The model: the ranker fitted on the outcome tables, then the heads on the labeled rows around it. */
export function buildModel(groups: readonly RankGroup[], labeled: readonly Row[], o: BuildOptions = {}): Weights {
  const ranker: Ranker = fitRanker(groups);
  return train(labeled, { ...o, ranker: { ...ranker, beta: o.beta ?? DEFAULT_BETA } });
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

/** Scores every table of `evalTables` with a model that never saw its family. */
export function leaveOneBenchmarkOut(train: readonly MultiRow[], evalOnly: readonly MultiRow[], labeled: readonly Row[], o: BuildOptions = {}): FamilyResult[] {
  const groups = rankGroups(tables(train));
  const all = tables([...train, ...evalOnly]);
  const families = [...new Set(all.map((t) => t.family))].sort();
  const out: FamilyResult[] = [];
  for (const family of families) {
    const score = scorer(buildModel(groups.filter((g) => g.family !== family), labeled, o));
    for (const t of all.filter((x) => x.family === family)) {
      const p = pairFor(t);
      const { outcomes } = pairOutcomes(t, p);
      const m = outcomeMetrics(outcomes, outcomes.map((r) => score(r.prompt)));
      const len = lengthBaseline(outcomes);
      out.push({
        family, table: t.key, rows: outcomes.length, pair: `${p.weak} → ${p.strong}`,
        apgr: m.apgr, cpt50: m.cpt50, lengthApgr: len.apgr, lengthCpt50: len.cpt50, randomApgr: randomBaseline(outcomes).apgr,
      });
    }
  }
  return out;
}

/** Mean of the non-null values. */
export const meanOf = (xs: readonly (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};
