// The holds file beside the database (`<db>.holds`): the worst cases of the calls in flight in every process. It is
// small (a line per call under way), so writing it before a call leaves costs a small fsync whatever the size of
// the database. Only ever changed under the database's lock; written to a temporary file and renamed over, so a
// reader never sees half of it.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DecisionRecord } from '../types';
import type { Reservation } from './api';

/** A call under way: its reservation, and its record (without the prompt) for the row to write if it is interrupted. */
export interface LiveHold extends Omit<Reservation, 'state'> {
  record: DecisionRecord | null;
}

export const holdsPath = (db: string): string => `${db}.holds`;

function isHold(h: unknown): h is LiveHold {
  const x = h as LiveHold;
  return (
    !!x &&
    typeof x.id === 'string' &&
    typeof x.usd === 'number' &&
    Number.isFinite(x.usd) &&
    typeof x.time === 'number' &&
    typeof x.pid === 'number' &&
    typeof x.host === 'string' &&
    typeof x.heartbeat === 'number'
  );
}

/** The holds in the file, and its modification time (0: no file). A damaged file holds nothing readable. */
export function readHolds(file: string): { holds: LiveHold[]; mtimeMs: number } {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { holds: [], mtimeMs: 0 };
    throw e;
  }
  try {
    const v = JSON.parse(text) as { holds?: unknown[] };
    return { holds: (v.holds ?? []).filter(isHold), mtimeMs };
  } catch {
    return { holds: [], mtimeMs };
  }
}

/** The file's modification time now (0: no file). */
export function holdsMtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Replaces the file with `holds` (removes it when there are none): temporary file, fsync, rename. */
export function writeHolds(file: string, holds: LiveHold[]): void {
  if (!holds.length) {
    fs.rmSync(file, { force: true });
    return;
  }
  const tmp = path.join(
    path.dirname(file),
    `${path.basename(file)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`,
  );
  try {
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify({ holds }));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
