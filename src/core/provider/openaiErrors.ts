// Every failure of a request to an OpenAI-compatible endpoint as a ProviderError in words: which endpoint, what
// happened, in which attempt, and the fix (never the key: each message is scrubbed).
import OpenAI from 'openai';
import type { Usage } from '../types';
import { ProviderError, type ProviderErrorKind } from './api';
import { causeOf, cutMidAnswer, fmtS } from './errorDetail';
import { envKeyName } from './keys';

/** The fix for a missing or rejected key, naming both places a key can come from. */
export function endpointKeyFix(endpoint: string, keyName = endpoint): string {
  return `Set its key with “LLM Router: Set Endpoint Key” (${keyName}) or the ${envKeyName(keyName)} environment variable.`;
}

export type Why = 'cancelled' | 'timeout' | null;

/** The client's settings a message names. */
export interface EndpointLimits {
  endpoint: string;
  keyName: string;
  baseURL: string;
  idleTimeoutMs: number;
  timeoutMs: number;
  /** Removes the key (and a URL's user:password) from a message. */
  scrub(s: string): string;
}

/** The request that failed: its model, why it was stopped (if we stopped it), its attempts and what had arrived. */
export interface Failure {
  model: string;
  why: Why;
  attempts: number;
  usage: Usage | null;
  text: string;
}

type Make = (
  kind: ProviderErrorKind,
  message: string,
  status?: number | null,
  retryAfterMs?: number | null,
) => ProviderError;

/** The phrases a message is built of: the endpoint, after how many attempts, whether text is kept. */
interface Phrases {
  where: string;
  tries: string;
  kept: string;
}

export function toOpenAIError(e: unknown, s: EndpointLimits, c: Failure): ProviderError {
  const mk: Make = (kind, message, status = null, retryAfterMs = null) =>
    new ProviderError(kind, s.scrub(message), status, c.usage, c.text, null, retryAfterMs);
  const p: Phrases = {
    where: `the endpoint “${s.endpoint}” (${s.baseURL})`,
    tries: c.attempts > 1 ? ` after ${c.attempts} attempts` : '',
    kept: c.text ? ' The partial answer is kept.' : '',
  };
  const { where, tries, kept } = p;
  const check = `Check your network and the endpoint's base URL in the llmRouter.endpoints setting.`;
  if (c.why === 'cancelled' || (e instanceof OpenAI.APIUserAbortError && c.why !== 'timeout'))
    return mk('cancelled', 'Cancelled.');
  if (c.why === 'timeout')
    return mk(
      'timeout',
      `${c.model} at ${where} sent nothing for ${fmtS(s.idleTimeoutMs)}, so the stalled request was stopped.${kept} Try again; if it keeps happening, ${check.charAt(0).toLowerCase()}${check.slice(1)}`,
    );
  if (e instanceof OpenAI.APIConnectionTimeoutError)
    return mk('timeout', `The request to ${where} timed out${tries} (limit ${fmtS(s.timeoutMs)}).${kept} ${check}`);
  if (e instanceof OpenAI.APIConnectionError)
    return mk('network', `Can't reach ${where}${tries} (${causeOf(e)}). ${check}`);
  if (e instanceof OpenAI.APIError) return fromApiError(e, mk, s, c.model, p);
  const detail = causeOf(e);
  if (cutMidAnswer(c.attempts, c.usage, c.text, detail)) {
    return mk(
      'network',
      `The connection to ${where} was cut in the middle of the answer (${detail}).${kept} Try again.`,
    );
  }
  return mk('network', `The request to ${where} failed (${detail}). ${check}`);
}

/** An error the endpoint answered with (an HTTP status, or an error chunk in the stream after a 200). */
function fromApiError(
  e: InstanceType<typeof OpenAI.APIError>,
  mk: Make,
  s: EndpointLimits,
  model: string,
  { where, tries, kept }: Phrases,
): ProviderError {
  const status = typeof e.status === 'number' ? e.status : null;
  const body = e.error as { message?: string; code?: unknown; type?: string } | undefined;
  const apiMsg = String(body?.message ?? '').slice(0, 300);
  const during = status === null ? ' during the answer' : '';
  const code =
    status ??
    (typeof body?.code === 'number' ? body.code : /rate/i.test(String(body?.code ?? body?.type ?? '')) ? 429 : 500);
  const wait = retryAfter(e.headers);
  if (code === 401)
    return mk('auth', `${where} rejected the key (401). ${endpointKeyFix(s.endpoint, s.keyName)}`, status);
  if (code === 403)
    return mk(
      'auth',
      `${where} refused access to ${model} (403${apiMsg ? `: ${apiMsg}` : ''}). Check the key's permissions or pick another tier.`,
      status,
    );
  if (code === 404)
    return mk(
      'not-found',
      `${where} doesn't know the model “${model}” (404). Check the tier's model id in the llmRouter.tiers setting.`,
      status,
    );
  if (code === 429)
    return mk(
      'rate-limit',
      `${where} hit its rate limit for ${model} (429)${during}${tries}${wait !== null ? `; it asks to wait ${fmtS(wait)}` : ''}.${kept} Wait and try again.`,
      status,
      wait,
    );
  if (code >= 500)
    return mk(
      code === 529 || code === 503 ? 'overloaded' : 'server',
      `${where} had a server error (${code})${during}${tries}${apiMsg ? `: ${apiMsg}` : ''}.${kept} Try again in a moment.`,
      status,
      wait,
    );
  if (code === 400 || code === 413 || code === 422)
    return mk(
      'bad-request',
      `${where} rejected the request as invalid (${code}: ${apiMsg || 'no reason given'}). Check the tier's model id and max output tokens; if the conversation is long, start a new chat.`,
      status,
    );
  return mk(
    'server',
    `${where} answered with an error${status ? ` (${status})` : ''}${during}: ${apiMsg || 'unknown'}.${kept} Try again.`,
    status,
  );
}

/** `retry-after-ms` or `retry-after` (seconds or an HTTP date) in ms, or null. */
function retryAfter(h: Headers | undefined): number | null {
  if (!h) return null;
  const ms = Number(h.get('retry-after-ms'));
  if (h.has('retry-after-ms') && Number.isFinite(ms)) return ms;
  const v = h.get('retry-after');
  if (!v) return null;
  const s = Number(v);
  if (Number.isFinite(s)) return s * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - Date.now());
}
