// An exclusive lock file beside the database, held only while a process writes the file.
// Created with O_EXCL ('wx'), so exactly one process holds it; a lock whose owner died (same host, pid gone) or that
// is older than `staleMs` is broken. Each holder writes a random token, so a process never removes another's lock.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { pidAlive } from './file';

export interface LockOptions {
  /** Give up after this long (default 15 s). */
  timeoutMs?: number;
  /** A lock older than this is considered abandoned (default 20 s; a save takes well under a second). */
  staleMs?: number;
}

interface LockInfo { pid: number; host: string; time: number; token: string }

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

function isStale(l: { info: LockInfo | null; mtimeMs: number }, staleMs: number, now: number): boolean {
  const age = now - (l.info?.time ?? l.mtimeMs);
  if (age > staleMs) return true;
  if (!l.info) return now - l.mtimeMs > 2000; // unreadable for 2 s: its writer died between create and write
  if (l.info.host === os.hostname() && l.info.pid !== process.pid && !pidAlive(l.info.pid)) return true;
  return false;
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

/** Waits for the lock; returns the function that releases it. */
export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<() => void> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const staleMs = opts.staleMs ?? 20_000;
  const token = crypto.randomBytes(12).toString('hex');
  const start = Date.now();
  let wait = 2;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      try {
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), time: Date.now(), token } satisfies LockInfo));
      } finally {
        fs.closeSync(fd);
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
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new Error(`cannot create the lock file ${lockPath}: ${(e as Error).message}`);
    }
    const cur = readLock(lockPath);
    if (cur && isStale(cur, staleMs, Date.now())) {
      breakStale(lockPath, cur.info);
      continue;
    }
    if (Date.now() - start > timeoutMs) {
      const who = cur?.info ? `process ${cur.info.pid} on ${cur.info.host}` : 'another process';
      throw new Error(`the database is busy: ${who} has held ${lockPath} for over ${Math.round(timeoutMs / 1000)} s`);
    }
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 50);
  }
}
