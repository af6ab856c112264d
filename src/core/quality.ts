// Automatic quality of an answer, from what can be seen without a person: refusals, truncation, hedging, length
// against what the prompt asked for, overlap with the prompt's key terms, missing code where code was asked, and the
// user's next turn ("that's wrong", or the same question again). Each signal is a penalty in [0, 1] (0 = fine);
// the score in [0, 1] is 1 minus their weighted sum. Thumbs from a person weigh three times as much (combineQuality).
import type { Turn } from './types';

export interface QualityResult {
  /** In [0, 1]; 1 = nothing looked wrong. */
  score: number;
  /** Penalties in [0, 1] by name (refusal, truncated, hedging, length, offTopic, missingCode, empty). */
  signals: Record<string, number>;
}

export interface AnswerInput {
  prompt: string;
  answer: string;
  /** 'end_turn' | 'max_tokens' | 'refusal' | … */
  stopReason: string | null;
}

/** Quality at or above this passes (the cascade's gate; "bad" below it for retraining). */
export const QUALITY_GATE = 0.5;

const WEIGHTS: Record<string, number> = {
  truncated: 0.35,
  hedging: 0.25,
  length: 0.25,
  offTopic: 0.2,
  missingCode: 0.45,
};

const STOP = new Set(
  (
    'the a an and or but if then else of to in on at by for with from into about as is are was were be been being it its this that these those ' +
    'what which who whom whose when where why how do does did can could should would will shall may might must not no yes you your i me my we our ' +
    'they them their he she his her please tell me give show explain write make get use using there here than so very just also any some all each ' +
    'more most less other such only own same too both few many much one two three want need like know'
  ).split(' '),
);

function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9_][a-z0-9_+#.-]*/g) ?? []).map((w) => w.replace(/[.-]+$/, ''));
}

/** The prompt's key terms: content words of 4+ characters, not stop words. */
export function keyTerms(prompt: string): string[] {
  return [...new Set(words(prompt).filter((w) => w.length >= 4 && !STOP.has(w)))];
}

