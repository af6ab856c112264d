// The frame both strategies (rules.ts, learned.ts) run in: follow-up handling, complexity cut-offs, confidence and the
// reasons shown to users.
import { estimateTokens } from '../pricing';
import type { Category, Classification, Complexity, Turn } from '../types';
import { CATEGORIES } from '../types';
import { extract, type Features } from './features';
import { S } from './signals';

/** Score cut-offs for complexity (kept equal to the default tier thresholds so the words match the tiers). */
export const COMPLEXITY_CUTS = [0.35, 0.7] as const;

export const complexityOf = (score: number): Complexity =>
  score < COMPLEXITY_CUTS[0] ? 'simple' : score < COMPLEXITY_CUTS[1] ? 'medium' : 'complex';

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** How far the score is from a complexity boundary, as a confidence in [0.5, 1]. */
export function boundaryConfidence(score: number): number {
  const d = Math.min(Math.abs(score - COMPLEXITY_CUTS[0]), Math.abs(score - COMPLEXITY_CUTS[1]));
  return 0.5 + 0.5 * Math.min(1, d / 0.15);
}

export function argmax(r: Record<Category, number>): { cat: Category; p: number } {
  let best: Category = 'factual';
  let bv = -Infinity;
  let sum = 0;
  let max = -Infinity;
  for (const c of CATEGORIES) max = Math.max(max, r[c]);
  for (const c of CATEGORIES) {
    sum += Math.exp(r[c] - max);
    if (r[c] > bv) {
      bv = r[c];
      best = c;
    }
  }
  return { cat: best, p: 1 / sum };
}

const SIGNAL_WORDS: Partial<Record<S, string>> = {
  [S.Proof]: 'asks for a proof or derivation',
  [S.Reasoning]: 'asks for analysis or reasoning',
  [S.Design]: 'system design or architecture',
  [S.Math]: 'involves mathematics',
  [S.Debug]: 'debugging an error',
  [S.CodeFence]: 'contains a code block',
  [S.CodeSyntax]: 'contains code',
  [S.CodeWords]: 'programming task',
  [S.Language]: 'names a programming language or library',
  [S.MultiPart]: 'several questions or parts',
  [S.Constraints]: 'several constraints to meet',
  [S.OutputFormat]: 'asks for structured output',
  [S.LongForm]: 'asks for a long, detailed answer',
  [S.Compare]: 'asks for a comparison',
  [S.Explain]: 'asks for an explanation',
  [S.Creative]: 'creative writing',
  [S.Chitchat]: 'greeting or small talk',
  [S.Factual]: 'short factual question',
  [S.Brief]: 'asks for a brief answer',
  [S.FewShot]: 'multiple-choice or worked-example format (long, not hard)',
};

/** Score at or above which a prompt needs more than the cheapest tier (the default first threshold). */
export const REASON_PIVOT = 0.35;

/**
 * The few signals that moved the score most, in words — those that pushed it the way it went (up for a prompt that
 * needs more than the cheapest tier, down for one that does not), so a Sonnet decision is never "explained" by
 * the one word of small talk that pulled it down. Signals the other way are shown only when nothing pushed this way.
 */
export function reasonsFrom(terms: ArrayLike<number>, f: Features, max = 3, score?: number): string[] {
  const dir = score === undefined ? 0 : score >= REASON_PIVOT ? 1 : -1;
  let idx: number[] = [];
  for (let i = 0; i < terms.length; i++) if (i !== S.HighStakes && Math.abs(terms[i]) >= 0.25) idx.push(i);
  if (dir !== 0) {
    const sameWay = idx.filter((i) => terms[i] * dir > 0);
    if (sameWay.length) idx = sameWay;
  }
  idx.sort((a, b) => Math.abs(terms[b]) - Math.abs(terms[a]));
  const out: string[] = [];
  let code = false;
  for (const i of idx) {
    if (out.length >= max) break;
    let w: string | undefined;
    if (i === S.Length) {
      const tok = Math.round(f.effChars / 4);
      w = terms[i] >= 0.7 ? `long prompt (~${tok} tokens)` : terms[i] < 0 ? 'short prompt' : undefined;
    } else w = SIGNAL_WORDS[i as S];
    if (!w) continue;
    if (i === S.CodeFence || i === S.CodeSyntax || i === S.CodeWords || i === S.Language) {
      if (code) continue;
      code = true;
    }
    out.push(w);
  }
  if (out.length === 0)
    out.push(f.words <= 12 ? 'short prompt with no sign of difficulty' : 'no strong signal either way');
  return out;
}

/** The result of one strategy on one text, before follow-up merging. */
export interface Partial1 {
  score: number;
  complexity: Complexity;
  category: Category;
  confidence: number;
  reasons: string[];
  highStakesDomain: string | null;
}

export interface StrategyCore {
  name: string;
  /** Classifies a single text. */
  one(text: string): Partial1;
}

function lastUserTurn(history: readonly Turn[] | undefined): string | null {
  if (!history) return null;
  for (let i = history.length - 1; i >= 0; i--)
    if (history[i].role === 'user' && history[i].content.trim()) return history[i].content;
  return null;
}

/** True when a message only makes sense with the turns before it ("yes", "continue", "now do it for Python"). */
export function isFollowUp(f: Features, text: string): boolean {
  return text.length < 160 && (f.followUpCue || f.words <= 3);
}

export function classifyWith(
  core: StrategyCore,
  prompt: string,
  history: readonly Turn[] | undefined,
  extract1: (t: string) => Features,
): Classification {
  let own = core.one(prompt);
  const prevText = lastUserTurn(history);
  let histChars = 0;
  if (history) for (const t of history) histChars += t.content.length;
  if (prevText !== null) {
    const f = extract1(prompt);
    if (isFollowUp(f, prompt)) {
      const prev = core.one(prevText);
      if (prev.score > own.score || own.category === 'factual') {
        own = {
          score: Math.max(own.score, prev.score * 0.95 + own.score * 0.05),
          complexity: 'simple',
          category: prev.category,
          confidence: Math.min(prev.confidence, 0.9),
          reasons: ['follow-up: judged with the earlier request', ...prev.reasons.slice(0, 2)],
          highStakesDomain: own.highStakesDomain ?? prev.highStakesDomain,
        };
        own.complexity = complexityOf(own.score);
      }
    }
  }
  const reasons = own.reasons.slice();
  if (own.highStakesDomain) reasons.push(`high-stakes topic (${own.highStakesDomain})`);
  const c: Classification = {
    score: Math.round(own.score * 1e4) / 1e4,
    complexity: own.complexity,
    category: own.category,
    confidence: Math.round(own.confidence * 100) / 100,
    reasons,
    highStakes: own.highStakesDomain !== null,
    estInputTokens: estimateTokens(prompt) + (histChars ? Math.ceil(histChars / 4) : 0),
    strategy: core.name,
  };
  if (own.highStakesDomain) c.highStakesDomain = own.highStakesDomain;
  return c;
}

export { extract };
