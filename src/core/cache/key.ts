// What makes two requests "the same": a hash of everything that shapes the answer (model, system, the whole
// conversation, max tokens, tools), and for near-duplicates the similarity of the last prompt's words when all
// else is equal.
import { createHash } from 'node:crypto';
import type { ChatMessage, ChatRequest } from '../provider/api';
import type { Turn } from '../types';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A stable hash of the request's content (not its signal). */
export function requestKey(req: ChatRequest, scope = ''): string {
  return sha(
    JSON.stringify([
      scope,
      req.model,
      req.system ?? '',
      req.maxTokens,
      req.toolMode ?? 'auto',
      req.tools ?? [],
      req.messages,
    ]),
  );
}

/** The hash of everything but the last message: near-duplicates must share it. */
export function contextKey(req: ChatRequest, scope = ''): string {
  return sha(JSON.stringify([scope, req.model, req.system ?? '', req.maxTokens, req.messages.slice(0, -1)]));
}

const hasToolParts = (m: Turn | ChatMessage) =>
  typeof m.content !== 'string' && m.content.some((p) => p.type === 'tool_use' || p.type === 'tool_result');

/** Never cached: requests that offer tools or carry tool calls or results (agent loops act on the world; their
 *  answers must not be replayed). */
export function isAgentRequest(req: ChatRequest): boolean {
  return !!req.tools?.length || req.messages.some(hasToolParts);
}

/** The last user message's text. */
export function lastPromptText(req: ChatRequest): string {
  const m = req.messages[req.messages.length - 1];
  if (!m || m.role !== 'user') return '';
  return typeof m.content === 'string'
    ? m.content
    : m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
}

/** The words and word pairs of a text, lower-cased: what near-duplicate prompts share. */
export function shingles(text: string): Set<string> {
  const words =
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>(words);
  for (let i = 1; i < words.length; i++) out.add(`${words[i - 1]} ${words[i]}`);
  return out;
}

/** Jaccard similarity of two shingle sets, in [0, 1]. */
export function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (!a.size && !b.size) return 1;
  let common = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) common++;
  return common / (a.size + b.size - common);
}
