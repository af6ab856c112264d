// An exclusive lock file beside the database, held only while a process writes the file.
// Created with O_EXCL ('wx'), so exactly one process holds it; each holder writes a random token, so a process never
// removes another's lock. A lock is broken as stale when its owner died (same host, pid gone), when its timestamp is
// older than `staleMs` or in the future (another host's clock), or when this process has watched the same lock for
// `staleMs`. The wait is always longer than the stale age, so a stuck lock is broken before anyone gives up.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { pidAlive } from './file';

/** A lock older than this is abandoned: a save holds it well under a second, a big merge a few. */
export const LOCK_STALE_MS = 10_000;
/** How long a writer waits for the lock by default: longer than the stale age. */
export const LOCK_WAIT_MS = 30_000;
/** A timestamp this far ahead of our clock is from a clock that is wrong, not from a fresh lock. */
const FUTURE_SLACK_MS = 1_000;

export interface LockOptions {
  /** Give up after this long (default LOCK_WAIT_MS, and at least the stale age + 5 s when only staleMs is given). */
  timeoutMs?: number;
  /** A lock older than this is considered abandoned (default LOCK_STALE_MS). */
  staleMs?: number;
}

interface LockInfo {
  pid: number;
  host: string;
  time: number;
  token: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function readLock(lockPath: string): { info: LockInfo | null; mtimeMs: number } | null {
  try {
    const st = fs.statSync(lockPath);
    let info: LockInfo | null = null;
    try {
      info = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;
    } catch {
      info = null; // being written right now, or damaged
    }
    return { info, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

type SeenLock = { info: LockInfo | null; mtimeMs: number };

function isStale(l: SeenLock, staleMs: number, now: number, watchedMs: number): boolean {
  const time = l.info?.time ?? l.mtimeMs;
  if (now - time > staleMs || time > now + FUTURE_SLACK_MS || watchedMs > staleMs) return true;
  if (!l.info) return now - l.mtimeMs > 2000; // unreadable for 2 s: its writer died between create and write
  if (l.info.host === os.hostname() && l.info.pid !== process.pid && !pidAlive(l.info.pid)) return true;
  return false;
}

/** "process 123 on host-b has held <lock> since 2026-12-03 15:04:05 (3 s)", for the message when giving up. */
function holderOf(lockPath: string, l: SeenLock | null, now: number): string {
  const who = l?.info ? `process ${l.info.pid} on ${l.info.host}` : 'another process';
  const since = l ? (l.info?.time ?? l.mtimeMs) : null;
  if (since === null || !Number.isFinite(since)) return `${who} holds ${lockPath}`;
  const p2 = (n: number) => String(n).padStart(2, '0');
  const d = new Date(since);
  const at = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `${who} has held ${lockPath} since ${at} (${Math.max(0, Math.round((now - since) / 1000))} s)`;
}

/** Removes a stale lock without ever removing a fresh one that replaced it in the meantime. */
function breakStale(lockPath: string, seen: LockInfo | null): void {
  const aside = `${lockPath}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch {
    return; // someone else broke it first
  }
  let moved: LockInfo | null = null;
  try {
    moved = JSON.parse(fs.readFileSync(aside, 'utf8')) as LockInfo;
  } catch {
    moved = null;
  }
  if (seen && moved && moved.token !== seen.token) {
    // We moved a lock that a live process took after we looked: put it back (link fails if a new one exists).
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      /* another process already holds a new lock */
    }
  }
  try {
    fs.unlinkSync(aside);
  } catch {
    /* ignore */
  }
}

/** Takes the lock if it is free: the function that releases it, or null when someone holds it. */
function tryTake(lockPath: string, token: string): (() => void) | null {
  try {
    const fd = fs.openSync(lockPath, 'wx');
    try {
      fs.writeSync(
        fd,
        JSON.stringify({ pid: process.pid, host: os.hostname(), time: Date.now(), token } satisfies LockInfo),
      );
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return null;
    throw new Error(`cannot create the lock file ${lockPath}: ${(e as Error).message}`);
  }
  return () => {
    const cur = readLock(lockPath);
    if (cur?.info?.token === token) {
      try {
        fs.unlinkSync(lockPath);
      } catch {
        /* already gone */
      }
    }
  };
}

/** Waits for the lock; returns the function that releases it. */
export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<() => void> {
  const staleMs = opts.staleMs ?? LOCK_STALE_MS;
  const timeoutMs = opts.timeoutMs ?? Math.max(LOCK_WAIT_MS, staleMs + 5000);
  const token = crypto.randomBytes(12).toString('hex');
  const start = Date.now();
  let wait = 2;
  /** The lock we are waiting behind and since when we have seen it (a new holder is watched afresh). */
  const watched = { key: '', since: start };
  for (;;) {
    const release = tryTake(lockPath, token);
    if (release) return release;
    const cur = readLock(lockPath);
    const now = Date.now();
    const key = cur ? (cur.info?.token ?? `mtime ${cur.mtimeMs}`) : '';
    if (watched.key !== key) Object.assign(watched, { key, since: now });
    if (cur && isStale(cur, staleMs, now, now - watched.since)) {
      breakStale(lockPath, cur.info);
      continue;
    }
    if (now - start > timeoutMs) {
      throw new Error(
        `the database is busy: ${holderOf(lockPath, cur, now)}; gave up after ${timeoutMs < 10_000 ? (timeoutMs / 1000).toFixed(1) : Math.round(timeoutMs / 1000)} s. If that process is gone, delete the lock file.`,
      );
    }
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 50);
  }
}
