// createClassifier: the one entry point. Both strategies share signals (features.ts), follow-up handling and reasons.
import type { Classification, Classifier, Turn } from '../types';
import { classifyWith, extract } from './strategy';
import { learnedCore } from './learned';
import { fromJson, type Weights } from './model';
import { rulesCore } from './rules';
import shipped from './model.json';

export interface ClassifierOptions {
  /** Extra words and phrases that mark a prompt as high-stakes (config.highStakesTerms). */
  highStakesTerms?: string[];
  /** A model other than the shipped one (from `llm-router train`): its parsed JSON. */
  model?: unknown;
}

let shippedWeights: Weights | null = null;
/** The model that ships in the bundle (parsed once). */
export function shippedModel(): Weights {
  shippedWeights ??= fromJson(shipped);
  return shippedWeights;
}

export function createClassifier(strategy: 'rules' | 'learned', opts: ClassifierOptions = {}): Classifier {
  const extra = (opts.highStakesTerms ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean);
  if (strategy !== 'rules' && strategy !== 'learned')
    throw new Error(`unknown classifier strategy "${String(strategy)}" (use rules or learned)`);
  const core =
    strategy === 'rules' ? rulesCore(extra) : learnedCore(opts.model ? fromJson(opts.model) : shippedModel(), extra);
  const ex = (t: string) => extract(t, extra);
  return {
    name: strategy,
    classify(prompt: string, history?: readonly Turn[]): Classification {
      return classifyWith(core, typeof prompt === 'string' ? prompt : String(prompt ?? ''), history, ex);
    },
  };
}

export { extract } from './features';
export type { Weights } from './model';
