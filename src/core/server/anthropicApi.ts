// The Anthropic Messages API side of the endpoint: request bodies in, answers out as JSON or as the real API's
// server-sent events, in its order (https://docs.anthropic.com/en/api/messages-streaming):
//   message_start → content_block_start → ping → content_block_delta … → content_block_stop
//   → (tool_use blocks: content_block_start, input_json_delta, content_block_stop) → message_delta → message_stop
// and errors as {"type":"error","error":{"type","message"}} (an `error` event once the stream has begun).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ChatMessage, ContentPart, ToolCall, ToolSpec } from '../provider/api';
import type { Usage } from '../types';
import { bad, optInt, schemaOf, tickWriter, writeEventStreamHead, type EndpointRequest, type HttpError } from './wire';

const ERROR_TYPES: Record<HttpError['kind'], string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  budget: 'billing_error',
  api: 'api_error',
  overloaded: 'overloaded_error',
};

export function anthropicError(e: HttpError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: ERROR_TYPES[e.kind], message: e.message } };
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function textOf(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v
      .map((b, i) =>
        isObj(b) && b.type === 'text' && typeof b.text === 'string' ? b.text : blockError(`${where}[${i}]`, b),
      )
      .join('\n');
  if (v === undefined) return '';
  throw bad(`${where}: expected a string or a list of text blocks`);
}

function blockError(where: string, b: unknown): never {
  const t = isObj(b) ? String(b.type) : typeof b;
  throw bad(`${where}: content blocks of type "${t}" are not supported by the LLM Router endpoint`);
}

function block(b: unknown, where: string): ContentPart | null {
  if (!isObj(b)) throw bad(`${where}: expected a content block object`);
  switch (b.type) {
    case 'text':
      if (typeof b.text !== 'string') throw bad(`${where}.text: expected a string`);
      return { type: 'text', text: b.text };
    case 'image': {
      const s = b.source;
      if (!isObj(s) || s.type !== 'base64' || typeof s.data !== 'string' || typeof s.media_type !== 'string')
        throw bad(`${where}: only base64 images are supported`);
      return { type: 'image', mediaType: s.media_type, data: s.data };
    }
    case 'tool_use':
      if (typeof b.id !== 'string' || typeof b.name !== 'string')
        throw bad(`${where}: a tool_use block needs an id and a name`);
      return { type: 'tool_use', id: b.id, name: b.name, input: b.input ?? {} };
    case 'tool_result':
      if (typeof b.tool_use_id !== 'string') throw bad(`${where}: a tool_result block needs a tool_use_id`);
      return {
        type: 'tool_result',
        toolUseId: b.tool_use_id,
        content: textOf(b.content, `${where}.content`),
        ...(b.is_error === true ? { isError: true } : {}),
      };
    case 'thinking':
    case 'redacted_thinking':
      return null; // earlier thinking is not sent back: the router does not ask for thinking
    default:
      // Server tools' calls and results (web search, code execution) in the history: the endpoint offers no server
      // tools, so they are left out, in pairs; anything else it cannot pass on is a clear 400.
      if (
        b.type === 'server_tool_use' ||
        (typeof b.type === 'string' && b.type !== 'tool_result' && b.type.endsWith('_tool_result'))
      )
        return null;
      return blockError(where, b);
  }
}

function message(m: unknown, i: number): ChatMessage {
  if (!isObj(m) || (m.role !== 'user' && m.role !== 'assistant'))
    throw bad(`messages[${i}]: expected {role: "user" | "assistant", content}`);
  if (typeof m.content === 'string') return { role: m.role, content: m.content };
  if (!Array.isArray(m.content)) throw bad(`messages[${i}].content: expected a string or a list of content blocks`);
  const parts = m.content
    .map((b, j) => block(b, `messages[${i}].content[${j}]`))
    .filter((p): p is ContentPart => p !== null);
  return { role: m.role, content: parts };
}

function tools(v: unknown, choice: unknown): Pick<EndpointRequest, 'tools' | 'toolMode'> {
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v)) throw bad('tools: expected a list');
  const c = isObj(choice) ? choice.type : undefined;
  if (c === 'none' || !v.length) return {};
  const specs: ToolSpec[] = [];
  v.forEach((t, i) => {
    if (!isObj(t) || typeof t.name !== 'string' || !t.name) throw bad(`tools[${i}]: a tool needs a name`);
    // Server tools (web_search_…, code_execution_…) run at Anthropic; the tiers may be other providers: left out.
    if (t.type !== undefined && t.type !== null && t.type !== 'custom') return;
    specs.push({
      name: t.name,
      ...(typeof t.description === 'string' ? { description: t.description } : {}),
      inputSchema: schemaOf(t.input_schema, `tools[${i}].input_schema`),
    });
  });
  if (!specs.length) return {};
  return { tools: specs, toolMode: c === 'any' || c === 'tool' ? 'required' : 'auto' };
}

