// The endpoint's own form of a request, whichever API it came in (Anthropic Messages or OpenAI Chat Completions),
// and what both APIs share: the prompt and history the router classifies, the client's name, HTTP errors.
import type { ServerResponse } from 'node:http';
import type { ChatMessage, ContentPart, ToolSpec } from '../provider/api';

export type Api = 'anthropic' | 'openai';

export interface EndpointRequest {
  api: Api;
  /** The model the client asked for: "llm-router", "auto", a preset, a tier or a real model id. */
  model: string;
  system?: string;
  /** The conversation as the client sent it (tool calls and results included), oldest first. */
  messages: ChatMessage[];
  tools?: ToolSpec[];
  toolMode?: 'auto' | 'required';
  maxTokens?: number;
  stream: boolean;
  /** OpenAI: `stream_options.include_usage`. */
  includeUsage: boolean;
}

/** A refusal or a bad request, with the HTTP status and the error kind each API names its own way. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly kind:
      | 'invalid_request'
      | 'authentication'
      | 'permission'
      | 'not_found'
      | 'too_large'
      | 'rate_limit'
      | 'budget'
      | 'api'
      | 'overloaded',
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const bad = (message: string) => new HttpError(400, 'invalid_request', message);

/** Consecutive messages of one role merged (OpenAI sends each tool result on its own; Anthropic wants them together). */
export function mergeRoles(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts = (c: ChatMessage['content']): ContentPart[] =>
    typeof c === 'string' ? (c ? [{ type: 'text', text: c }] : []) : c;
  for (const m of messages) {
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content = [...parts(last.content), ...parts(m.content)];
    else out.push({ role: m.role, content: m.content });
  }
  return out;
}

const CLIENTS: [RegExp, string][] = [
  [/^claude-cli\/([\d.]+)/i, 'Claude Code'],
  [/\bcline\b/i, 'Cline'],
  [/\broo-?code\b/i, 'Roo Code'],
  [/\bcontinue\b/i, 'Continue'],
  [/\baider\b/i, 'Aider'],
  [/\blitellm\/?([\d.]+)?/i, 'LiteLLM'],
  [/^Anthropic\/JS ([\d.]+)/i, 'Anthropic SDK (JS)'],
  [/^Anthropic\/Python ([\d.]+)/i, 'Anthropic SDK (Python)'],
  [/^OpenAI\/JS ([\d.]+)/i, 'OpenAI SDK (JS)'],
  [/^OpenAI\/Python ([\d.]+)/i, 'OpenAI SDK (Python)'],
  [/^curl\/([\d.]+)/i, 'curl'],
  [/^python-requests\/([\d.]+)/i, 'Python requests'],
  [/^node(?:-fetch)?\b/i, 'Node'],
];

/** The client's name from its User-Agent (or the X-Title an agent such as Cline sends), or null when unknown. */
export function clientName(userAgent: string | undefined, title?: string | undefined): string | null {
  for (const s of [title, userAgent]) {
    if (!s) continue;
    for (const [re, name] of CLIENTS) {
      const m = re.exec(s);
      if (m) return m[1] ? `${name} ${m[1]}` : name;
    }
  }
  const t = (title ?? '')
    .replace(/[^\w .()/-]/g, '')
    .trim()
    .slice(0, 40);
  return t || null;
}

/** Parses a JSON body; a clear 400 when it is not JSON or not an object. */
export function parseJson(body: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw bad(`the request body is not JSON (${(e as Error).message.slice(0, 120)})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('the request body must be a JSON object');
  return v as Record<string, unknown>;
}

/** A positive whole number, or undefined when absent; a 400 otherwise. */
export function optInt(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad(`${name}: expected a whole number ≥ 1`);
  return v;
}

/** A tool's JSON Schema: an object, or a 400. */
export function schemaOf(v: unknown, name: string): Record<string, unknown> {
  if (v === undefined) return { type: 'object', properties: {} };
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(`${name}: expected a JSON Schema object`);
  return v as Record<string, unknown>;
}

/** Parses tool-call arguments the model or client sent as JSON text (OpenAI); {} for an empty string. */
export function parseArgs(s: unknown, where: string): unknown {
  if (s === undefined || s === null || s === '') return {};
  if (typeof s !== 'string') return s;
  try {
    return JSON.parse(s);
  } catch {
    throw bad(`${where}: the arguments are not JSON`);
  }
}

/**
 * Writes to a response so that everything written in one tick leaves in one write: the first write of a tick corks
 * the socket and the next tick uncorks it (the deltas a model sends together cost one system call, not one each;
 * the first delta still leaves at once).
 */
export function tickWriter(res: ServerResponse): (chunk: string) => void {
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  return (chunk) => {
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    res.write(chunk);
  };
}

/** Starts a server-sent event stream: status 200, the endpoint's own headers and the stream's. */
export function writeEventStreamHead(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}
