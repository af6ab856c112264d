// Prompt caching as the API does it: `cache_control` breakpoints write a prefix of at least `cacheMinTokens` on first sight
// (for 5 minutes or an hour, as marked) and later requests read the longest cached prefix; and the usage an answer
// reports with those cache tokens.
import { cachePrefixes, mockInputTokens, mockTokens } from './content';
import type { Scenario } from './types';

export class PromptCache {
  /** Cached prefixes (model + text) and how long they live (ms since epoch). */
  private readonly cached = new Map<string, number>();
  constructor(private readonly cacheMin: number) {}

  clear(): void {
    this.cached.clear();
  }

  /** What the breakpoints of a request read from and write to the cache, like the API's prompt caching. */
  of(body: any, total: number): { read: number; write: number; write1h: number } {
    const now = Date.now();
    const all = cachePrefixes(body);
    const lastMark = all.map((p) => p.marked).lastIndexOf(true);
    if (lastMark < 0) return { read: 0, write: 0, write1h: 0 };
    const points = all
      .slice(0, lastMark + 1)
      .map((p) => ({ ...p, key: `${body.model}\u0000${p.text}`, tokens: Math.min(total, mockTokens(p.text)) }))
      .filter((p) => p.tokens >= this.cacheMin);
    if (!points.length) return { read: 0, write: 0, write1h: 0 };
    let read = 0;
    for (const p of points) if ((this.cached.get(p.key) ?? 0) > now) read = Math.max(read, p.tokens);
    const last = points[points.length - 1];
    const write = last.marked ? Math.max(0, last.tokens - read) : 0;
    for (const p of points) if (p.marked) this.cached.set(p.key, now + (p.ttl === '1h' ? 3_600_000 : 300_000));
    return { read, write, write1h: last.ttl === '1h' ? write : 0 };
  }
}

/** The usage of an answer with `outputTokens` to `body`: what the cache read and wrote (or, for the 'cache'
 *  scenario, what it says). */
export function usageOf(cache: PromptCache, body: any, sc: Scenario, outputTokens: number) {
  const total = mockInputTokens(body);
  let { read, write, write1h } = cache.of(body, total);
  if (sc.kind === 'cache') {
    read = Math.min(total, sc.cacheReadTokens ?? Math.floor(total / 2));
    write = Math.min(total - read, sc.cacheWriteTokens ?? Math.floor(total / 4));
    write1h = 0;
  }
  return {
    input_tokens: total - read - write,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    cache_creation: { ephemeral_5m_input_tokens: write - write1h, ephemeral_1h_input_tokens: write1h },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}
