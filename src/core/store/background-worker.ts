// The worker thread of background.ts: a copy of the database that receives the main thread's changes and saves them
// exactly as persist.ts does on one thread (merge, retention, atomic write), while the main thread holds the lock
// (persist-background.ts). Requests are handled one at a time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest, WorkerStart } from './background';
import { Conn } from './conn';
import { readFile, ReadOnlyError, readOnlyProblem, sameState, type FileState } from './file';
import { applyOp, type Op } from './journal';
import { loadDatabase } from './load';
import { Persistence } from './persist';
import { loadSqlJs } from './wasm';

class WorkerPersistence extends Persistence {
  /** Loads the file as it is now; true when it differs from `base` (what the main thread has). */
  attach(file: string, base: FileState | null): boolean {
    this.file = file;
    this.lockPath = `${file}.lock`;
    const r = readFile(file);
    if (!r || r.bytes.length === 0) return base !== null;
    const loaded = loadDatabase(this.SQL, r.bytes, false);
    if (!loaded.db) throw new Error(`cannot use ${file}: ${loaded.problem}`);
    this.setDb(loaded.db);
    this.base = r.state;
    if (loaded.newer !== undefined) this.freeze(loaded.newer);
    return !sameState(r.state, base);
  }

  /** A change the main thread made, applied here and kept for the next save. */
  receive(op: Op): void {
    applyOp(this.conn, op);
    this.pending.push(op);
  }

  get state(): FileState | null {
    return this.base;
  }

  /** The save, the main thread holding the lock: merge, fold as of `now`, write; returns the bytes (null: nothing). */
  saveLocked(now: number): Uint8Array | null {
    const started = performance.now();
    this.conn.commit();
    if (!this.pending.length && !this.needsWrite) return null;
    if (this.syncWithFile(true)) this.hooks.merged(); // the main thread gets the database back
    const refusal = this.frozen ?? readOnlyProblem(this.file);
    if (!refusal) return this.write(started, now);
    this.refuseSave(refusal);
    return null;
  }

  /** What `refresh` loads, as the bytes of the database (null: nothing changed). */
  refreshHere(): Uint8Array | null {
    this.conn.commit();
    return this.syncWithFile(false) ? this.conn.db.export() : null;
  }
}

function portOf(p: MessagePort | null): MessagePort {
  if (!p) throw new Error('background-worker.ts runs as a worker thread');
  return p;
}
const port = portOf(parentPort);
const post = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/**
 * Lowers this thread's CPU priority, so that on a busy machine a save (~250 ms of CPU at 100,000 decisions) takes
 * its turns after the main thread's event loop rather than from it. On Linux a thread's id is a pid to setpriority
 * and changes that thread alone; elsewhere (no /proc/thread-self) the save runs at the process's priority.
 */
function lowerPriority(): void {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0 && tid !== process.pid) os.setPriority(tid, Math.min(19, os.getPriority(tid) + 10));
  } catch {
    // not Linux, or not allowed: nothing changes
  }
}

async function main(start: WorkerStart): Promise<void> {
  lowerPriority();
  const SQL = await loadSqlJs();
  const conn = new Conn(new SQL.Database());
  /** The main thread lacks something this copy has (another process's rows, a newer file): send the database back. */
  let behind = false;
  // Retention folds the main thread's copy too, as of the same moment (see persist.ts): a fold alone leaves it alike.
  const persist = new WorkerPersistence(
    SQL,
    conn,
    { path: start.file, debounceMs: 0, retention: start.retention },
    {
      invalidate: () => undefined,
      merged: () => (behind = true),
      renumbered: () => (behind = true),
      notice: (message, readOnly) => post({ type: 'notice', message, readOnly: !!readOnly }),
    },
  );
  behind = false;
  behind = persist.attach(start.file, start.base);
  // One export now, while nothing waits: it grows this thread's memory to what a save needs. Growing it stalls every
  // thread of the process for a moment (measured: ~240 ms at 100,000 decisions on a loaded machine), which would
  // otherwise land on the first save, in the middle of requests.
  conn.db.export();
  const handle = async (req: WorkerRequest): Promise<void> => {
    const started = performance.now();
    try {
      let bytes: Uint8Array | null;
      if (req.type === 'save') {
        conn.transaction(() => req.ops.forEach((op) => persist.receive(op)));
        const written = persist.saveLocked(req.now);
        bytes = behind ? (written ?? conn.db.export()) : null;
      } else {
        bytes = persist.refreshHere();
      }
      behind = false;
      const transfer = bytes ? [bytes.buffer as ArrayBuffer] : [];
      post({ id: req.id, type: 'done', state: persist.state, bytes, ms: performance.now() - started }, transfer);
    } catch (e) {
      post({
        id: req.id,
        type: 'failed',
        message: (e as Error).message,
        refusal: e instanceof ReadOnlyError ? e.refusal : null,
      });
    }
  };
  let chain = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    chain = chain.then(() => handle(req));
  });
  post({ type: 'ready' });
}

main(workerData as WorkerStart).catch((e: Error) => {
  // background.ts sees the worker exit and saves on the main thread instead.
  process.stderr.write(`llm-router: the background save worker could not start: ${e.message}\n`);
  process.exit(1);
});
