// What the judge model is asked and how its answer is read. The judge answers with one JSON object; anything else (no
// JSON, a verdict that is neither "good" nor "bad", a score that contradicts it) is "no verdict": it never counts as
// good or as bad.
import { QUALITY_GATE } from '../quality';

/** 'compare': the routed answer against the top tier's own answer; 'alone': the routed answer graded on its own. */
export type JudgeMode = 'compare' | 'alone';

export type Verdict =
  | { kind: 'good' | 'bad'; /** in [0, 1] */ score: number; reason: string }
  | { kind: 'none'; /** why the judge's answer could not be read */ why: string };

export const JUDGE_SYSTEM =
  'You are a strict, fair grader of answers written by an AI assistant. Reply with one JSON object and nothing else: ' +
  '{"verdict": "good" | "bad", "score": <number from 0 to 1>, "reason": "<one short sentence>"}. ' +
  '"good" means the answer is correct, complete enough and useful for what was asked; "bad" means a user would need a better answer.';

/** Characters of the prompt and of each answer shown to the judge (the head; the rest is marked as cut). */
export const JUDGE_CHARS = 12_000;

function cut(text: string): string {
  return text.length > JUDGE_CHARS
    ? `${text.slice(0, JUDGE_CHARS)}\n[… ${text.length - JUDGE_CHARS} more characters not shown]`
    : text;
}

/** The user message sent to the judge model. */
export function judgePrompt(mode: JudgeMode, prompt: string, answer: string, reference: string | null): string {
  const parts = [`<question>\n${cut(prompt)}\n</question>`, `<answer>\n${cut(answer)}\n</answer>`];
  if (mode === 'compare' && reference !== null) {
    parts.push(`<reference_answer>\n${cut(reference)}\n</reference_answer>`);
    parts.push(
      'The reference answer is what a stronger model wrote. Is <answer> good enough in its place: would a user be as ' +
        'well served by it (correct, nothing important missing)? Style and length do not matter.',
    );
  } else {
    parts.push('Grade <answer> on its own: is it correct, complete enough and useful for <question>?');
  }
  parts.push('Reply with the JSON object only.');
  return parts.join('\n\n');
}

/** The first balanced {...} in a text (a fenced block or prose around it is fine), or null. */
function firstObject(text: string): string | null {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        const s = text.slice(start, i + 1);
        try {
          JSON.parse(s);
          return s;
        } catch {
          break;
        }
      }
    }
  }
  return null;
}

/** Reads the judge's answer. Never guesses: whatever is not a clear verdict is { kind: 'none' }. */
export function parseVerdict(text: string | null | undefined): Verdict {
  if (typeof text !== 'string' || !text.trim()) return { kind: 'none', why: 'the judge gave an empty answer' };
  const raw = firstObject(text);
  if (!raw) return { kind: 'none', why: 'the judge did not answer with a JSON object' };
  const o = JSON.parse(raw) as unknown;
  if (!o || typeof o !== 'object' || Array.isArray(o))
    return { kind: 'none', why: 'the judge did not answer with a JSON object' };
  const r = o as Record<string, unknown>;
  const v = typeof r.verdict === 'string' ? r.verdict.trim().toLowerCase() : null;
  if (v !== 'good' && v !== 'bad')
    return { kind: 'none', why: `the judge's verdict was ${JSON.stringify(r.verdict ?? null)}, not "good" or "bad"` };
  let score: number;
  if (r.score === undefined || r.score === null) score = v === 'good' ? 1 : 0;
  else if (typeof r.score === 'number' && Number.isFinite(r.score) && r.score >= 0 && r.score <= 1) score = r.score;
  else return { kind: 'none', why: `the judge's score ${JSON.stringify(r.score)} is not a number from 0 to 1` };
  // A "good" with a failing score (or the reverse) is a contradiction, not a verdict.
  if ((v === 'good') !== score >= QUALITY_GATE)
    return { kind: 'none', why: `the judge said "${v}" with a score of ${score}` };
  const reason = typeof r.reason === 'string' ? r.reason.trim().slice(0, 300) : '';
  return { kind: v, score: Math.round(score * 1000) / 1000, reason };
}
