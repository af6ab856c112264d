// The OpenAI Chat Completions side of the endpoint: request bodies in, answers out as a `chat.completion` or as
// `chat.completion.chunk` server-sent events ending with `data: [DONE]` (tool calls as `tool_calls` deltas, usage in
// a last chunk with empty choices when `stream_options.include_usage`), errors as {"error":{message,type,code}}.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ChatMessage, ContentPart, ToolCall, ToolSpec } from '../provider/api';
import type { Usage } from '../types';
import type { Answer } from './anthropicApi';
import {
  bad,
  mergeRoles,
  optInt,
  parseArgs,
  schemaOf,
  tickWriter,
  writeEventStreamHead,
  type EndpointRequest,
  type HttpError,
} from './wire';

const ERROR_TYPES: Record<HttpError['kind'], [type: string, code: string]> = {
  invalid_request: ['invalid_request_error', 'invalid_request'],
  authentication: ['invalid_request_error', 'invalid_api_key'],
  permission: ['invalid_request_error', 'forbidden'],
  not_found: ['invalid_request_error', 'model_not_found'],
  too_large: ['invalid_request_error', 'request_too_large'],
  rate_limit: ['rate_limit_error', 'rate_limit_exceeded'],
  budget: ['insufficient_quota', 'insufficient_quota'],
  api: ['api_error', 'upstream_error'],
  overloaded: ['api_error', 'overloaded'],
};

export function openaiError(e: HttpError): { error: { message: string; type: string; code: string; param: null } } {
  const [type, code] = ERROR_TYPES[e.kind];
  return { error: { message: e.message, type, code, param: null } };
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function parts(v: unknown, where: string): ContentPart[] {
  if (v === null || v === undefined) return [];
  if (typeof v === 'string') return v ? [{ type: 'text', text: v }] : [];
  if (!Array.isArray(v)) throw bad(`${where}: expected a string or a list of content parts`);
  return v.map((p, i): ContentPart => {
    if (!isObj(p)) throw bad(`${where}[${i}]: expected a content part object`);
    if (p.type === 'text' && typeof p.text === 'string') return { type: 'text', text: p.text };
    if (p.type === 'image_url') {
      const url = isObj(p.image_url) ? p.image_url.url : undefined;
      const m = typeof url === 'string' ? /^data:([\w/+.-]+);base64,(.*)$/s.exec(url) : null;
      if (!m) throw bad(`${where}[${i}]: only data: URLs are supported for images (the endpoint fetches nothing)`);
      return { type: 'image', mediaType: m[1], data: m[2] };
    }
    throw bad(`${where}[${i}]: content parts of type "${String(p.type)}" are not supported by the LLM Router endpoint`);
  });
}

const plain = (ps: ContentPart[]) => ps.map((p) => (p.type === 'text' ? p.text : '')).join('\n');

function messages(v: unknown[]): { system: string; messages: ChatMessage[] } {
  const system: string[] = [];
  const out: ChatMessage[] = [];
  v.forEach((m, i) => {
    const where = `messages[${i}]`;
    if (!isObj(m)) throw bad(`${where}: expected a message object`);
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(plain(parts(m.content, `${where}.content`)));
        break;
      case 'user':
        out.push({ role: 'user', content: parts(m.content, `${where}.content`) });
        break;
      case 'assistant': {
        const content = parts(m.content, `${where}.content`);
        const calls = m.tool_calls;
        if (calls !== undefined && calls !== null && !Array.isArray(calls))
          throw bad(`${where}.tool_calls: expected a list`);
        for (const [j, c] of (calls ?? []).entries()) {
          const f = isObj(c) && isObj(c.function) ? c.function : null;
          if (!f || typeof c.id !== 'string' || typeof f.name !== 'string')
            throw bad(`${where}.tool_calls[${j}]: needs an id and function.name`);
          content.push({
            type: 'tool_use',
            id: c.id,
            name: f.name,
            input: parseArgs(f.arguments, `${where}.tool_calls[${j}].function.arguments`),
          });
        }
        out.push({ role: 'assistant', content });
        break;
      }
      case 'tool':
        if (typeof m.tool_call_id !== 'string') throw bad(`${where}: a tool message needs tool_call_id`);
        out.push({
          role: 'user',
          content: [
            { type: 'tool_result', toolUseId: m.tool_call_id, content: plain(parts(m.content, `${where}.content`)) },
          ],
        });
        break;
      default:
        throw bad(`${where}.role: "${String(m.role)}" is not one of system, developer, user, assistant, tool`);
    }
  });
  return {
    system: system.filter((s) => s.trim()).join('\n\n'),
    messages: mergeRoles(out.filter((m) => m.content.length)),
  };
}

