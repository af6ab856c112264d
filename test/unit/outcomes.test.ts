// Outcome tables → what the router learns from them: families, difficulty, pairs, the ranker, and the model file.
import * as assert from 'node:assert/strict';
import { createClassifier, shippedModel } from '../../src/core/classifier';
import { fromJson, toJson } from '../../src/core/classifier/model';
import {
  difficulties,
  familyOf,
  pairFor,
  percentileRanks,
  tables,
  toMultiRow,
  type MultiRow,
} from '../../src/core/classifier/outcomes';
import { fitRanker, rankInputs, rankScore } from '../../src/core/classifier/ranker';

const row = (
  id: string,
  prompt: string,
  models: Record<string, number>,
  benchmark = 'gsm8k',
  source = 's',
): MultiRow => {
  const r = toMultiRow({ id, prompt, benchmark, source, models }, id);
  if (typeof r === 'string') throw new Error(r);
  return r;
};

describe('outcome tables', () => {
  it('puts one benchmark under one family whatever the source calls it', () => {
    assert.equal(familyOf('human_eval'), familyOf('humaneval_js'));
    assert.equal(familyOf('math-l5'), familyOf('math_prealgebra'));
    assert.equal(familyOf('arc-challenge'), familyOf('arc_easy'));
    assert.match(String(toMultiRow({ prompt: 'x', models: { a: 1 } }, 'r')), /at least two models/);
  });
  it('ranks prompts by how many useful models fail them, ignoring a model that fails everything on format', () => {
    const t = tables([
      row('1', 'easy', { a: 1, b: 1, c: 1, broken: 0 }),
      row('2', 'mid', { a: 1, b: 0, c: 1, broken: 0 }),
      row('3', 'hard', { a: 0, b: 0, c: 0, broken: 0 }),
    ])[0];
    assert.deepEqual(
      difficulties(t).map((d) => +d.toFixed(2)),
      [0, 0.33, 1],
    );
    assert.deepEqual(percentileRanks([3, 1, 2, 2]), [1, 0, 0.5, 0.5]);
  });
  it('summarises a table with a Claude pair when it has one, else median → best', () => {
    const claude = tables([
      row('1', 'p', { 'claude-3-5-haiku-20241022': 0, 'claude-3-5-sonnet-20241022': 1, 'gpt-4o': 1 }),
    ])[0];
    assert.deepEqual(pairFor(claude), { weak: 'claude-3-5-haiku-20241022', strong: 'claude-3-5-sonnet-20241022' });
    const open = tables([row('1', 'p', { a: 0.2, b: 0.5, c: 0.9 }), row('2', 'q', { a: 0.1, b: 0.6, c: 0.8 })])[0];
    assert.deepEqual(pairFor(open), { weak: 'b', strong: 'c' });
  });
  it('the ranker learns, within each table, that more quantities make a word problem harder', () => {
    const problem = (n: number, i: number) =>
      `Tom has ${Array.from({ length: n }, (_, k) => `${k + i + 2} apples`).join(' and ')}. How many?`;
    const groups = [0, 1, 2].map((g) => {
      const prompts = Array.from({ length: 20 }, (_, i) => problem(1 + (i % 5), g * 7 + i));
      return { x: prompts.map((p) => rankInputs(p)), y: prompts.map((_, i) => (i % 5) / 4) };
    });
    const r = fitRanker(groups, 1);
    assert.ok(rankScore(r, rankInputs(problem(5, 3))) > rankScore(r, rankInputs(problem(1, 3))));
  });
  it('the shipped model is a version 2 model with its ranker, and survives a round trip', () => {
    const w = shippedModel();
    assert.ok(w.ranker && w.ranker.beta > 0);
    const back = fromJson(JSON.parse(JSON.stringify(toJson(w))));
    const c1 = createClassifier('learned');
    const c2 = createClassifier('learned', { model: toJson(back) });
    const p = 'Implement a lock-free queue in Rust and prove it is linearizable.';
    assert.ok(Math.abs(c1.classify(p).score - c2.classify(p).score) < 0.02);
    assert.throws(() => fromJson({ ...toJson(w), ranker: { w: [1], c: 0, beta: 1 } }), /ranker with \d+ weights/);
  });
});
