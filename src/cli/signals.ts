// Signals during a command that records money: Ctrl+C (SIGINT), `kill` (SIGTERM) and a closed terminal (SIGHUP)
// stop the model call instead of killing the process, so that what was received (tokens, cost) is recorded and
// saved before the process exits with 128 + the signal's number, as a shell expects. A second signal exits at once.
import * as os from 'node:os';
import { cliStreams, setExitCode } from './io';

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
export const exitCodeFor = (sig: NodeJS.Signals): number => 128 + (os.constants.signals[sig] ?? 15);

export interface Stoppable {
  /** Aborted by the first stop signal. */
  readonly signal: AbortSignal;
  /** The signal that stopped the command, or null. */
  stoppedBy(): NodeJS.Signals | null;
}

/**
 * Runs `fn` with the stop signals caught: the first aborts `signal` (and `fn` finishes its bookkeeping), the
 * second exits at once. When a signal came, the exit code is set to 128 + its number once `fn` is done.
 */
export async function whileStoppable<T>(fn: (s: Stoppable) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let by: NodeJS.Signals | null = null;
  const handlers = STOP_SIGNALS.map((sig) => {
    const h = () => {
      if (by) process.exit(exitCodeFor(by));
      by = sig;
      ac.abort();
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    return await fn({ signal: ac.signal, stoppedBy: () => by });
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
    if (by) setExitCode(exitCodeFor(by));
  }
}

/** Resolves when a command that runs until stopped (`serve`) should stop: SIGINT or SIGTERM, or the run's own stop
 *  signal when it runs in process. */
export function untilStopped(): Promise<void> {
  const stop = cliStreams().stop;
  return new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (stop?.aborted) done();
    else stop?.addEventListener('abort', done);
  });
}
