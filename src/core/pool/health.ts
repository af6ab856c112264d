// The pool's health kept in the decision database (one meta row), so `llm-router stats` and the panel show what the
// editor, the CLI and `llm-router serve` saw, whichever process made the calls. Each backend keeps its newest entry.
import type { DecisionStore } from '../store/api';
import type { BackendHealth } from './breaker';

export const HEALTH_META_KEY = 'pool.health';
/** Entries not updated for this long are dropped (a backend no longer used). */
const KEEP_MS = 7 * 24 * 3600_000;

export function loadHealth(store: Pick<DecisionStore, 'getMeta'>): BackendHealth[] {
  const raw = store.getMeta(HEALTH_META_KEY);
  if (!raw) return [];
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v)
      ? v.filter(
          (h): h is BackendHealth =>
            !!h && typeof (h as BackendHealth).id === 'string' && typeof (h as BackendHealth).state === 'string',
        )
      : [];
  } catch {
    return [];
  }
}

/** Merges `health` into the stored snapshot: per backend the newest entry wins; old ones are dropped. */
export function saveHealth(
  store: Pick<DecisionStore, 'getMeta' | 'setMeta'>,
  health: readonly BackendHealth[],
  now = Date.now(),
): void {
  const byId = new Map(loadHealth(store).map((h) => [h.id, h]));
  for (const h of health) {
    const had = byId.get(h.id);
    if (!had || had.updatedAt <= h.updatedAt) byId.set(h.id, h);
  }
  const kept = [...byId.values()].filter((h) => now - h.updatedAt < KEEP_MS).sort((a, b) => a.id.localeCompare(b.id));
  store.setMeta(HEALTH_META_KEY, JSON.stringify(kept));
}

/** An onChange for the pool: saves each verdict's health (a few entries; the store batches its writes). */
export function healthRecorder(
  store: Pick<DecisionStore, 'getMeta' | 'setMeta'>,
  now = () => Date.now(),
): (h: BackendHealth[]) => void {
  return (h) => {
    try {
      saveHealth(store, h, now());
    } catch {
      /* a closed store: health is a convenience, never a failure */
    }
  };
}

/** One line per backend, for `llm-router stats`: "openrouter/gpt-4o-mini  open  12 calls, 58% errors, p50 820 ms …". */
export function healthLines(health: readonly BackendHealth[], now = Date.now()): string[] {
  return health.map((h) => {
    const rate = h.errorRate === null ? '–' : `${Math.round(h.errorRate * 100)}%`;
    const lat = h.p50LatencyMs === null ? '' : `, p50 ${h.p50LatencyMs} ms, p95 ${h.p95LatencyMs} ms`;
    const ttft = h.p50TtftMs === null ? '' : `, first token p50 ${h.p50TtftMs} ms`;
    const open =
      h.state === 'open' && h.retryInMs !== null
        ? ` (retry in ${Math.max(0, Math.ceil((h.retryInMs - (now - h.updatedAt)) / 1000))} s)`
        : '';
    const err = h.lastError && h.state !== 'closed' ? ` — last error: ${h.lastError}` : '';
    return `${h.id.padEnd(34)} ${h.state.padEnd(9)} ${h.calls} calls, ${rate} errors${lat}${ttft}${open}${err}`;
  });
}
