// Fits a conversation into a model's context window for the Messages API: the newest turns that fit, always the
// prompt, and roles that alternate user/assistant starting with user (what the API expects).
import { estimateTokens } from '../pricing';
import type { Turn } from '../types';

/** Tokens a message costs beyond its text (role and framing), a rough allowance. */
export const MESSAGE_OVERHEAD_TOKENS = 4;

export interface FittedHistory {
  /** The turns to send, oldest first, ending with the prompt as a user turn. */
  messages: Turn[];
  /** How many turns of `history` were left out (too old to fit, empty, or without a valid partner). */
  dropped: number;
  /** Estimated input tokens of `messages`. */
  inputTokens: number;
  /** True when even the prompt alone does not fit (it is still sent; the API will say it is too long). */
  promptTooLong: boolean;
}

interface Merged extends Turn {
  /** How many original turns this one stands for. */
  count: number;
}

/**
 * The most recent turns of `history` (oldest first) that fit in `contextWindow` minus `maxOutputTokens`, followed by
 * the prompt. Empty turns are dropped; consecutive turns of one role are merged (as the API itself would read them);
 * a leading assistant turn and a trailing user turn without an answer are dropped, so the result alternates
 * user/assistant and starts with user. Older turns go first, always a whole user+assistant exchange at a time.
 */
export function fitHistory(
  history: readonly Turn[],
  prompt: string,
  contextWindow: number,
  maxOutputTokens: number,
  estimate: (text: string) => number = estimateTokens,
): FittedHistory {
  const cost = (t: string) => estimate(t) + MESSAGE_OVERHEAD_TOKENS;
  let dropped = 0;

  // 1. No empty turns; one turn per run of the same role.
  const norm: Merged[] = [];
  for (const t of history) {
    if (!t || (t.role !== 'user' && t.role !== 'assistant') || typeof t.content !== 'string' || !t.content.trim()) {
      dropped++;
      continue;
    }
    const last = norm[norm.length - 1];
    if (last && last.role === t.role) {
      last.content = `${last.content}\n\n${t.content}`;
      last.count++;
    } else norm.push({ role: t.role, content: t.content, count: 1 });
  }
  // 2. Starts with user, ends with assistant (the prompt follows as the next user turn).
  while (norm.length && norm[0].role !== 'user') dropped += norm.shift()!.count;
  while (norm.length && norm[norm.length - 1].role !== 'assistant') dropped += norm.pop()!.count;

  // 3. Whole exchanges, newest first, while they fit.
  const budget = contextWindow - maxOutputTokens;
  let used = cost(prompt);
  const promptTooLong = used > budget;
  let start = norm.length;
  while (start >= 2) {
    const pair = cost(norm[start - 2].content) + cost(norm[start - 1].content);
    if (used + pair > budget) break;
    used += pair;
    start -= 2;
  }
  for (let i = 0; i < start; i++) dropped += norm[i].count;

  const messages: Turn[] = norm.slice(start).map(({ role, content }) => ({ role, content }));
  messages.push({ role: 'user', content: prompt });
  return { messages, dropped, inputTokens: used, promptTooLong };
}
