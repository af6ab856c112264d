// A Chat Completions stream folded into an answer: text, time to the first token, usage with cached tokens, the
// endpoint's own cost when it reports one, and tool calls assembled from their deltas.
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Usage } from '../types';
import type { ChatResult, ToolCall } from './api';

export const STOP: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

export interface StreamState {
  text: string;
  ttftMs: number | null;
  usage: Usage | null;
  cost: number | null;
  finish: string | null;
  model: string;
  /** Tool calls by their index in the stream, arguments still as text. */
  tools: Map<number, { id: string; name: string; args: string }>;
}

/** Folds one chunk into the state; returns its text delta ('' when none). */
export function readChunk(st: StreamState, chunk: ChatCompletionChunk, t0: number): string {
  if (chunk.model) st.model = chunk.model;
  if (chunk.usage) {
    const u = chunk.usage as ChatCompletionChunk['usage'] & {
      cost?: number;
      prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
    };
    const cached = u?.prompt_tokens_details?.cached_tokens ?? 0;
    const written = u?.prompt_tokens_details?.cache_write_tokens ?? 0;
    // prompt_tokens includes the cached ones; the price table prices them apart, as Anthropic reports them.
    st.usage = {
      inputTokens: Math.max(0, (u?.prompt_tokens ?? 0) - cached - written),
      outputTokens: u?.completion_tokens ?? 0,
      cacheWriteTokens: written,
      cacheReadTokens: cached,
    };
    if (typeof u?.cost === 'number' && Number.isFinite(u.cost)) st.cost = u.cost;
  }
  const choice = chunk.choices?.[0];
  if (!choice) return '';
  if (choice.finish_reason) st.finish = choice.finish_reason;
  for (const d of choice.delta?.tool_calls ?? []) {
    const cur = st.tools.get(d.index) ?? { id: '', name: '', args: '' };
    if (d.id) cur.id = d.id;
    if (d.function?.name) cur.name += d.function.name;
    if (d.function?.arguments) cur.args += d.function.arguments;
    st.tools.set(d.index, cur);
  }
  const text = choice.delta?.content ?? '';
  if (text) {
    if (st.ttftMs === null) st.ttftMs = performance.now() - t0;
    st.text += text;
  }
  return text;
}

/** The assembled tool calls, in stream order, arguments parsed (a call whose arguments are not JSON keeps the text
 *  under `_raw`, so the caller can answer with an error rather than lose it). */
export function finishTools(st: StreamState): ToolCall[] {
  return [...st.tools.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, t]) => {
      let input: unknown = {};
      if (t.args.trim()) {
        try {
          input = JSON.parse(t.args);
        } catch {
          input = { _raw: t.args };
        }
      }
      return { id: t.id || `call_${i}`, name: t.name, input };
    });
}

/** The state of a stream that has not begun (the model as asked until a chunk names it). */
export function newStreamState(model: string): StreamState {
  return { text: '', ttftMs: null, usage: null, cost: null, finish: null, model, tools: new Map() };
}

/** The cost the endpoint reported: in the usage chunk, else in LiteLLM's `x-litellm-response-cost` header. */
export function reportedCost(st: StreamState, headers: Headers): number | null {
  const headerCost = Number(headers.get('x-litellm-response-cost'));
  return st.cost ?? (Number.isFinite(headerCost) && headers.has('x-litellm-response-cost') ? headerCost : null);
}

/** The finished stream as the answer the caller gets. */
export function streamResult(
  st: StreamState,
  toolCalls: ToolCall[],
  cost: number | null,
  timing: { t0: number; attempts: number },
): ChatResult {
  return {
    text: st.text,
    usage: st.usage ?? { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0 },
    stopReason: (st.finish !== null ? STOP[st.finish] : undefined) ?? st.finish,
    model: st.model,
    ttftMs: st.ttftMs,
    latencyMs: performance.now() - timing.t0,
    attempts: Math.max(1, timing.attempts),
    ...(toolCalls.length ? { toolCalls } : {}),
    ...(cost !== null ? { costUsd: cost } : {}),
  };
}
