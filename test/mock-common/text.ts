// What both local stand-ins (the Messages API in ../mock-anthropic, the Chat Completions endpoint in ../mock-openai)
// say and count: the text of a message's content, a token per four characters, the deterministic answer to a prompt
// and the deltas it streams in.

/** Tokens the stand-in counts for a text: ceil(chars / 4), the same rule for input, output and count_tokens. */
export function mockTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The text of one content block: text, a tool result's content, a tool call's input as JSON; '' for others. */
export function blockText(b: unknown): string {
  if (!b || typeof b !== 'object') return '';
  const o = b as { type?: string; text?: unknown; content?: unknown; input?: unknown };
  if (typeof o.text === 'string') return o.text;
  if (o.type === 'tool_result') return contentText(o.content);
  if (o.type === 'tool_use') return JSON.stringify(o.input ?? {});
  return '';
}

/** All text of a content value (a string or an array of blocks). */
export function contentText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map(blockText).join('');
  return '';
}

/** A `[[mock:…]]` scenario marker in a prompt. */
const ANY_MARKER = /\[\[mock:([^\]]*)\]\]/g;

/** The prompt without any `[[mock:…]]` marker, trimmed. */
export function stripMarker(prompt: string): string {
  return prompt.replace(ANY_MARKER, '').replace(/\s+/g, ' ').trim();
}

const FILLER = [
  'Here is a short, plain answer.',
  'The main point comes first, then the details.',
  'Each sentence is generated locally, without any network call.',
  'Token counts follow one rule: a token per four characters.',
  'That keeps usage and cost easy to check in tests.',
  'Nothing here comes from a real model.',
];

/**
 * The answer the stand-in gives to a prompt (the last user message, markers removed) on a model: deterministic, so
 * tests can assert the exact streamed text. `words` (default 60) sets its length.
 */
export function mockAnswer(model: string, prompt: string, words = 60): string {
  const p = stripMarker(prompt);
  const snippet = p.length > 60 ? `${p.slice(0, 57)}...` : p;
  const head = `[${model}] You asked: "${snippet}".`;
  const out = head.split(' ');
  let i = 0;
  while (out.length < words) out.push(...FILLER[i++ % FILLER.length].split(' '));
  return out.slice(0, Math.max(words, head.split(' ').length)).join(' ');
}

/** Splits text into deltas of about three words each (whitespace kept), as a model streams it. */
export function chunkText(text: string): string[] {
  const parts = text.match(/\S+\s*/g) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < parts.length; i += 3) chunks.push(parts.slice(i, i + 3).join(''));
  if (/^\s+/.test(text) && chunks.length) chunks[0] = text.match(/^\s+/)![0] + chunks[0];
  return chunks;
}

/** The text of the last user message of a request body ('' when there is none). */
export function lastUserText(body: any): string {
  const msgs: { role?: string; content?: unknown }[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]?.role === 'user') return contentText(msgs[i].content);
  return '';
}
