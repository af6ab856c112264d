// Answering a request, with or without a cascade: the cheaper tier's answer is held back until it passes the quality
// gate; when it falls short the stronger tier answers (unless the budget refuses the escalation).
import { passesGate, type CascadeSettings } from '../cascade';
import { tierLabel } from '../format';
import type { QualityResult } from '../quality';
import type { Decision } from '../types';
import { fitsBudget, recordRefusal } from './budgetGuard';
import type { Conversation } from './conversation';
import { callWithFallback, type Answer } from './fallback';
import { retier } from './records';
import type { RunScope } from './scope';

export interface Answered {
  ans: Answer;
  quality: QualityResult;
  /** True when the answer was not scored (it called tools). */
  unscored?: boolean;
}

/** The plain way: one call on `d`'s tier (with fallback), its answer streamed as it comes. */
export async function answerDirect(s: RunScope, d: Decision, talk: Conversation, judge: () => void): Promise<Answered> {
  const ans = await callWithFallback(s, d, 'primary', null, s.req.onText, judge);
  // a turn that calls tools is not an answer yet: it is not scored (a loop's last turn is)
  if (ans.result.toolCalls?.length) return { ans, quality: { score: 1, signals: {} }, unscored: true };
  return { ans, quality: talk.scoreAnswer(ans.rec.id, s.req.prompt, ans.result) };
}

/** The cascade: `cheap` (a tier below `strong`) first; its answer is shown only once it passes the gate. */
export async function answerCascade(
  s: RunScope,
  cheapD: Decision,
  strong: Decision,
  gate: CascadeSettings,
  talk: Conversation,
  judge: () => void,
): Promise<Answered> {
  const { cfg, req } = s;
  const cheap = await callWithFallback(s, cheapD, 'cascade-cheap', null, undefined, judge);
  const q = talk.scoreAnswer(cheap.rec.id, req.prompt, cheap.result);
  const recheck = fitsBudget(s, strong.tier);
  const cheapLabel = tierLabel(cfg, cheap.rec.tier);
  const strongLabel = tierLabel(cfg, strong.tier);
  if (passesGate(q, gate) || cheap.rec.tier >= strong.tier) {
    req.onText?.(cheap.result.text);
    return { ans: cheap, quality: q };
  }
  if (!recheck.fits) {
    req.onNotice?.(
      `${cheapLabel}'s answer scored ${q.score.toFixed(2)}, but escalating to ${strongLabel} was refused: ${recheck.message}. Showing ${cheapLabel}'s answer.`,
    );
    recordRefusal(
      s,
      strong,
      strong.tier,
      'cascade-escalated',
      cheap.rec.id,
      `cascade: escalation refused: ${recheck.message}`,
      'escalation',
      recheck.message,
    );
    req.onText?.(cheap.result.text);
    return { ans: cheap, quality: q };
  }
  const bad = Object.keys(q.signals).join(', ') || 'low score';
  req.onNotice?.(
    `${cheapLabel}'s answer fell short (quality ${q.score.toFixed(2)}: ${bad}): escalating to ${strongLabel}.`,
  );
  const esc = retier(
    cfg,
    strong,
    strong.tier,
    `cascade: ${cheapLabel}'s answer failed the quality gate (${q.score.toFixed(2)} < ${gate.gate}) → ${strongLabel}`,
    true,
    s.env.now,
  );
  const ans = await callWithFallback(s, esc, 'cascade-escalated', cheap.rec.id, req.onText);
  return { ans, quality: talk.scoreAnswer(ans.rec.id, req.prompt, ans.result) };
}
