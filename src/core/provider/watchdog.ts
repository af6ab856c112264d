// The stall watchdog of a streamed answer: fires when nothing arrived for `idleMs`. One timer, re-armed only when it
// fires (cheaper than resetting it at every event); `touch` is all a stream event costs. During a wait before a
// retry it stays on, its deadline moved past the wait.

export interface Watchdog {
  /** Watches from now, or from `resumeInMs` ahead (the end of a wait before a retry). */
  watch(resumeInMs?: number): void;
  /** Stops watching (the answer ended, or an error is being read). */
  unwatch(): void;
  /** Something arrived. */
  touch(): void;
}

export function stallWatchdog(idleMs: number, onStall: () => void): Watchdog {
  let watching = false;
  let lastActivity = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    idle = undefined;
    if (!watching) return;
    const quiet = performance.now() - lastActivity;
    if (quiet >= idleMs) {
      onStall();
      return;
    }
    schedule(idleMs - quiet);
  };
  const schedule = (delay: number) => {
    idle = setTimeout(check, Math.max(1, Math.ceil(delay)));
    (idle as { unref?: () => void }).unref?.(); // never keep a process alive just for the watchdog
  };
  return {
    watch(resumeInMs = 0) {
      lastActivity = performance.now() + resumeInMs;
      watching = idleMs > 0;
      if (watching && idle === undefined) schedule(idleMs);
    },
    unwatch() {
      watching = false;
      if (idle !== undefined) {
        clearTimeout(idle);
        idle = undefined;
      }
    },
    touch() {
      lastActivity = performance.now();
    },
  };
}
