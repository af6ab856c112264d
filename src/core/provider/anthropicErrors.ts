// Every failure of an Anthropic request as a ProviderError a user understands: what happened, in which attempt, and
// the fix (never the key: each message is scrubbed).
import Anthropic from '@anthropic-ai/sdk';
import { formatDuration } from '../format';
import type { Usage } from '../types';
import { ProviderError, type ProviderErrorKind } from './api';
import type { Attempt } from './anthropicAttempt';
import { causeOf, cutMidAnswer, fmtS } from './errorDetail';

export const SET_KEY_FIX = 'Set a valid key with “LLM Router: Set API Key” or ANTHROPIC_API_KEY.';

export type Why = 'cancelled' | 'timeout' | null;

/** The client's settings a message names. */
export interface ClientLimits {
  baseURL: string;
  idleTimeoutMs: number;
  timeoutMs: number;
  maxRetryWaitMs: number;
  /** Removes the key (and a URL's user:password) from a message. */
  scrub(s: string): string;
}

/** The request that failed: its model, why it was stopped (if we stopped it), its attempts and what had arrived. */
export interface Failure {
  model: string;
  why: Why;
  attempt: Attempt;
  usage: Usage | null;
  text: string;
}

type Make = (kind: ProviderErrorKind, message: string, status?: number | null) => ProviderError;

/** The phrases a message is built of: after how many attempts, why no retry came, whether text is kept. */
interface Phrases {
  tries: string;
  noWait: string;
  kept: string;
}

export function toAnthropicError(e: unknown, s: ClientLimits, c: Failure): ProviderError {
  const refused = c.attempt.refused;
  const mk: Make = (kind, message, status = null) =>
    new ProviderError(kind, s.scrub(message), status, c.usage, c.text, refused?.waitMs ?? null);
  const p: Phrases = {
    noWait: refused
      ? ` ${refused.asked ? 'It asked to wait' : 'A retry would wait'} ${formatDuration(refused.waitMs)}, longer than the ${formatDuration(s.maxRetryWaitMs)} LLM Router waits (llmRouter.maxRetryWaitSeconds), so it did not retry.`
      : '',
    tries: c.attempt.attempts > 1 ? ` after ${c.attempt.attempts} attempts` : '',
    kept: c.text ? ' The partial answer is kept.' : '',
  };
  if (c.why === 'cancelled') return mk('cancelled', 'Cancelled.');
  if (c.why === 'timeout') {
    return mk(
      'timeout',
      `${c.model} sent nothing for ${fmtS(s.idleTimeoutMs)}, so the stalled request was stopped.${p.kept} Try again; if it keeps happening, check your network and the base URL setting (llmRouter.baseUrl).`,
    );
  }
  if (e instanceof Anthropic.APIUserAbortError) return mk('cancelled', 'Cancelled.');
  if (e instanceof Anthropic.APIConnectionTimeoutError) {
    return mk(
      'timeout',
      `The request to ${s.baseURL} timed out${p.tries} (limit ${fmtS(s.timeoutMs)}).${p.kept} Try again; if it keeps happening, check your network and the base URL setting (llmRouter.baseUrl).`,
    );
  }
  if (e instanceof Anthropic.APIConnectionError) {
    return mk(
      'network',
      `Can't reach the Anthropic API at ${s.baseURL}${p.tries} (${causeOf(e)}). Check your network connection, the base URL setting (llmRouter.baseUrl) and any proxy.`,
    );
  }
  if (e instanceof Anthropic.APIError) return fromApiError(e, mk, c.model, p);
  // A body that broke off (socket closed halfway) surfaces as a plain AnthropicError/TypeError from the SSE reader.
  const detail = causeOf(e);
  if (cutMidAnswer(c.attempt.attempts, c.usage, c.text, detail)) {
    return mk(
      'network',
      `The connection to ${s.baseURL} was cut in the middle of the answer (${detail}).${p.kept} Try again.`,
    );
  }
  return mk(
    'network',
    `The request to ${s.baseURL} failed (${detail}). Check your network connection, the base URL setting (llmRouter.baseUrl) and any proxy.`,
  );
}

/** The status an API error stands for: its HTTP status, or for an SSE `error` event after a 200, its type's. */
function statusCode(status: number | null, apiType: string): number | null {
  if (status !== null) return status;
  if (apiType === 'overloaded_error') return 529;
  if (apiType === 'rate_limit_error') return 429;
  if (apiType === 'api_error') return 500;
  return null;
}

/** An error the API answered with (an HTTP status, or an SSE `error` event after a 200). */
function fromApiError(e: InstanceType<typeof Anthropic.APIError>, mk: Make, model: string, p: Phrases): ProviderError {
  const body = e.error as { error?: { type?: string; message?: string } } | undefined;
  const apiType = body?.error?.type ?? (e as { type?: string }).type ?? '';
  const apiMsg = String(body?.error?.message ?? '').slice(0, 300);
  const status = typeof e.status === 'number' ? e.status : null;
  const code = statusCode(status, apiType);
  const during = status === null ? ' during the answer' : '';
  const { tries, noWait, kept } = p;
  switch (code) {
    case 401:
      return mk('auth', `Anthropic rejected the API key (401). ${SET_KEY_FIX}`, status);
    case 403:
      return mk(
        'auth',
        `Anthropic refused this API key access to ${model} (403). Use a key from a workspace that may use this model (set it with “LLM Router: Set API Key”), or pick another tier.`,
        status,
      );
    case 404:
      return mk(
        'not-found',
        `Anthropic doesn't know the model “${model}” (404). Check the tier's model id in the llmRouter.tiers setting (for example claude-sonnet-4-6).`,
        status,
      );
    case 413:
      return mk(
        'bad-request',
        `The request is too large for the API (413). Shorten the prompt or start a new chat.`,
        status,
      );
    case 429:
      return mk(
        'rate-limit',
        `Anthropic's rate limit was hit for ${model} (429)${during}${tries}.${noWait}${kept} Wait a minute and try again, or ask for a higher rate limit in the Anthropic console.`,
        status,
      );
    case 529:
      return mk(
        'overloaded',
        `${model} is overloaded at Anthropic (529)${during}${tries}.${noWait}${kept} Try again in a moment or use another tier.`,
        status,
      );
  }
  if (code !== null && code >= 500) {
    return mk(
      'server',
      `Anthropic had a server error (${code})${during}${tries}.${noWait}${kept} Try again in a moment; status.anthropic.com shows incidents.`,
      status,
    );
  }
  if (/prompt is too long/i.test(apiMsg)) {
    return mk(
      'bad-request',
      `The conversation is too long for ${model} (400: ${apiMsg}). Shorten the prompt or start a new chat.`,
      status,
    );
  }
  if (code === 400) {
    return mk(
      'bad-request',
      `Anthropic rejected the request as invalid (400: ${apiMsg || 'no reason given'}). Check the tier's model id and max output tokens settings; if it persists, start a new chat.`,
      status,
    );
  }
  return mk(
    'server',
    `Anthropic answered with an error${status ? ` (${status})` : ''}${during}: ${apiMsg || apiType || 'unknown'}.${kept} Try again.`,
    status,
  );
}
