// The rules strategy as a StrategyCore.
import { argmax, boundaryConfidence, complexityOf, reasonsFrom, sigmoid, type Partial1, type StrategyCore } from './common';
import { extract } from './features';
import { ruleScores } from './rules';

export function rulesCore(extraStakes: readonly string[]): StrategyCore {
  return {
    name: 'rules',
    one(text: string): Partial1 {
      const f = extract(text, extraStakes);
      const r = ruleScores(f);
      const score = sigmoid(r.z);
      const { cat, p } = argmax({ factual: r.cat.factual * 3, reasoning: r.cat.reasoning * 3, creative: r.cat.creative * 3, code: r.cat.code * 3 });
      const confidence = 0.5 * p + 0.5 * boundaryConfidence(score);
      return { score, complexity: complexityOf(score), category: cat, confidence, reasons: reasonsFrom(r.terms, f, 3, score), highStakesDomain: f.highStakesDomain };
    },
  };
}
