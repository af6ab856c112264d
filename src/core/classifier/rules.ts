// The transparent strategy: every signal has a fixed weight; the weights and the words behind them are in this file
// and in features.ts, so a user can see exactly why a prompt went where it did.
import type { Category } from '../types';
import {
  argmax,
  boundaryConfidence,
  complexityOf,
  reasonsFrom,
  sigmoid,
  type Partial1,
  type StrategyCore,
} from './strategy';
import { extract, sat, type Features } from './features';
import { S } from './signals';

export interface RuleScores {
  /** Logit of the score: each term's contribution, by signal. */
  terms: Float64Array;
  z: number;
  cat: Record<Category, number>;
}

/** Weighted contributions of every signal to the score logit (index = signal). */
export function ruleTerms(f: Features): Float64Array {
  const s = f.sig;
  const t = new Float64Array(s.length);
  t[S.Length] = 0.5 * (Math.min(s[S.Length], 5.5) - 2);
  t[S.Proof] = 2.8 * sat(s[S.Proof]);
  t[S.Reasoning] = 1.1 * sat(s[S.Reasoning], 1.5);
  t[S.Design] = 1.0 * sat(s[S.Design], 1.5);
  t[S.Math] = 0.8 * sat(s[S.Math], 3);
  t[S.Debug] = 0.7 * sat(s[S.Debug], 1.5);
  t[S.CodeFence] = 0.8 * sat(s[S.CodeFence]);
  t[S.CodeSyntax] = 0.5 * sat(s[S.CodeSyntax], 3);
  t[S.CodeWords] = 0.6 * sat(s[S.CodeWords], 2);
  t[S.Language] = 0.3 * sat(s[S.Language]);
  t[S.MultiPart] = 0.7 * sat(s[S.MultiPart], 2);
  t[S.Constraints] = 0.6 * sat(s[S.Constraints], 2);
  t[S.OutputFormat] = 0.4 * sat(s[S.OutputFormat]);
  t[S.LongForm] = 1.3 * sat(s[S.LongForm]);
  t[S.Compare] = 0.6 * sat(s[S.Compare]);
  t[S.Explain] = 0.35 * sat(s[S.Explain]);
  t[S.Creative] = 0.3 * sat(s[S.Creative]);
  t[S.Chitchat] = f.words <= 8 ? -2.0 * sat(s[S.Chitchat]) : -0.3 * sat(s[S.Chitchat]);
  t[S.Factual] = -0.9 * s[S.ShortQuestion] * sat(s[S.Factual]);
  t[S.Brief] = -0.9 * sat(s[S.Brief]);
  t[S.FewShot] = -1.2 * s[S.FewShot];
  t[S.HighStakes] = 0.5 * s[S.HighStakes];
  return t;
}

export const RULE_BIAS = -0.6;

export function ruleCategories(f: Features): Record<Category, number> {
  const s = f.sig;
  return {
    code:
      2 * sat(s[S.CodeFence]) +
      1.2 * sat(s[S.CodeSyntax], 2) +
      1.1 * sat(s[S.CodeWords], 1.5) +
      1.3 * sat(s[S.Language]) +
      0.4 * sat(s[S.Debug]),
    creative: 1.7 * sat(s[S.Creative]),
    reasoning:
      1.6 * sat(s[S.Proof]) +
      1.0 * sat(s[S.Reasoning]) +
      0.8 * sat(s[S.Math], 2) +
      0.7 * sat(s[S.Compare]) +
      0.5 * sat(s[S.Design]),
    factual: 0.45 + 0.6 * sat(s[S.Factual]) + 0.3 * sat(s[S.Explain]) + 0.3 * sat(s[S.Chitchat]),
  };
}

export function ruleScores(f: Features): RuleScores {
  const terms = ruleTerms(f);
  let z = RULE_BIAS;
  for (let i = 0; i < terms.length; i++) z += terms[i];
  return { terms, z, cat: ruleCategories(f) };
}

/** The rules strategy: the scores above, as a StrategyCore. */
export function rulesCore(extraStakes: readonly string[]): StrategyCore {
  return {
    name: 'rules',
    one(text: string): Partial1 {
      const f = extract(text, extraStakes);
      const r = ruleScores(f);
      const score = sigmoid(r.z);
      const { cat, p } = argmax({
        factual: r.cat.factual * 3,
        reasoning: r.cat.reasoning * 3,
        creative: r.cat.creative * 3,
        code: r.cat.code * 3,
      });
      const confidence = 0.5 * p + 0.5 * boundaryConfidence(score);
      return {
        score,
        complexity: complexityOf(score),
        category: cat,
        confidence,
        reasons: reasonsFrom(r.terms, f, 3, score),
        highStakesDomain: f.highStakesDomain,
      };
    },
  };
}
