// Holding the budget for one call, shared with every process that uses the store (store/reservations.ts).
//
// With a limit set, the call's worst case is checked and held under the store's file lock, on the latest database
// and holds file (the calls other processes have in flight, expired ones reconciled), and the hold (with the call's
// record, for the row to write if it is interrupted) is on disk before the request leaves: a call in flight in one
// window or terminal is seen by all the others, and a process killed mid-call leaves a hold that the next open (or
// refresh, or reservation) marks interrupted. Without a limit nothing can be overspent, so nothing waits for the
// disk: the hold is written with the pending record at the next save. The hold is released in the same burst as
// the call's outcome (one save removes it and records the cost).
import { checkWorstCase, type WorstCaseCheck } from '../budget';
import type { DecisionRecord } from '../types';
import type { RunScope, ServiceEnv } from './scope';

export interface Hold {
  /** Right after the request left: journals the pending record (and, with no limit, the hold for the next save). */
  afterDispatch(): void;
  /** The call settled: its hold goes with the save that records the outcome (call in the burst that records it). */
  release(): void;
}

export type HoldResult = { hold: Hold } | { refused: WorstCaseCheck };

/** The hold could not be written (the lock, a read-only folder, a full disk): the call is not made. */
export class HoldError extends Error {}

/**
 * Holds `usd` (the worst case of the call `rec`, null when unpriced) before the call. `mayPass`: the budget lets this
 * call through even past the limit (cheapest-only mode on the cheapest tier). Refused when, on the latest file, the
 * call no longer fits.
 */
export async function holdBudget(
  s: Pick<RunScope, 'env'>,
  rec: DecisionRecord,
  usd: number | null,
  mayPass: boolean,
): Promise<HoldResult> {
  const { store, now } = s.env;
  const amount = usd ?? 0;
  let saved = false;
  if (s.env.getBudget()) {
    let refusal: WorstCaseCheck | null = null;
    // Until it is in the holds file, this process's other requests see it here (they check before they wait for the lock).
    const pending = s.env.reserving;
    pending.usd += amount;
    let counted = true;
    const uncount = () => {
      if (counted) {
        counted = false;
        pending.usd -= amount;
      }
    };
    try {
      // Calls of processes that died: marked interrupted first (rare; that one writes the database).
      if (store.reservations.expiredNow().length) await store.exclusive(() => store.reservations.reconcile());
      refusal = await store.locked(() => {
        uncount();
        const check = checkWorstCase(s.env.getBudget(), usd, s.env.held());
        if (!check.fits && !mayPass) return check;
        store.reservations.hold(rec.id, amount, now(), rec);
        return null;
      });
    } catch (e) {
      uncount();
      // Not on disk: the call is not made.
      throw new HoldError(
        `Not sent: the budget reservation could not be saved beside ${store.path} (${(e as Error).message}).`,
      );
    }
    if (refusal) return { refused: refusal };
    saved = true;
  }
  return {
    hold: {
      afterDispatch() {
        store.insertDecision(rec);
        if (!saved) store.reservations.holdAtNextSave(rec.id, amount, now(), rec);
      },
      release() {
        store.reservations.release(rec.id);
      },
    },
  };
}

/**
 * Holds the worst case of a call made outside `run` (a later request of an agent loop, on the loop's decision
 * `rec`), exactly as `run` does: under the store's lock, seen by every process. Refused: why, in words.
 */
export async function holdCall(
  env: ServiceEnv,
  rec: DecisionRecord,
  usd: number | null,
): Promise<{ release(): void } | { refused: string }> {
  const r = await holdBudget({ env }, rec, usd, false);
  if ('refused' in r) return { refused: r.refused.message ?? 'it would pass the budget' };
  // With a limit the hold is on disk already; without one nothing can be overspent and nothing was held.
  return {
    release: () => {
      if (env.getBudget()) r.hold.release();
    },
  };
}
