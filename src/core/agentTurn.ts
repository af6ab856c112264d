// What an agent request asks, and which loop it belongs to. An agent (VS Code's Agent mode, any caller of the model
// provider) wraps the person's words in scaffolding: a long system prompt, tool schemas, workspace and editor
// context, attached files, and in the middle of a loop the results of the tools it ran. Routing on all of that sends
// "what does git stash do?" to the top tier; routing on the person's words alone does not. Everything else still
// counts in token estimates, cost and context fitting (`extraTokens`).
import { estimateTokens } from './pricing';
import type { ChatMessage, ContentPart, ToolSpec } from './provider/api';
import type { Turn } from './types';

/** Tokens an image costs at most (Anthropic: width × height / 750, images are scaled to about 1.15 megapixels). */
export const IMAGE_TOKENS = 1600;

/**
 * Elements agents wrap around the person's request. `userRequest` (VS Code's agent) holds the request itself; the
 * others are context that goes to the model but is not what was asked.
 */
const SCAFFOLD_TAGS = [
  'attachments',
  'attachment',
  'context',
  'editorContext',
  'environment_info',
  'workspace_info',
  'reminderInstructions',
  'reminder',
  'instructions',
  'custom_instructions',
  'repoContext',
  'currentChange',
  'todoList',
  'toolReferences',
  'file',
  'selection',
  'terminalSelection',
  'notebookSummary',
  'system-reminder',
  'conversation-summary',
];
const REQUEST_RE = /<(userRequest|user_query|user_request)>([\s\S]*?)<\/\1>/gi;
const SCAFFOLD_RE = new RegExp(`<(${SCAFFOLD_TAGS.join('|')})(\\s[^>]*)?>[\\s\\S]*?</\\1>`, 'gi');

/**
 * The person's own words in one user message's text: the contents of its `<userRequest>` when there is one, else the
 * text without the known context elements (attachments, workspace and editor context, reminders).
 */
export function requestText(text: string): string {
  const asked: string[] = [];
  for (const m of text.matchAll(REQUEST_RE)) if (m[2].trim()) asked.push(m[2].trim());
  if (asked.length) return asked.join('\n\n');
  let out = text;
  // nested elements (an attachment inside attachments) go with their parent; repeat for what a first pass uncovers
  for (let i = 0; i < 3; i++) {
    const next = out.replace(SCAFFOLD_RE, '');
    if (next === out) break;
    out = next;
  }
  return out.replace(/\n{3,}/g, '\n\n').trim();
}

