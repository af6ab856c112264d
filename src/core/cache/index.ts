// De-duplication of identical requests in flight (./dedup.ts) and the opt-in response cache (./responseCache.ts).
import type { ClientFor } from '../provider/api';
import type { Settings } from '../settings';
import { Dedup } from './dedup';
import { ResponseCache } from './responseCache';

export { Dedup } from './dedup';
export { ResponseCache, type CacheOptions, type CacheStats } from './responseCache';

/** The scope of a cache shared across workspaces (only when the user asks for it). */
export const SHARED_SCOPE = '*';

/** `base` with de-duplication always, and the response cache when the settings turn it on (`cache` keeps its
 *  answers: pass the same one for the life of the window). `workspace` scopes the cache unless shared is asked. */
export function layerClients(
  base: ClientFor,
  s: Pick<Settings, 'cache'>,
  workspace: string,
  cache?: ResponseCache,
): { clientFor: ClientFor; dedup: Dedup; cache: ResponseCache | null } {
  const dedup = new Dedup();
  const deduped = dedup.wrap(base);
  if (!s.cache.enabled) return { clientFor: deduped, dedup, cache: null };
  const c =
    cache ??
    new ResponseCache({ ttlMs: s.cache.ttlMs, maxEntries: s.cache.maxEntries, similarity: s.cache.similarity });
  return { clientFor: c.wrap(deduped, s.cache.acrossWorkspaces ? SHARED_SCOPE : workspace), dedup, cache: c };
}