const HEDGES = [
  /\bi(?:'m| am) not (?:sure|certain)\b/i,
  /\bi don'?t know\b/i,
  /\bi(?:'m| am) unsure\b/i,
  /\bit(?:'s| is) (?:hard|difficult|impossible) to say\b/i,
  /\bi (?:can(?:no|')t|cannot) (?:be (?:sure|certain)|verify|confirm)\b/i,
  /\b(?:might|may) (?:or may not )?be (?:wrong|incorrect|inaccurate)\b/i,
  /\bmy (?:knowledge|information) (?:may|might) be\b/i,
  /\bi (?:think|believe|guess)\b/i,
  /\bpossibly\b|\bperhaps\b|\bprobably\b/i,
  /\bnot entirely clear\b|\bunclear\b/i,
];

const REFUSALS = [
  /^\s*(?:i(?:'m| am) sorry,? )?(?:but )?i (?:can(?:no|')t|cannot|won'?t|am unable to|'m unable to|am not able to) (?:help|assist|provide|do|comply|answer|write|create)/i,
  /\bi (?:must|have to) (?:decline|refuse)\b/i,
  /\bas an ai(?: language model)?,? i (?:can(?:no|')t|cannot|don'?t)\b/i,
];

const ASKS_CODE =
  /\b(?:write|implement|code|coding|create|build|give me|show me|fix|refactor|debug)\b[^.?!\n]{0,60}\b(?:function|method|class|script|program|code|regex|query|snippet|component|module|test|endpoint|algorithm|parser|bug)s?\b|```|\b(?:in|using) (?:python|typescript|javascript|rust|go|java|c\+\+|c#|sql|bash|ruby|kotlin|swift)\b/i;
const HAS_CODE =
  /```|^\s{4,}\S|^\s*(?:def |function |class |const |let |var |import |from \S+ import|#include|public |fn |func |SELECT |return\b)|=>|[;{}]\s*$/im;

const ASKS_SHORT =
  /\b(?:briefly|brief|short(?:ly)?|concise(?:ly)?|one (?:sentence|line|word)|in a (?:sentence|word)|tl;?dr|just (?:the|a) (?:name|number|answer)|yes or no)\b/i;
const ASKS_LONG =
  /\b(?:in detail|detailed|thorough(?:ly)?|comprehensive(?:ly)?|step[- ]by[- ]step|elaborate|in depth|full explanation|essay|long)\b/i;
const ASKS_N_WORDS = /\b(?:in|under|within|at most|about|around)\s+(\d{1,4})\s+words\b/i;

/** Scores one answer on its own (the next turn comes later: nextTurnPenalty). */
export function assessAnswer(input: AnswerInput): QualityResult {
  const answer = input.answer ?? '';
  const prompt = input.prompt ?? '';
  const signals: Record<string, number> = {};
  const text = answer.trim();
  const n = words(text).length;

  if (!text) {
    signals.empty = 1;
    return { score: 0, signals };
  }
  const refused = input.stopReason === 'refusal' || (n < 80 && REFUSALS.some((r) => r.test(text)));
  if (refused) signals.refusal = 1;
  if (input.stopReason === 'max_tokens') signals.truncated = 1;

  const hedges = HEDGES.reduce((k, r) => k + (r.test(text) ? 1 : 0), 0);
  if (hedges) signals.hedging = Math.min(1, hedges / 3);

  // Length against what the prompt asked for.
  const nAsked = ASKS_N_WORDS.exec(prompt);
  if (nAsked) {
    const want = Number(nAsked[1]);
    if (want > 0 && (n > want * 1.5 || n < want * 0.3))
      signals.length = Math.min(1, Math.abs(Math.log(n / want)) / Math.log(4));
  } else if (ASKS_SHORT.test(prompt)) {
    if (n > 120) signals.length = Math.min(1, (n - 120) / 240);
  } else if (ASKS_LONG.test(prompt)) {
    if (n < 80) signals.length = Math.min(1, (80 - n) / 80);
  } else if (n < 3 && words(prompt).length > 12) {
    signals.length = 0.5;
  }

  // Overlap with the prompt's key terms (only meaningful when the prompt has a few).
  const terms = keyTerms(prompt);
  if (terms.length >= 3) {
    const have = new Set(words(text));
    const hit = terms.filter(
      (t) =>
        have.has(t) ||
        [...have].some((w) => w.length >= 5 && (w.startsWith(t.slice(0, 5)) || t.startsWith(w.slice(0, 5)))),
    ).length;
    const overlap = hit / terms.length;
    if (overlap < 0.25) signals.offTopic = Math.min(1, (0.25 - overlap) / 0.25);
  }

  if (ASKS_CODE.test(prompt) && !HAS_CODE.test(text)) signals.missingCode = 1;

  let score = 1;
  for (const [k, v] of Object.entries(signals)) score -= (WEIGHTS[k] ?? 0) * v;
  if (signals.refusal) score = Math.min(score, 0.1);
  return { score: clamp01(score), signals };
}

const NEGATIVE_NEXT = [
  /^\s*(?:no|nope|wrong|incorrect|nah)\b[\s,.!:;-]/i,
  /\b(?:that'?s|that is|this is|it'?s|it is|you'?re|you are) (?:wrong|incorrect|not (?:right|correct|it|what i (?:asked|meant|wanted))|a mistake|false|broken|nonsense)\b/i,
  /\b(?:doesn'?t|does not|didn'?t|did not|won'?t|still (?:doesn'?t|does not)) (?:work|compile|run|help|answer)\b/i,
  /\bnot what i (?:asked|meant|wanted)\b/i,
  /\b(?:you )?misunderstood\b|\bthat'?s not (?:it|right|true)\b|\btry again\b|\bstill (?:wrong|broken|failing|fails)\b/i,
];

/**
 * How much the user's next turn counts against the previous answer, in [0, 1] (0 = nothing against it):
 * 1 for "that's wrong" / "doesn't work"; 0.6 for the same question asked again (a rephrase).
 */
export function nextTurnPenalty(
  nextPrompt: string,
  previousPrompt: string | null,
): { penalty: number; why: string | null } {
  const p = nextPrompt ?? '';
  const head = p.slice(0, 200);
  if (NEGATIVE_NEXT.some((r) => r.test(head))) return { penalty: 1, why: 'the next message said the answer was wrong' };
  if (previousPrompt) {
    const a = new Set(keyTerms(previousPrompt));
    const b = new Set(keyTerms(p));
    if (a.size >= 2 && b.size >= 2) {
      let inter = 0;
      for (const w of a) if (b.has(w)) inter++;
      const jaccard = inter / (a.size + b.size - inter);
      if (jaccard >= 0.6) return { penalty: 0.6, why: 'the next message asked the same question again' };
    }
  }
  return { penalty: 0, why: null };
}

/** An earlier automatic score lowered by the next turn's penalty. */
export function applyNextTurn(previousScore: number | null, penalty: number): number {
  const base = previousScore ?? 0.8;
  return clamp01(Math.min(base, base * (1 - 0.8 * penalty)));
}

/** One quality in [0, 1] from a thumb and the automatic score (a thumb weighs three times as much; as the store does). */
export function combineQuality(thumb: 'up' | 'down' | null, auto: number | null): number | null {
  const t = thumb === 'up' ? 1 : thumb === 'down' ? 0 : null;
  if (t !== null && auto !== null) return 0.75 * t + 0.25 * auto;
  return t ?? auto;
}

/** The last user turn before the last assistant turn of a history, and that assistant turn: the previous exchange. */
export function previousExchange(
  history: readonly Turn[] | undefined,
): { prompt: string | null; answer: string } | null {
  if (!history?.length) return null;
  let i = history.length - 1;
  while (i >= 0 && history[i].role !== 'assistant') i--;
  if (i < 0) return null;
  let j = i - 1;
  while (j >= 0 && history[j].role !== 'user') j--;
  return { prompt: j >= 0 ? history[j].content : null, answer: history[i].content };
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, Math.round(x * 1000) / 1000));
}
