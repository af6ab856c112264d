// What `@router` keeps in each result and reads back from the conversation: the metadata, and the earlier turns
// as history for the next request.
import * as vscode from 'vscode';
import type { Turn } from '../core/types';

export const PARTICIPANT_ID = 'llm-router.router';

/** What `@router` puts in each result's metadata (kept by VS Code with the conversation). */
export interface RouterResultMeta {
  decisionId?: string;
  /** The answer text alone (without the routing line and the footer): the history of the next turn. */
  answer?: string;
  prompt?: string;
  tier?: string;
  command?: string;
  status?: 'ok' | 'no-key' | 'cancelled' | 'error' | 'blocked' | 'explain' | 'stats';
}

export const TIER_COMMANDS = new Set(['haiku', 'sonnet', 'opus']);

/** Earlier `@router` turns of this conversation, oldest first, as plain text turns. */
export function historyFrom(context: vscode.ChatContext): Turn[] {
  const turns: Turn[] = [];
  for (const h of context.history) {
    if (h.participant !== PARTICIPANT_ID) continue;
    if (h instanceof vscode.ChatRequestTurn) {
      if (h.command === 'explain' || h.command === 'stats') continue;
      turns.push({ role: 'user', content: h.prompt });
    } else if (h instanceof vscode.ChatResponseTurn) {
      const meta = h.result.metadata as RouterResultMeta | undefined;
      if (meta?.status === 'explain' || meta?.status === 'stats') continue;
      // Our own turns carry the answer alone in their metadata (no-key and error turns have none); a turn restored
      // without metadata falls back to its Markdown.
      let text = meta?.answer ?? (meta?.status ? '' : undefined);
      if (text === undefined) {
        text = h.response
          .filter((p): p is vscode.ChatResponseMarkdownPart => p instanceof vscode.ChatResponseMarkdownPart)
          .map((p) => p.value.value)
          .join('');
      }
      // A user turn without an answer (no key, cancelled before any text) is dropped with it.
      if (!text.trim()) {
        if (turns.length && turns[turns.length - 1].role === 'user') turns.pop();
        continue;
      }
      turns.push({ role: 'assistant', content: text });
    }
  }
  // The API wants alternating turns ending with an assistant turn before the new prompt.
  while (turns.length && turns[turns.length - 1].role === 'user') turns.pop();
  return turns;
}
