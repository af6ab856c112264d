// What the parts of the routing service share: the service's environment (store, clock, budget, money in flight) and
// the scope of one request being answered (its configuration, the clients per tier, the calls made so far).
import type { ClientFor, ModelClient } from '../provider/api';
import type { CallSummary, RouteRequest } from '../service-api';
import type { DecisionStore } from '../store/api';
import type { Held } from '../budget';
import type { BudgetState, RouterConfig } from '../types';

export interface ServiceEnv {
  readonly store: DecisionStore;
  now(): number;
  /** The budget as the store has it now (null: no limit set). */
  getBudget(): BudgetState | null;
  /** Worst cases held by the calls under way in every process using the store, and by interrupted ones
   *  (store/reservations.ts): concurrent requests cannot together pass a limit. */
  held(): Held;
  /** Worst cases of this process's calls waiting for the lock to reserve them (not in the table yet). */
  readonly reserving: { usd: number };
}

/** One request being answered. */
export interface RunScope {
  readonly env: ServiceEnv;
  readonly cfg: RouterConfig;
  readonly req: RouteRequest;
  /** The client that serves a tier (by index); null when that tier cannot be reached (no key for its provider). */
  clientOf(tier: number): ModelClient | null;
  /** Every call made (or refused) for this request, in order. */
  readonly calls: CallSummary[];
}

/** What `run` accepts: one client for every tier, a client per tier, or none (no key). */
export type ClientChoice = ModelClient | ClientFor | null | undefined;

/** The client per tier index for one request; a `ClientFor` is asked once per tier and request. */
export function tierClients(cfg: RouterConfig, choice: ClientChoice): (tier: number) => ModelClient | null {
  if (!choice) return () => null;
  if (typeof choice !== 'function') return (t) => (cfg.tiers[t] ? choice : null);
  const asked = new Map<number, ModelClient | null>();
  return (t) => {
    const tier = cfg.tiers[t];
    if (!tier) return null;
    if (!asked.has(t)) asked.set(t, choice(tier) ?? null);
    return asked.get(t) ?? null;
  };
}
