// The neighbour index of a decision store: the newest rated decisions (a thumb from a person, or a verdict of the
// judge) with a stored prompt. Rebuilt lazily after the store changed, at most every `rebuildMs`. With prompts not
// stored (promptStorage 'none') the index stays empty and nothing moves.
import type { DecisionStore } from '../store/api';
import type { Classification, RouterConfig } from '../types';
import { adjustByNeighbours, DEFAULT_NEIGHBOURS, NeighbourIndex, type NeighbourOptions } from './index';

/** What the routing service calls after classifying (CreateServiceOptions.adjustScore). */
export type ScoreAdjuster = (prompt: string, cls: Classification, cfg: RouterConfig) => Classification;

/** Rated decisions with a prompt, oldest first, at most `capacity` (the newest). */
export function buildIndex(store: DecisionStore, capacity = DEFAULT_NEIGHBOURS.capacity): NeighbourIndex {
  const judged = new Set(
    store
      .listDecisions({ source: 'judge', limit: 1_000_000 })
      .rows.filter((r) => r.strategy === 'judge' && r.parentId)
      .map((r) => r.parentId as string),
  );
  const rated = store.qualitySamples().filter((q) => q.thumb !== null || judged.has(q.decisionId));
  const index = new NeighbourIndex(capacity);
  for (const q of rated.slice(-capacity)) {
    const d = store.getDecision(q.decisionId);
    if (!d?.prompt || d.source === 'judge') continue;
    index.add({ id: d.id, prompt: d.prompt, tier: q.tier, quality: q.quality });
  }
  return index;
}

export interface StoreAdjuster {
  adjust: ScoreAdjuster;
  /** Prompts in the index now (after the latest rebuild). */
  size(): number;
  dispose(): void;
}

export function neighbourAdjuster(
  store: DecisionStore,
  o: Partial<NeighbourOptions> & { rebuildMs?: number; now?: () => number } = {},
): StoreAdjuster {
  const opts: NeighbourOptions = { ...DEFAULT_NEIGHBOURS, ...o };
  const now = o.now ?? Date.now;
  let index: NeighbourIndex | null = null;
  let builtAt = 0;
  let dirty = true;
  const unsubscribe = store.onDidChange(() => {
    dirty = true;
  });
  const current = (): NeighbourIndex => {
    if (!index || (dirty && now() - builtAt >= (o.rebuildMs ?? 30_000))) {
      index = buildIndex(store, opts.capacity);
      builtAt = now();
      dirty = false;
    }
    return index;
  };
  return {
    adjust: (prompt, cls, cfg) => adjustByNeighbours(cls, prompt, cfg, current(), opts),
    size: () => current().size,
    dispose: unsubscribe,
  };
}
