// What the stand-in reads in a Messages API request body: the text of content blocks (tool calls and results too),
// token counts (a token per four characters, images flat), tool inputs built from a schema, and the prefixes that
// cache_control breakpoints mark.

import { blockText, contentText } from '../mock-common/text';

export { blockText, contentText, mockTokens } from '../mock-common/text';

/** Tokens the stand-in counts for an image block (a flat figure, like a small picture at the real API). */
export const MOCK_IMAGE_TOKENS = 85;

function imagesIn(c: unknown): number {
  return Array.isArray(c)
    ? c.filter((b) => b && typeof b === 'object' && (b as { type?: string }).type === 'image').length
    : 0;
}

/** Input tokens of a request body: tools, system and every message's text, ceil(chars / 4), images flat; at least 1. */
export function mockInputTokens(body: {
  system?: unknown;
  messages?: { content: unknown }[];
  tools?: unknown[];
}): number {
  let chars =
    contentText(body.system).length +
    (Array.isArray(body.tools) && body.tools.length ? JSON.stringify(body.tools).length : 0);
  let images = 0;
  for (const m of body.messages ?? []) {
    chars += contentText(m.content).length;
    images += imagesIn(m.content);
  }
  return Math.max(1, Math.ceil(chars / 4) + images * MOCK_IMAGE_TOKENS);
}

/** A value of the right type for each property of a JSON Schema (what the stand-in's tool calls send). */
export function mockToolInput(schema: unknown): Record<string, unknown> {
  const props =
    (schema as { properties?: Record<string, { type?: string; enum?: unknown[] }> } | undefined)?.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(props)) {
    if (p?.enum?.length) out[k] = p.enum[0];
    else if (p?.type === 'number' || p?.type === 'integer') out[k] = 1;
    else if (p?.type === 'boolean') out[k] = true;
    else if (p?.type === 'array') out[k] = [];
    else if (p?.type === 'object') out[k] = {};
    else out[k] = `mock-${k}`;
  }
  return out;
}

/**
 * Every block boundary of a body, in the API's order (tools, system, messages), with the prefix text up to it and
 * whether a cache_control breakpoint marks it. The API writes the marked prefixes and reads the longest earlier
 * boundary it has cached (so the next turn of a loop hits what the previous turn's last breakpoint wrote).
 */
export function cachePrefixes(body: any): { text: string; marked: boolean; ttl: '5m' | '1h' }[] {
  const out: { text: string; marked: boolean; ttl: '5m' | '1h' }[] = [];
  let acc = '';
  const visit = (part: unknown, text: string) => {
    acc += text;
    const cc = (part as { cache_control?: { ttl?: string } } | null)?.cache_control;
    out.push({ text: acc, marked: !!cc, ttl: cc?.ttl === '1h' ? '1h' : '5m' });
  };
  for (const t of Array.isArray(body.tools) ? body.tools : [])
    visit(t, JSON.stringify({ ...t, cache_control: undefined }));
  if (Array.isArray(body.system)) for (const b of body.system) visit(b, blockText(b));
  else if (typeof body.system === 'string') acc += body.system;
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    acc += `\u0000${m.role}:`;
    if (typeof m.content === 'string') visit(null, m.content);
    else
      for (const b of m.content ?? [])
        visit(b, blockText(b) + (b?.type === 'image' ? String(b?.source?.data ?? '').slice(0, 64) : ''));
  }
  return out;
}
