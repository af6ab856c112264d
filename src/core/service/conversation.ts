// The conversation around an answer: scoring it automatically, remembering which decision gave it, and letting the
// next turn of the same conversation count against the previous answer ("that's wrong").
import type { ChatResult } from '../provider/api';
import { applyNextTurn, assessAnswer, nextTurnPenalty, previousExchange, type QualityResult } from '../quality';
import type { RouteRequest } from '../service-api';
import type { DecisionStore } from '../store/api';
import type { Turn } from '../types';

export interface Conversation {
  /** Scores an answer and stores the score as automatic feedback on its decision. */
  scoreAnswer(id: string, prompt: string, result: Pick<ChatResult, 'text' | 'stopReason'>): QualityResult;
  /** Lowers the previous answer's quality when this request's prompt says it was wrong. */
  judgePrevious(req: RouteRequest): void;
  /** Remembers that `text` was the answer of decision `id` (its next turn finds it). */
  remember(text: string, id: string): void;
}

export function createConversation(store: DecisionStore, now: () => number): Conversation {
  /** Answers given by this process, by their text: the next turn of the same conversation finds its decision here. */
  const answered = new Map<string, string>();

  /** Finds the decision that produced the previous answer of this conversation, if this process or the store knows it. */
  const previousDecision = (history: readonly Turn[] | undefined): { id: string; prompt: string | null } | null => {
    const ex = previousExchange(history);
    if (!ex) return null;
    const known = answered.get(ex.answer.trim());
    if (known) return { id: known, prompt: ex.prompt };
    if (!ex.prompt) return null;
    const head = ex.prompt.trim().slice(0, 60);
    if (head.length < 8) return null;
    const recent = store.listDecisions({ limit: 30, status: 'ok', since: now() - 24 * 3600_000 }).rows;
    const hit = recent.find((r) => r.prompt && r.prompt.replace(/…$/, '').trim().slice(0, 60) === head);
    return hit ? { id: hit.id, prompt: ex.prompt } : null;
  };

  return {
    scoreAnswer(id, prompt, result) {
      const q = assessAnswer({ prompt, answer: result.text, stopReason: result.stopReason });
      store.addFeedback({ decisionId: id, thumb: null, autoQuality: q.score, signals: q.signals, time: now() });
      return q;
    },
    judgePrevious(req) {
      const prev = previousDecision(req.history);
      if (!prev || !store.getDecision(prev.id)) return;
      const { penalty } = nextTurnPenalty(req.prompt, prev.prompt);
      if (!penalty) return;
      const fb = store.feedbackFor(prev.id).filter((f) => f.autoQuality !== null);
      const last = fb[fb.length - 1];
      const score = applyNextTurn(last?.autoQuality ?? null, penalty);
      store.addFeedback({
        decisionId: prev.id,
        thumb: null,
        autoQuality: score,
        signals: { ...(last?.signals ?? {}), nextTurn: penalty },
        time: now(),
      });
    },
    remember(text, id) {
      const key = text.trim();
      if (!key) return;
      answered.set(key, id);
      if (answered.size > 500) answered.delete(answered.keys().next().value as string);
    },
  };
}
