// VS Code's language-model messages in the router's own form: text, tool calls, tool results, images
// (`LanguageModelDataPart`, known here by its shape: the 1.104 API types do not declare it) and system text (role 3
// at run time: VS Code's agent sends its system prompt so, though the finalized enum names only User and Assistant).
import * as vscode from 'vscode';
import { messageTokens } from '../core/agentTurn';
import { estimateTokens } from '../core/pricing';
import type { ChatMessage, ContentPart, ToolSpec } from '../core/provider/api';

interface DataLike {
  mimeType: string;
  data: Uint8Array;
}
const isData = (p: unknown): p is DataLike =>
  !!p &&
  typeof p === 'object' &&
  typeof (p as DataLike).mimeType === 'string' &&
  (p as DataLike).data instanceof Uint8Array;
const isTextMime = (m: string) => /^text\/|json/.test(m);

/** The text of a tool result's content (text parts, text/JSON data parts, prompt-tsx parts as their JSON). */
function resultText(content: readonly unknown[]): string {
  return content
    .map((c) => {
      if (c instanceof vscode.LanguageModelTextPart) return c.value;
      if (isData(c)) return isTextMime(c.mimeType) ? Buffer.from(c.data).toString('utf8') : '';
      if (c instanceof vscode.LanguageModelPromptTsxPart) return JSON.stringify(c.value);
      return '';
    })
    .join('');
}

/** One VS Code message part as ours; null for parts that carry nothing for the model (cache hints, unknown kinds). */
function partOf(p: unknown): ContentPart | null {
  if (p instanceof vscode.LanguageModelTextPart) return p.value ? { type: 'text', text: p.value } : null;
  if (p instanceof vscode.LanguageModelToolCallPart)
    return { type: 'tool_use', id: p.callId, name: p.name, input: p.input ?? {} };
  if (p instanceof vscode.LanguageModelToolResultPart) {
    const isError = (p as { isError?: boolean }).isError === true;
    return {
      type: 'tool_result',
      toolUseId: p.callId,
      content: resultText(p.content) || '(no output)',
      ...(isError ? { isError } : {}),
    };
  }
  if (isData(p)) {
    if (p.mimeType.startsWith('image/'))
      return { type: 'image', mediaType: p.mimeType, data: Buffer.from(p.data).toString('base64') };
    if (isTextMime(p.mimeType)) return { type: 'text', text: Buffer.from(p.data).toString('utf8') };
  }
  return null;
}

/** The system text and the conversation (consecutive messages of one role merged; tool results first in their message). */
export function fromVscodeMessages(messages: readonly vscode.LanguageModelChatRequestMessage[]): {
  system: string | undefined;
  messages: ChatMessage[];
} {
  const system: string[] = [];
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const parts = m.content.map(partOf).filter((p): p is ContentPart => p !== null);
    if (
      m.role !== vscode.LanguageModelChatMessageRole.User &&
      m.role !== vscode.LanguageModelChatMessageRole.Assistant
    ) {
      const t = parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
      if (t.trim()) system.push(t);
      continue;
    }
    if (!parts.length) continue;
    const role = m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user';
    const last = out[out.length - 1];
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...parts);
    else out.push({ role, content: parts });
  }
  // The Messages API wants a user message's tool results before its text, and the conversation to start with the user.
  for (const m of out) {
    if (m.role === 'user' && Array.isArray(m.content))
      m.content.sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'));
  }
  while (out.length && out[0].role !== 'user') out.shift();
  return { system: system.length ? system.join('\n\n') : undefined, messages: out };
}

/** The request's tools as ours (a tool without a schema takes an empty object). */
export function toolSpecsFrom(tools: readonly vscode.LanguageModelChatTool[] | undefined): ToolSpec[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((t) => ({
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    inputSchema: (t.inputSchema as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} },
  }));
}

/** Tokens of a text (tool schemas arrive as their JSON text) or a message: text, tool calls and results, images. */
export function tokenCount(text: string | vscode.LanguageModelChatRequestMessage): number {
  if (typeof text === 'string') return estimateTokens(text);
  const parts = text.content.map(partOf).filter((p): p is ContentPart => p !== null);
  return parts.length ? messageTokens({ role: 'user', content: parts }) : 1;
}