/** The text parts of a message, joined. */
export function textOf(m: ChatMessage | Turn): string {
  if (typeof m.content === 'string') return m.content;
  return m.content
    .filter((p): p is Extract<ContentPart, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
}

/** Estimated input tokens of one message: text, tool calls, tool results and images. */
export function messageTokens(m: ChatMessage | Turn): number {
  if (typeof m.content === 'string') return estimateTokens(m.content);
  let chars = 0;
  let images = 0;
  for (const p of m.content) {
    if (p.type === 'text') chars += p.text.length;
    else if (p.type === 'tool_result') chars += p.content.length;
    else if (p.type === 'tool_use') chars += p.name.length + JSON.stringify(p.input ?? {}).length;
    else images++;
  }
  return Math.max(1, Math.ceil(chars / 4)) + images * IMAGE_TOKENS;
}

/** Estimated tokens of the tool schemas a request offers. */
export function toolTokens(tools: readonly ToolSpec[] | undefined): number {
  return tools?.length ? estimateTokens(JSON.stringify(tools)) : 0;
}

export interface AgentTurn {
  /** What the person asked in their latest turn (scaffolding removed): what is classified. */
  prompt: string;
  /** Earlier turns as the person and the model said them (scaffolding and tool traffic removed), for follow-ups. */
  history: Turn[];
  /** True when the request continues an agent loop: after the person's latest turn the model called tools and this
   *  request brings their results. */
  continuation: boolean;
  /** Ids of the tool calls whose results this request brings (those of the last assistant message). */
  toolCallIds: string[];
  /** Estimated input tokens of the whole request: system, tools, every message with its scaffolding and images. */
  inputTokens: number;
  /** The part of inputTokens that is not prompt + history (what the classifier does not see). */
  extraTokens: number;
  /** How many images the request carries. */
  images: number;
}

const isToolResultOnly = (m: ChatMessage): boolean =>
  typeof m.content !== 'string' &&
  m.content.length > 0 &&
  m.content.every((p) => p.type === 'tool_result' || (p.type === 'text' && !p.text.trim()));

/**
 * Reads an agent request: the latest user turn that the person wrote (not one that only carries tool results), the
 * turns before it as history, whether it continues a loop, and what the whole request weighs.
 */
export function readAgentTurn(
  messages: readonly ChatMessage[],
  system?: string,
  tools?: readonly ToolSpec[],
): AgentTurn {
  let last = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === 'user' && !isToolResultOnly(m) && requestText(textOf(m))) {
      last = i;
      break;
    }
  }
  const prompt = last >= 0 ? requestText(textOf(messages[last])) : '';
  const history: Turn[] = [];
  for (let i = 0; i < Math.max(0, last); i++) {
    const m = messages[i];
    if (m.role === 'user' && isToolResultOnly(m)) continue;
    const content = m.role === 'user' ? requestText(textOf(m)) : textOf(m).trim();
    if (!content) continue;
    const prev = history[history.length - 1];
    if (prev && prev.role === m.role) prev.content += `\n\n${content}`;
    else history.push({ role: m.role, content });
  }
  while (history.length && history[0].role !== 'user') history.shift();
  while (history.length && history[history.length - 1].role !== 'assistant') history.pop();

  const tail = messages.slice(last + 1);
  const continuation =
    last >= 0 &&
    tail.some(
      (m) => m.role === 'assistant' && typeof m.content !== 'string' && m.content.some((p) => p.type === 'tool_use'),
    );
  const lastAssistant = [...messages].reverse().find((m) => m.role === 'assistant');
  const toolCallIds =
    continuation && lastAssistant && typeof lastAssistant.content !== 'string'
      ? lastAssistant.content.flatMap((p) => (p.type === 'tool_use' ? [p.id] : []))
      : [];

  let inputTokens = (system ? estimateTokens(system) : 0) + toolTokens(tools);
  let images = 0;
  for (const m of messages) {
    inputTokens += messageTokens(m);
    if (typeof m.content !== 'string') images += m.content.filter((p) => p.type === 'image').length;
  }
  const seen = estimateTokens(prompt) + history.reduce((s, t) => s + estimateTokens(t.content), 0);
  return {
    prompt,
    history,
    continuation,
    toolCallIds,
    inputTokens,
    extraTokens: Math.max(0, inputTokens - seen),
    images,
  };
}

/** The tier an agent loop runs on, found again from the ids of the tool calls it made. */
export interface LoopEntry {
  /** The loop's one decision: every turn's usage and cost is added to it. */
  decisionId: string;
  tierId: string;
  model: string;
  /** Turns made so far (1 after the first answer). */
  turns: number;
  /** ms since epoch of the last turn. */
  time: number;
}

/**
 * Agent loops in progress, by the ids of the tool calls their last turn made (bounded; forgotten after an hour
 * without a turn). A request that brings the results of those calls continues that loop.
 */
export class AgentLoops {
  private readonly byCall = new Map<string, LoopEntry>();
  constructor(
    private readonly max = 2000,
    private readonly ttlMs = 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The loop a request continues, when it brings results of tool calls one of ours made. */
  find(toolCallIds: readonly string[]): LoopEntry | null {
    const t = this.now();
    for (const id of toolCallIds) {
      const e = this.byCall.get(id);
      if (e && t - e.time <= this.ttlMs) return e;
    }
    return null;
  }

  /** Remembers the tool calls a turn of a loop made. */
  remember(entry: LoopEntry, toolCallIds: readonly string[]): void {
    entry.time = this.now();
    for (const id of toolCallIds) {
      this.byCall.delete(id);
      this.byCall.set(id, entry);
    }
    while (this.byCall.size > this.max) this.byCall.delete(this.byCall.keys().next().value as string);
  }

  get size(): number {
    return this.byCall.size;
  }
}
