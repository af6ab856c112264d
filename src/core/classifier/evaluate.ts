// Evaluates a strategy on rows: labeled accuracy and outcome-table metrics, with k-fold cross-validation for the
// learned strategy (each row is scored by a model trained without it, nor any row with the same prompt). The metrics
// themselves are in src/core/routingMetrics.ts.
import {
  crossValidate,
  labeledMetrics,
  lengthBaseline,
  outcomeMetrics,
  randomBaseline,
  type LabeledMetrics,
  type OutcomeMetrics,
} from '../routingMetrics';
import type { Classifier, Complexity, Category } from '../types';
import { classifyWith, extract } from './strategy';
import type { LabeledRow, OutcomeRow, Row } from './dataset';
import { createClassifier } from './index';
import { learnedCore } from './learned';
import type { Weights } from './model';
import { train, type TrainOptions } from './train';

export interface FileRows {
  name: string;
  rows: Row[];
}

export interface Prediction {
  score: number;
  complexity: Complexity;
  category: Category;
}

export interface FileReport {
  name: string;
  labeled?: LabeledMetrics;
  outcome?: {
    router: Omit<OutcomeMetrics, 'curve'>;
    random: ReturnType<typeof randomBaseline>;
    length: Omit<OutcomeMetrics, 'curve'>;
    curve: { strongFraction: number; pgr: number }[];
  };
}

export interface EvalOptions {
  strategy: 'rules' | 'learned';
  /** ≥ 2: cross-validate the learned strategy; 0: use `model` (or the shipped model) as it is. */
  folds: number;
  /** Rows added to every fold's training set (never scored). */
  extraTrain?: Row[];
  /** Parsed model JSON for folds = 0. */
  model?: unknown;
  train?: TrainOptions;
  seed?: number;
}

function weightsClassifier(w: Weights): Classifier {
  const core = learnedCore(w, []);
  return { name: 'learned', classify: (p, h) => classifyWith(core, p, h, (t) => extract(t)) };
}

const predictWith = (c: Classifier, r: Row): Prediction => {
  const x = c.classify(r.prompt, r.kind === 'labeled' ? r.history : undefined);
  return { score: x.score, complexity: x.complexity, category: x.category };
};

/** Out-of-fold (or direct) predictions for every row of every file, in order. */
export function predictAll(files: readonly FileRows[], o: EvalOptions): Prediction[][] {
  const all: Row[] = files.flatMap((f) => f.rows);
  let preds: Prediction[];
  if (o.strategy === 'rules' || o.folds < 2) {
    const c = createClassifier(o.strategy, { model: o.model });
    preds = all.map((r) => predictWith(c, r));
  } else {
    const keys = all.map((r) => r.prompt);
    const extra = o.extraTrain ?? [];
    preds = crossValidate(
      keys,
      o.folds,
      (trainIdx) => {
        const c = weightsClassifier(train([...trainIdx.map((i) => all[i]), ...extra], o.train));
        return (i) => predictWith(c, all[i]);
      },
      o.seed ?? 1,
    );
  }
  const out: Prediction[][] = [];
  let k = 0;
  for (const f of files) {
    out.push(preds.slice(k, k + f.rows.length));
    k += f.rows.length;
  }
  return out;
}

const noCurve = ({ curve: _c, ...m }: OutcomeMetrics) => m;

export function reportFile(name: string, rows: readonly Row[], preds: readonly Prediction[]): FileReport {
  const rep: FileReport = { name };
  const li = rows.map((r, i) => (r.kind === 'labeled' ? i : -1)).filter((i) => i >= 0);
  const oi = rows.map((r, i) => (r.kind === 'outcome' ? i : -1)).filter((i) => i >= 0);
  if (li.length)
    rep.labeled = labeledMetrics(
      li.map((i) => rows[i] as LabeledRow),
      li.map((i) => preds[i]),
    );
  if (oi.length) {
    const orows = oi.map((i) => rows[i] as OutcomeRow);
    const m = outcomeMetrics(
      orows,
      oi.map((i) => preds[i].score),
    );
    const step = Math.max(1, Math.floor(m.curve.length / 10));
    rep.outcome = {
      router: noCurve(m),
      random: randomBaseline(orows),
      length: noCurve(lengthBaseline(orows)),
      curve: m.curve
        .filter((_, i) => i % step === 0 || i === m.curve.length - 1)
        .map((p) => ({ strongFraction: p.strongFraction, pgr: p.pgr })),
    };
  }
  return rep;
}

export function evaluate(files: readonly FileRows[], o: EvalOptions): FileReport[] {
  const preds = predictAll(files, o);
  return files.map((f, i) => reportFile(f.name, f.rows, preds[i]));
}