/** A Messages API body in the endpoint's form; a 400 with what is wrong otherwise. */
export function parseAnthropic(body: Record<string, unknown>): EndpointRequest {
  if (typeof body.model !== 'string' || !body.model.trim())
    throw bad('model: required (use "llm-router" to let the router choose)');
  if (!Array.isArray(body.messages) || !body.messages.length) throw bad('messages: required, a non-empty list');
  const maxTokens = optInt(body.max_tokens, 'max_tokens');
  if (maxTokens === undefined) throw bad('max_tokens: required');
  const system = textOf(body.system, 'system');
  return {
    api: 'anthropic',
    model: body.model.trim(),
    ...(system ? { system } : {}),
    messages: body.messages.map(message),
    ...tools(body.tools, body.tool_choice),
    maxTokens,
    stream: body.stream === true,
    includeUsage: false,
  };
}

/** count_tokens: the same body without max_tokens. */
export function parseAnthropicCount(body: Record<string, unknown>): EndpointRequest {
  return parseAnthropic({ ...body, max_tokens: 1, stream: false });
}

export const msgId = () => `msg_${randomBytes(12).toString('base64url')}`;

const usageJson = (u: Usage) => ({
  input_tokens: u.inputTokens,
  output_tokens: u.outputTokens,
  cache_creation_input_tokens: u.cacheWriteTokens,
  cache_read_input_tokens: u.cacheReadTokens,
});

const stopOf = (stop: string | null, calls: ToolCall[]) => (calls.length ? 'tool_use' : (stop ?? 'end_turn'));

export interface Answer {
  id: string;
  model: string;
  text: string;
  toolCalls: ToolCall[];
  stopReason: string | null;
  usage: Usage;
}

export function anthropicMessage(a: Answer) {
  const content: unknown[] = [];
  if (a.text || !a.toolCalls.length) content.push({ type: 'text', text: a.text });
  for (const c of a.toolCalls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: c.input ?? {} });
  return {
    id: a.id,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content,
    stop_reason: stopOf(a.stopReason, a.toolCalls),
    stop_sequence: null,
    usage: usageJson(a.usage),
  };
}

/** Writes one answer as the Messages API's event stream. Opens (status 200, headers) at the first thing to send. */
export class AnthropicStream {
  private opened = false;
  private textOpen = false;
  private index = 0;
  private pinged = false;
  private readonly sentCalls = new Set<string>();
  private readonly write: (chunk: string) => void;
  constructor(
    private readonly res: ServerResponse,
    private readonly id: string,
  ) {
    this.write = tickWriter(res);
  }

  get started(): boolean {
    return this.opened;
  }

  private send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  open(headers: Record<string, string>, model: string, inputTokens: number): void {
    if (this.opened) return;
    this.opened = true;
    // The head, message_start and the first block's start leave with the first delta, in one write (tickWriter).
    writeEventStreamHead(this.res, headers);
    this.send('message_start', {
      type: 'message_start',
      message: {
        id: this.id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: usageJson({ inputTokens: inputTokens, outputTokens: 1, cacheWriteTokens: 0, cacheReadTokens: 0 }),
      },
    });
  }

  /** A content block begins; the real API sends its one `ping` right after the first. */
  private blockStart(index: number, block: unknown): void {
    this.send('content_block_start', { type: 'content_block_start', index, content_block: block });
    if (!this.pinged) {
      this.pinged = true;
      this.send('ping', { type: 'ping' });
    }
  }

  text(delta: string): void {
    if (!this.textOpen) {
      this.textOpen = true;
      this.blockStart(this.index, { type: 'text', text: '' });
    }
    if (delta)
      this.send('content_block_delta', {
        type: 'content_block_delta',
        index: this.index,
        delta: { type: 'text_delta', text: delta },
      });
  }

  private closeText(): void {
    if (!this.textOpen) return;
    this.send('content_block_stop', { type: 'content_block_stop', index: this.index++ });
    this.textOpen = false;
  }

  /** A tool_use block, whole: its input as one input_json_delta. */
  toolCall(c: ToolCall): void {
    if (this.sentCalls.has(c.id)) return;
    this.sentCalls.add(c.id);
    this.closeText();
    const i = this.index++;
    this.blockStart(i, { type: 'tool_use', id: c.id, name: c.name, input: {} });
    this.send('content_block_delta', {
      type: 'content_block_delta',
      index: i,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(c.input ?? {}) },
    });
    this.send('content_block_stop', { type: 'content_block_stop', index: i });
  }

  end(a: Answer): void {
    if (!this.index && !this.textOpen && !a.toolCalls.length) this.text('');
    this.closeText();
    for (const c of a.toolCalls) this.toolCall(c);
    this.send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopOf(a.stopReason, a.toolCalls), stop_sequence: null },
      usage: usageJson(a.usage),
    });
    this.send('message_stop', { type: 'message_stop' });
    this.res.end();
  }

  /** An error after the stream has begun: the `error` event the real API sends, then the end. */
  fail(e: HttpError): void {
    this.send('error', anthropicError(e));
    this.res.end();
  }
}
