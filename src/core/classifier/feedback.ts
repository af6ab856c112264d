// Turns rated answers from the decision store into training rows for the score: a bad answer from a cheaper tier
// means the prompt needed a stronger model; a good answer from the cheapest tier means it did not.
import type { QualitySample } from '../store/api';
import type { OutcomeRow } from './dataset';

export interface FeedbackRowsResult {
  rows: OutcomeRow[];
  /** Samples left out, by reason (no prompt stored, top-tier answer, middling quality). */
  skipped: Record<string, number>;
}

/**
 * `promptOf` returns the full prompt of a decision, or null when the store kept none (prompt storage "none") or only a
 * preview. Quality ≤ `bad` on a tier below the top → needs a stronger model; quality ≥ `good` on the cheapest tier →
 * the weak model was enough. Other samples carry no signal about the score and are skipped.
 */
export function feedbackRows(
  samples: readonly QualitySample[],
  promptOf: (decisionId: string) => string | null,
  topTier: number,
  opts: { bad?: number; good?: number } = {},
): FeedbackRowsResult {
  const bad = opts.bad ?? 0.4;
  const good = opts.good ?? 0.7;
  const rows: OutcomeRow[] = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string) => (skipped[why] = (skipped[why] ?? 0) + 1);
  for (const s of samples) {
    let needsStrong: boolean;
    if (s.quality <= bad && s.tier < topTier) needsStrong = true;
    else if (s.quality >= good && s.tier === 0) needsStrong = false;
    else {
      skip(s.tier >= topTier ? 'answered by the top tier' : 'quality neither clearly good nor bad');
      continue;
    }
    const prompt = promptOf(s.decisionId);
    if (!prompt) {
      skip('prompt not stored in full');
      continue;
    }
    rows.push({
      kind: 'outcome',
      id: s.decisionId,
      prompt,
      weak_score: needsStrong ? 0 : 1,
      strong_score: 1,
      weak_cost: 0,
      strong_cost: 0,
    });
  }
  return { rows, skipped };
}
