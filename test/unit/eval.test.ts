import { strict as assert } from 'node:assert';
import {
  crossValidate,
  kFolds,
  labeledMetrics,
  lengthBaseline,
  outcomeMetrics,
  randomBaseline,
} from '../../src/core/routingMetrics';

// Four prompts: the weak model gets 1 of 4 right, the strong one 3 of 4. Costs: weak $1, strong $10 per prompt.
const table = [
  { prompt: 'a', weak_score: 0, strong_score: 1, weak_cost: 1, strong_cost: 10 },
  { prompt: 'bb', weak_score: 1, strong_score: 1, weak_cost: 1, strong_cost: 10 },
  { prompt: 'ccc', weak_score: 0, strong_score: 1, weak_cost: 1, strong_cost: 10 },
  { prompt: 'dddd', weak_score: 0, strong_score: 0, weak_cost: 1, strong_cost: 10 },
];
const close = (a: number | null, b: number, msg?: string) =>
  assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${msg ?? ''} ${a} ≠ ${b}`);

describe('eval: outcome tables', () => {
  it('computes PGR, APGR, CPT(50%) and cost saved at 95% by hand for a 4-row table', () => {
    // Order by score: rows 1, 2, 3, 4. Quality sums 1 → 2 → 2 → 3 → 3, so PGR = 0, .5, .5, 1, 1 at 0, ¼, ½, ¾, 1.
    const m = outcomeMetrics(table, [0.9, 0.8, 0.3, 0.1]);
    assert.deepEqual(
      m.curve.map((p) => p.pgr),
      [0, 0.5, 0.5, 1, 1],
    );
    // APGR = ¼ · (0.25 + 0.5 + 0.75 + 1) = 0.625
    close(m.apgr, 0.625, 'APGR');
    close(m.cpt50, 0.25, 'CPT(50%)');
    // 95% of the strong quality (0.75) is 0.7125: between ½ (0.5, cost 22) and ¾ (0.75, cost 31), at 85% of the step.
    close(m.strongFractionAt95, 0.7125);
    close(m.costSavedAt95, 1 - (22 + 9 * 0.85) / 40, 'cost saved');
    close(m.qualityWeak, 0.25);
    close(m.qualityStrong, 0.75);
    close(m.needsStrong, 0.5);
  });

  it('scores a backwards router below random, and random at 0.5', () => {
    const worst = outcomeMetrics(table, [0.1, 0.3, 0.8, 0.9]);
    // PGR = 0, 0, .5, .5, 1 → APGR = ¼ · (0 + 0.25 + 0.5 + 0.75) = 0.375
    close(worst.apgr, 0.375);
    close(worst.cpt50, 0.5);
    const rnd = randomBaseline(table);
    close(rnd.apgr, 0.5);
    close(rnd.cpt50, 0.5);
    // random: quality rises linearly from 0.25 to 0.75; 0.7125 needs 92.5% strong calls: cost 4 + 36 · 0.925 = 37.3
    close(rnd.costSavedAt95, 1 - 37.3 / 40);
  });

  it('treats tied scores as one linear step (a constant router is the random router)', () => {
    close(outcomeMetrics(table, [1, 1, 1, 1]).apgr, 0.5);
    // the length baseline: longest first = the backwards order above
    close(lengthBaseline(table).apgr, 0.375);
  });

  it('reports n/a rather than a number when both models score the same', () => {
    const flat = table.map((r) => ({ ...r, weak_score: 1, strong_score: 1 }));
    const m = outcomeMetrics(flat, [1, 2, 3, 4]);
    assert.equal(m.apgr, null);
    assert.equal(m.cpt50, null);
    close(m.costSavedAt95, 1 - 4 / 40, 'the weak model alone reaches 95%');
  });
});

describe('eval: labeled prompts', () => {
  it('counts complexity, category and both-right accuracy and pairwise ranking', () => {
    const truth = [
      { complexity: 'simple', category: 'factual' },
      { complexity: 'medium', category: 'code' },
      { complexity: 'complex', category: 'reasoning' },
      { complexity: 'complex', category: 'creative' },
    ] as const;
    const pred = [
      { complexity: 'simple', category: 'factual', score: 0.1 },
      { complexity: 'medium', category: 'factual', score: 0.5 },
      { complexity: 'medium', category: 'reasoning', score: 0.4 },
      { complexity: 'complex', category: 'creative', score: 0.9 },
    ] as const;
    const m = labeledMetrics(truth, pred);
    assert.equal(m.complexityAccuracy, 0.75);
    assert.equal(m.categoryAccuracy, 0.75);
    assert.equal(m.bothAccuracy, 0.5);
    // pairs across levels: s<m ✓, s<c ✓ ✓, m<c: 0.5<0.4 ✗, 0.5<0.9 ✓ → 4 of 5
    close(m.scoreRankAccuracy, 0.8);
    assert.equal(m.complexityConfusion.complex.medium, 1);
  });
});

describe('eval: cross-validation', () => {
  it('puts rows with the same key in one fold and never scores a row it trained on', () => {
    const keys = ['p1', 'p2', 'p1', 'p3', 'p4', 'p2', 'p5', 'p6', 'p7', 'p8'];
    const folds = kFolds(keys, 3);
    assert.deepEqual(
      folds.flat().sort((a, b) => a - b),
      keys.map((_, i) => i),
    );
    for (const f of folds) {
      const inFold = new Set(f.map((i) => keys[i]));
      for (const g of folds)
        if (g !== f) for (const i of g) assert.ok(!inFold.has(keys[i]), `${keys[i]} split across folds`);
    }
    const seenBy: number[][] = [];
    const preds = crossValidate(keys, 3, (trainIdx) => {
      const seen = trainIdx.slice();
      return (i) => {
        seenBy[i] = seen;
        return i;
      };
    });
    assert.deepEqual(
      preds,
      keys.map((_, i) => i),
    );
    keys.forEach((k, i) => {
      assert.ok(!seenBy[i].includes(i));
      assert.ok(!seenBy[i].some((j) => keys[j] === k), 'a copy of the prompt was in the training set');
    });
    assert.throws(() => kFolds(keys, 1), /folds must be an integer ≥ 2/);
  });
});
