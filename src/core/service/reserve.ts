// Holding the budget for one call, shared with every process that uses the store (store/reservations.ts).
//
// With a limit set, the call's worst case is checked and reserved under the store's file lock, on the file's latest
// content (the calls other processes have in flight, expired ones reconciled), and the pending record and the
// reservation are on disk before the request leaves: a call in flight in one window or terminal is seen by all the
// others, and a process killed mid-call leaves a row that the next open marks interrupted. Without a limit nothing
// can be overspent, so nothing waits for the disk: the record and reservation are written right after the request
// has left. The reservation is released in the same burst as the call's outcome (one save holds both).
import { checkWorstCase, type WorstCaseCheck } from '../budget';
import { HEARTBEAT_MS } from '../store/reservations';
import type { DecisionRecord } from '../types';
import type { RunScope } from './scope';

export interface Hold {
  /** Writes the pending record and the reservation, unless they were saved before the call. */
  afterDispatch(): void;
  /** The call settled: stops renewing the reservation and drops it (call in the burst that records the outcome). */
  release(): void;
}

export type HoldResult = { hold: Hold } | { refused: WorstCaseCheck };

/** A save of the reservation failed: the call is not made. */
export class HoldError extends Error {}

/**
 * Holds `usd` (the worst case of the call `rec`, null when unpriced) before the call. `mayPass`: the budget lets this
 * call through even past the limit (cheapest-only mode on the cheapest tier). Refused when, on the latest file, the
 * call no longer fits.
 */
export async function holdBudget(s: RunScope, rec: DecisionRecord, usd: number | null, mayPass: boolean): Promise<HoldResult> {
  const { store, now } = s.env;
  const amount = usd ?? 0;
  let saved = false;
  if (s.env.getBudget()) {
    let refusal: WorstCaseCheck | null = null;
    // Until it is in the table, this process's other requests see it here (they check before they wait for the lock).
    const pending = s.env.reserving;
    pending.usd += amount;
    let counted = true;
    const uncount = () => { if (counted) { counted = false; pending.usd -= amount; } };
    try {
      refusal = await store.exclusive(() => {
        uncount();
        store.reservations.reconcile();
        const check = checkWorstCase(s.env.getBudget(), usd, s.env.held());
        if (!check.fits && !mayPass) return check;
        store.insertDecision(rec);
        store.reservations.hold(rec.id, amount, now());
        return null;
      });
    } catch (e) {
      uncount();
      // Not on disk: the call is not made, and what was journalled says so.
      if (store.getDecision(rec.id)) {
        store.updateDecision(rec.id, { status: 'error', error: `not sent: the budget reservation could not be saved (${(e as Error).message})` });
      }
      store.reservations.release(rec.id);
      throw new HoldError(`Not sent: the budget reservation could not be saved to ${store.path} (${(e as Error).message}).`);
    }
    if (refusal) return { refused: refusal };
    saved = true;
  }
  const beat = setInterval(() => {
    try {
      store.reservations.beat([rec.id]);
    } catch {
      /* the store was closed under a call still running: nothing to renew */
    }
  }, HEARTBEAT_MS);
  beat.unref?.();
  return {
    hold: {
      afterDispatch() {
        if (saved) return;
        store.insertDecision(rec);
        store.reservations.hold(rec.id, amount, now());
      },
      release() {
        clearInterval(beat);
        store.reservations.release(rec.id);
      },
    },
  };
}