function tools(v: unknown, choice: unknown): Pick<EndpointRequest, 'tools' | 'toolMode'> {
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v)) throw bad('tools: expected a list');
  if (choice === 'none' || !v.length) return {};
  const specs: ToolSpec[] = v.map((t, i) => {
    const f = isObj(t) && t.type === 'function' && isObj(t.function) ? t.function : null;
    if (!f || typeof f.name !== 'string' || !f.name)
      throw bad(`tools[${i}]: expected {type: "function", function: {name, parameters}}`);
    return {
      name: f.name,
      ...(typeof f.description === 'string' ? { description: f.description } : {}),
      inputSchema: schemaOf(f.parameters, `tools[${i}].function.parameters`),
    };
  });
  return { tools: specs, toolMode: choice === 'required' || isObj(choice) ? 'required' : 'auto' };
}

/** A Chat Completions body in the endpoint's form; a 400 with what is wrong otherwise. */
export function parseOpenAI(body: Record<string, unknown>): EndpointRequest {
  if (typeof body.model !== 'string' || !body.model.trim())
    throw bad('model: required (use "llm-router" to let the router choose)');
  if (!Array.isArray(body.messages) || !body.messages.length) throw bad('messages: required, a non-empty list');
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw bad('n: only 1 is supported');
  const m = messages(body.messages);
  const maxTokens =
    optInt(body.max_completion_tokens, 'max_completion_tokens') ?? optInt(body.max_tokens, 'max_tokens');
  const so = body.stream_options;
  return {
    api: 'openai',
    model: body.model.trim(),
    ...(m.system ? { system: m.system } : {}),
    messages: m.messages,
    ...tools(body.tools, body.tool_choice),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    stream: body.stream === true,
    includeUsage: isObj(so) && so.include_usage === true,
  };
}

export const completionId = () => `chatcmpl-${randomBytes(12).toString('base64url')}`;

const FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
  pause_turn: 'stop',
};
const finishOf = (stop: string | null, calls: ToolCall[]) =>
  calls.length ? 'tool_calls' : (FINISH[stop ?? 'end_turn'] ?? 'stop');

const usageJson = (u: Usage) => {
  const prompt = u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.outputTokens,
    total_tokens: prompt + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadTokens },
  };
};

const toolCallJson = (c: ToolCall) => ({
  id: c.id,
  type: 'function',
  function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) },
});

export function openaiCompletion(a: Answer) {
  return {
    id: a.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: a.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: a.text || (a.toolCalls.length ? null : ''),
          refusal: null,
          ...(a.toolCalls.length ? { tool_calls: a.toolCalls.map(toolCallJson) } : {}),
        },
        finish_reason: finishOf(a.stopReason, a.toolCalls),
        logprobs: null,
      },
    ],
    usage: usageJson(a.usage),
  };
}

/** Writes one answer as Chat Completions chunks. Opens (status 200, headers) at the first thing to send. */
export class OpenAIStream {
  private opened = false;
  private model = '';
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly write: (chunk: string) => void;
  constructor(
    private readonly res: ServerResponse,
    private readonly id: string,
    private readonly includeUsage: boolean,
  ) {
    this.write = tickWriter(res);
  }

  get started(): boolean {
    return this.opened;
  }

  private chunk(choices: unknown[], extra: Record<string, unknown> = {}): void {
    this.write(
      `data: ${JSON.stringify({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices, ...extra })}\n\n`,
    );
  }

  open(headers: Record<string, string>, model: string): void {
    if (this.opened) return;
    this.opened = true;
    this.model = model;
    // the head and the role chunk leave with the first delta, in one write (tickWriter)
    writeEventStreamHead(this.res, headers);
    this.chunk(
      [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }],
      this.includeUsage ? { usage: null } : {},
    );
  }

  text(delta: string): void {
    if (delta)
      this.chunk(
        [{ index: 0, delta: { content: delta }, finish_reason: null, logprobs: null }],
        this.includeUsage ? { usage: null } : {},
      );
  }

  private readonly sentCalls: string[] = [];

  /** A tool call, whole: its id, name and arguments in one tool_calls delta. */
  toolCall(c: ToolCall): void {
    if (this.sentCalls.includes(c.id)) return;
    this.sentCalls.push(c.id);
    this.chunk(
      [
        {
          index: 0,
          delta: { tool_calls: [{ index: this.sentCalls.length - 1, ...toolCallJson(c) }] },
          finish_reason: null,
          logprobs: null,
        },
      ],
      this.includeUsage ? { usage: null } : {},
    );
  }

  end(a: Answer): void {
    const u = this.includeUsage ? { usage: null } : {};
    for (const c of a.toolCalls) this.toolCall(c);
    this.chunk([{ index: 0, delta: {}, finish_reason: finishOf(a.stopReason, a.toolCalls), logprobs: null }], u);
    if (this.includeUsage) this.chunk([], { usage: usageJson(a.usage) });
    this.res.end('data: [DONE]\n\n');
  }

  /** An error after the stream has begun: an error chunk (what OpenAI's SDK raises as an APIError), then the end. */
  fail(e: HttpError): void {
    this.write(`data: ${JSON.stringify(openaiError(e))}\n\n`);
    this.res.end();
  }
}
