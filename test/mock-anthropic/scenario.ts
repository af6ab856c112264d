// The stand-in's scenarios and errors: the known kinds, `[[mock:…]]` markers, the API's error types and messages,
// and the checks the API makes of a Messages request body.
import type * as http from 'node:http';
import { idMaker } from '../mock-common/http';
import { parseMarker, scenarioKinds, type MarkerArgs, type ScenarioBook } from '../mock-common/scenarios';
import { lastUserText } from '../mock-common/text';
import type { RecordedRequest, Scenario, ScenarioKind } from './types';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const ERROR_MESSAGES: Record<number, string> = {
  400: 'messages: text content blocks must be non-empty',
  401: 'invalid x-api-key',
  403: 'Your API key does not have permission to use the specified resource.',
  404: 'The requested resource could not be found.',
  413: 'Request exceeds the maximum allowed number of bytes.',
  429: 'This request would exceed the rate limit for your organization of 50 requests per minute. Please reduce the prompt length or the maximum tokens requested, or try again later.',
  500: 'Internal server error',
  529: 'Overloaded',
};

const KINDS = scenarioKinds<ScenarioKind, Scenario>(
  [
    'ok',
    'slow',
    'max_tokens',
    'refusal',
    'cache',
    'tool',
    'stall',
    'cut',
    'stream-error',
    'prompt-too-long',
    '400',
    '401',
    '403',
    '404',
    '413',
    '429',
    '500',
    '529',
  ],
  { listKnown: true },
);

export const isScenarioKind = KINDS.isKind;
export const norm = KINDS.norm;

const MARKER = /\[\[mock:([^\]]*)\]\]/;
// (a tool's name is the one argument that is not a number)
const MARKER_ARGS: MarkerArgs<Scenario> = {
  words: new Map<string, keyof Scenario>([['name', 'tool']]),
  numbers: new Map<string, keyof Scenario>([
    ['delay', 'delayMs'],
    ['first-byte', 'firstByteDelayMs'],
    ['retry-after', 'retryAfterS'],
    ['retry-after-ms', 'retryAfterMs'],
    ['after', 'afterDeltas'],
    ['read', 'cacheReadTokens'],
    ['write', 'cacheWriteTokens'],
    ['words', 'words'],
  ]),
};

/** The scenario a `[[mock:…]]` marker in the text asks for, or null. */
export const markerIn = (text: string) => parseMarker(text, MARKER, isScenarioKind, MARKER_ARGS);

/** Ids of requests, messages and tool calls ("req_mock_…", "msg_mock_…", "toolu_mock_…"). */
export const newId = idMaker(4, 4);

/** The scenario of the next answer: a forced tool call, a marker in the last user message, a one-shot, the
 *  model's, the default. */
export function pickScenario(book: ScenarioBook<Scenario>, body: any): Scenario {
  const model = typeof body?.model === 'string' ? body.model : '';
  const choice = body?.tool_choice?.type;
  if ((choice === 'any' || choice === 'tool') && Array.isArray(body?.tools) && body.tools.length) {
    return { kind: 'tool', ...(choice === 'tool' ? { tool: String(body.tool_choice.name) } : {}) };
  }
  const marker = markerIn(lastUserText(body));
  if (marker) {
    if (marker.times === null) return marker.scenario;
    const n = book.sighting(`${model}\u0000${lastUserText(body)}`);
    if (n < marker.times) return marker.scenario;
    return { kind: 'ok' };
  }
  return book.next(model);
}

/** The refusal text of the 'refusal' scenario. */
export const REFUSAL_TEXT = "I can't help with that request.";

/** An error the way the API answers one: its type and message, `request-id`, `x-should-retry`, and the retry-after
 *  headers the scenario sets (a 429 also says the rate limit is used up). */
export function sendError(
  res: http.ServerResponse,
  rec: RecordedRequest,
  status: number,
  message?: string,
  sc?: Scenario,
): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'request-id': rec.id,
    'x-should-retry': String(status === 429 || status >= 500),
  };
  if (sc?.retryAfterS !== undefined) headers['retry-after'] = String(sc.retryAfterS);
  if (sc?.retryAfterMs !== undefined) headers['retry-after-ms'] = String(sc.retryAfterMs);
  if (status === 429) {
    headers['anthropic-ratelimit-requests-limit'] = '50';
    headers['anthropic-ratelimit-requests-remaining'] = '0';
  }
  rec.status = status;
  const body = JSON.stringify({
    type: 'error',
    error: { type: ERROR_TYPES[status] ?? 'api_error', message: message ?? ERROR_MESSAGES[status] ?? 'Error' },
    request_id: rec.id,
  });
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** A 200 with a JSON body. */
export function sendJson(res: http.ServerResponse, rec: RecordedRequest, out: string): void {
  rec.status = 200;
  res.writeHead(200, {
    'content-type': 'application/json',
    'request-id': rec.id,
    'content-length': Buffer.byteLength(out),
  });
  res.end(out);
}

/** Checks a Messages request body the way the API does; returns the 400 message or null. */
export function validate(body: any, countOnly: boolean): string | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'Request body must be a JSON object';
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (!countOnly && !(Number.isInteger(body.max_tokens) && body.max_tokens >= 1)) {
    return body.max_tokens === undefined
      ? 'max_tokens: Field required'
      : 'max_tokens: Input should be a valid integer greater than or equal to 1';
  }
  if (!Array.isArray(body.messages)) return 'messages: Field required';
  if (body.messages.length === 0) return 'messages: at least one message is required';
  for (let i = 0; i < body.messages.length; i++) {
    const m = body.messages[i];
    if (!m || (m.role !== 'user' && m.role !== 'assistant'))
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const c = m.content;
    if (typeof c === 'string') {
      if (!c && i !== body.messages.length - 1)
        return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    } else if (!Array.isArray(c)) {
      return `messages.${i}.content: Input should be a valid string or list`;
    } else {
      for (let j = 0; j < c.length; j++) {
        if (c[j]?.type === 'text' && !c[j].text)
          return `messages.${i}.content.${j}.text: text content blocks must be non-empty`;
      }
    }
  }
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system))
    return 'system: Input should be a valid string or list';
  return null;
}
