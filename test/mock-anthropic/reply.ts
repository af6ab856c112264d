// Writing a Messages API answer: one JSON message, or the SSE stream (message_start → content_block_start → ping →
// text deltas → content_block_stop → a tool_use block's input_json_delta pieces → message_delta → message_stop), and
// what the stall / cut / stream-error scenarios do to it.
import type * as http from 'node:http';
import { cut, sleep } from '../mock-common/http';
import { chunkText, lastUserText, mockAnswer } from '../mock-common/text';
import { usageOf, type PromptCache } from './cache';
import { mockTokens, mockToolInput } from './content';
import { newId, REFUSAL_TEXT, sendError, sendJson } from './scenario';
import type { RecordedRequest, Scenario } from './types';

/** An answer made ready to send. */
export interface Answer {
  id: string;
  model: string;
  text: string;
  stop: string;
  /** The tool call of a 'tool' answer, its input as JSON in `callJson`. */
  call: { id: string; name: string; input: Record<string, unknown> } | null;
  callJson: string;
  /** The text in the deltas it streams in. */
  chunks: string[];
  usage: { output_tokens: number; service_tier: string; cache_creation: unknown } & Record<string, unknown>;
  outputTokens: number;
  /** ms between deltas. */
  delayMs: number;
  /** The delta at which a stall / cut / stream-error happens (-1: none). */
  breakAt: number;
}

/** The tool call of a 'tool' answer: the named tool (or the first), its input built from its schema. */
function toolCallOf(body: any, sc: Scenario): { id: string; name: string; input: Record<string, unknown> } | null {
  if (sc.kind !== 'tool' || !Array.isArray(body.tools) || !body.tools.length) return null;
  const tool = body.tools.find((t: { name?: string }) => t?.name === sc.tool) ?? body.tools[0];
  return { id: newId('toolu_mock_'), name: String(tool.name), input: sc.input ?? mockToolInput(tool.input_schema) };
}

/** The text and stop reason of an answer (truncated at max_tokens like the real API). */
function answerOf(body: any, sc: Scenario): { text: string; stop: string } {
  if (sc.kind === 'refusal') return { text: REFUSAL_TEXT, stop: 'refusal' };
  let text = sc.text ?? mockAnswer(body.model, lastUserText(body), sc.words ?? 60);
  let stop = 'end_turn';
  if (sc.kind === 'max_tokens') {
    const words = text.split(' ');
    text = words.slice(0, Math.max(1, Math.floor(words.length / 2))).join(' ');
    stop = 'max_tokens';
  }
  const max = body.max_tokens as number;
  if (mockTokens(text) > max) {
    text = text.slice(0, max * 4);
    stop = 'max_tokens';
  }
  return { text, stop };
}

export /** The answer to a Messages request on scenario `sc`, ready to send. */
function prepare(body: any, sc: Scenario, cache: PromptCache): Answer {
  const call = toolCallOf(body, sc);
  const answered = answerOf(body, sc);
  const text = call ? (sc.text ?? `I'll call ${call.name}.`) : answered.text;
  const callJson = call ? JSON.stringify(call.input) : '';
  const chunks = chunkText(text);
  const outputTokens = mockTokens(text) + mockTokens(callJson);
  return {
    id: newId('msg_mock_'),
    model: body.model,
    text,
    stop: call ? 'tool_use' : answered.stop,
    call,
    callJson,
    chunks,
    usage: usageOf(cache, body, sc, outputTokens),
    outputTokens,
    delayMs: sc.delayMs ?? (sc.kind === 'slow' ? 200 : 0),
    breakAt:
      sc.kind === 'stall' || sc.kind === 'cut' || sc.kind === 'stream-error'
        ? Math.min(sc.afterDeltas ?? 2, chunks.length)
        : -1,
  };
}

/** A non-streamed answer (stall: none at all; cut: the socket destroyed; stream-error: a 529). */
export async function sendMessage(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rec: RecordedRequest,
  a: Answer,
  sc: Scenario,
): Promise<void> {
  if (sc.kind === 'stall') return; // never answers; the client times out or goes away
  if (sc.kind === 'cut') {
    req.socket.destroy();
    return;
  }
  if (sc.kind === 'stream-error') return sendError(res, rec, 529, undefined, sc);
  if (a.delayMs) await sleep(a.delayMs * a.chunks.length);
  if (rec.closed) return;
  const content: unknown[] = [{ type: 'text', text: a.text }];
  if (a.call) content.push({ type: 'tool_use', ...a.call });
  const msg = {
    id: a.id,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content,
    stop_reason: a.stop,
    stop_sequence: null,
    usage: a.usage,
  };
  sendJson(res, rec, JSON.stringify(msg));
}

type Send = (event: string, data: unknown) => void;

/** A streamed answer. */
export async function streamMessage(
  res: http.ServerResponse,
  rec: RecordedRequest,
  a: Answer,
  sc: Scenario,
): Promise<void> {
  rec.status = 200;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': rec.id,
    connection: 'keep-alive',
  });
  const send: Send = (event, data) => {
    if (!rec.closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  send('message_start', {
    type: 'message_start',
    message: {
      id: a.id,
      type: 'message',
      role: 'assistant',
      model: a.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...a.usage, output_tokens: Math.min(1, a.outputTokens) },
    },
  });
  send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  send('ping', { type: 'ping' });
  if (!(await streamText(res, rec, a, sc, send))) return;
  send('content_block_stop', { type: 'content_block_stop', index: 0 });
  if (a.call && !(await streamToolCall(rec, a, send))) return;
  const { service_tier: _tier, cache_creation: _cc, ...cumulative } = a.usage;
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: a.stop, stop_sequence: null },
    usage: cumulative,
  });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

/** The text deltas, or what the scenario does at `breakAt`; false when the stream goes no further. */
async function streamText(
  res: http.ServerResponse,
  rec: RecordedRequest,
  a: Answer,
  sc: Scenario,
  send: Send,
): Promise<boolean> {
  const { chunks, breakAt, delayMs } = a;
  for (let i = 0; i < chunks.length; i++) {
    if (i === breakAt) {
      if (sc.kind === 'stall') return false; // the connection stays open, silent, until the client gives up
      if (sc.kind === 'cut') {
        cut(res);
        return false;
      }
      send('error', {
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
        request_id: rec.id,
      });
      res.end();
      return false;
    }
    if (delayMs && i > 0) await sleep(delayMs);
    if (rec.closed) return false;
    send('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: chunks[i] },
    });
    rec.deltasSent++;
  }
  if (breakAt === chunks.length && sc.kind === 'stall') return false;
  if (breakAt === chunks.length && sc.kind === 'cut') {
    cut(res);
    return false;
  }
  return true;
}

/** The tool_use block, its input streamed in pieces of 8 characters; false when the client went away. */
async function streamToolCall(rec: RecordedRequest, a: Answer, send: Send): Promise<boolean> {
  const { call, callJson, delayMs } = a;
  if (!call) return true;
  send('content_block_start', {
    type: 'content_block_start',
    index: 1,
    content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
  });
  for (let i = 0; i < callJson.length; i += 8) {
    if (delayMs) await sleep(delayMs);
    if (rec.closed) return false;
    send('content_block_delta', {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: callJson.slice(i, i + 8) },
    });
  }
  send('content_block_stop', { type: 'content_block_stop', index: 1 });
  return true;
}
