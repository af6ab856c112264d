// Requests in the Messages API's own form: our messages and tools as its blocks, prompt-cache breakpoints on the
// stable prefix, and tool calls assembled from their streamed pieces. ./anthropic.ts sends them.
import type Anthropic from '@anthropic-ai/sdk';
import type { ChatRequest, ContentPart, ToolCall } from './api';

/** Tool calls as they stream: a tool_use block's input arrives as pieces of JSON (input_json_delta), whole at its stop. */
export class ToolCallCollector {
  readonly done: ToolCall[] = [];
  private readonly open = new Map<number, { id: string; name: string; json: string; input: unknown }>();
  start(index: number, block: Anthropic.ContentBlock): void {
    if (block.type === 'tool_use')
      this.open.set(index, { id: block.id, name: block.name, json: '', input: block.input });
  }
  delta(index: number, json: string): void {
    const c = this.open.get(index);
    if (c) c.json += json;
  }
  stop(index: number): ToolCall | null {
    const c = this.open.get(index);
    if (!c) return null;
    this.open.delete(index);
    let input: unknown = c.input ?? {};
    if (c.json.trim()) {
      try {
        input = JSON.parse(c.json);
      } catch {
        input = { _unparsed: c.json };
      }
    }
    const call: ToolCall = { id: c.id, name: c.name, input };
    this.done.push(call);
    return call;
  }
}

const EPHEMERAL = { type: 'ephemeral' } as const;

/** Below this many tokens the API caches nothing (1,024 for Sonnet and Opus; more for some models), so no breakpoints. */
export const CACHE_MIN_TOKENS = 1024;

/** True when the request is long enough for prompt caching to pay (an agent's system prompt and tools usually are). */
export function worthCaching(req: Pick<ChatRequest, 'system' | 'messages' | 'tools'>): boolean {
  let chars = (req.system ?? '').length + (req.tools?.length ? JSON.stringify(req.tools).length : 0);
  for (const m of req.messages) {
    if (typeof m.content === 'string') chars += m.content.length;
    else
      for (const p of m.content)
        chars +=
          p.type === 'text'
            ? p.text.length
            : p.type === 'tool_result'
              ? p.content.length
              : p.type === 'tool_use'
                ? JSON.stringify(p.input ?? {}).length
                : 0;
    if (chars >= CACHE_MIN_TOKENS * 4) return true;
  }
  return chars >= CACHE_MIN_TOKENS * 4;
}

/**
 * The request in the Messages API's form: system as the system prompt, tools with their schemas, tool choice, and
 * (for a real call) `cache_control` on the stable prefix: the last tool, the system prompt, and the last block of the
 * conversation (so the next request of an agent loop reads everything before it from the cache). The API ignores a
 * breakpoint whose prefix is too short to cache, so marking is always safe.
 */
export function anthropicParams(
  req: Omit<ChatRequest, 'maxTokens' | 'signal'>,
  cache: boolean,
): Omit<Anthropic.MessageCreateParams, 'max_tokens'> {
  const tools = (req.tools ?? []).map((t, i, all): Anthropic.Tool => ({
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    input_schema: { type: 'object', ...t.inputSchema } as Anthropic.Tool.InputSchema,
    ...(cache && i === all.length - 1 ? { cache_control: EPHEMERAL } : {}),
  }));
  const messages = toAnthropicMessages(req.messages);
  if (cache) markLastBlock(messages);
  return {
    model: req.model,
    messages,
    ...(req.system
      ? { system: cache ? [{ type: 'text', text: req.system, cache_control: EPHEMERAL }] : req.system }
      : {}),
    ...(tools.length ? { tools } : {}),
    ...(tools.length && req.toolMode === 'required' ? { tool_choice: { type: 'any' } } : {}),
  };
}

/** cache_control on the last content block of the last message (a string content becomes one text block). */
function markLastBlock(messages: Anthropic.MessageParam[]): void {
  const last = messages[messages.length - 1];
  if (!last) return;
  if (typeof last.content === 'string') {
    if (!last.content) return;
    last.content = [{ type: 'text', text: last.content }];
  }
  const blocks = last.content;
  const b = blocks[blocks.length - 1];
  if (b && b.type !== 'thinking' && b.type !== 'redacted_thinking')
    (b as { cache_control?: unknown }).cache_control = EPHEMERAL;
}

/** Our messages in the Messages API's own form: tool calls as `tool_use`, their results as `tool_result`. */
export function toAnthropicMessages(messages: ChatRequest['messages']): Anthropic.MessageParam[] {
  return messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map(toAnthropicBlock),
  }));
}

function toAnthropicBlock(p: ContentPart): Anthropic.ContentBlockParam {
  switch (p.type) {
    case 'text':
      return { type: 'text', text: p.text };
    case 'image':
      return { type: 'image', source: { type: 'base64', media_type: p.mediaType as 'image/png', data: p.data } };
    case 'tool_use':
      return { type: 'tool_use', id: p.id, name: p.name, input: p.input };
    case 'tool_result':
      return {
        type: 'tool_result',
        tool_use_id: p.toolUseId,
        content: p.content,
        ...(p.isError ? { is_error: true } : {}),
      };
  }
}
