// The resilient pool (./pool.ts: breakers, health, alternates) and its snapshot in the database (./health.ts).
import type { Settings } from '../settings';
import type { DecisionStore } from '../store/api';
import { healthRecorder } from './health';
import { Pool } from './pool';

export * from './breaker';
export * from './health';
export * from './pool';

/** The pool the settings ask for, its health kept in `store` (when given). */
export function createPool(s: Pick<Settings, 'pool'>, store?: Pick<DecisionStore, 'getMeta' | 'setMeta'>): Pool {
  return new Pool({
    alternates: s.pool.alternates,
    breaker: { failureThreshold: s.pool.failureThreshold, cooldownMs: s.pool.cooldownMs },
    ...(store ? { onChange: healthRecorder(store) } : {}),
  });
}
