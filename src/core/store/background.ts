// Saving in a worker thread, so that the extension host's event loop never waits for a save: sql.js writes a save by
// exporting the whole database (~100 ms at 100,000 decisions) and the file is then written and fsynced.
//
// The worker keeps a copy of the database: it loads the file itself, receives every change this thread makes (the
// journal, see journal.ts), and runs the same save as persist.ts does on one thread: the lock, a merge of other
// processes' rows, retention, an atomic write. Only when its copy holds more than this thread knows (another
// process's rows, folded rows) does the database come back, as bytes this thread opens (a copy, ~10 ms). The changes
// stay journalled here until the worker says they are written, so if it dies this thread saves them itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ReadOnlyError, type FileState, type Refusal } from './file';
import type { Op } from './journal';
import type { Retention } from './retention';

/** The worker is gone (it failed to start or died): this thread saves from now on. */
export class WriterGone extends Error {
  override name = 'WriterGone';
}

export interface WorkerStart {
  file: string;
  base: FileState | null;
  retention?: Retention;
}

export type WorkerRequest = { id: number; type: 'save'; ops: Op[]; now: number } | { id: number; type: 'refresh' };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'notice'; message: string; readOnly: boolean }
  | { id: number; type: 'done'; state: FileState | null; bytes: Uint8Array | null; ms: number }
  | { id: number; type: 'failed'; message: string; refusal: Refusal | null };

/** The worker script: the bundle's (dist/store-saver.js beside this file) or, from source, the TypeScript one. */
function workerScript(): { file: string; eval: boolean } | null {
  const bundled = path.join(__dirname, 'store-saver.js');
  if (fs.existsSync(bundled)) return { file: bundled, eval: false };
  const source = path.join(__dirname, 'background-worker.ts');
  if (fs.existsSync(source)) {
    // Running from source (tsx): the worker registers the same loader before it loads the TypeScript file.
    return { file: `require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`, eval: true };
  }
  return null;
}

export class BackgroundWriter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private gone: Error | null = null;
  private readonly ready: Promise<void>;

  private constructor(
    script: { file: string; eval: boolean },
    start: WorkerStart,
    private readonly relay: (m: string, readOnly: boolean) => void,
  ) {
    this.worker = new Worker(script.file, { eval: script.eval, workerData: start });
    this.worker.unref(); // a store left open never keeps the process alive by its worker
    let started: () => void = () => undefined;
    let failed: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready') started();
      else if (m.type === 'notice') this.relay(m.message, m.readOnly);
      else this.settle(m);
    });
    const die = (e: Error) => {
      this.gone ??= new WriterGone(`the background save worker stopped: ${e.message}`);
      failed(this.gone);
      for (const w of this.waiting.values()) w.reject(this.gone);
      this.waiting.clear();
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`exit code ${code}`)));
  }

  /** A writer for `start`, or null when there is no worker script (a build without it). */
  static start(start: WorkerStart, relay: (m: string, readOnly: boolean) => void): BackgroundWriter | null {
    const script = workerScript();
    return script ? new BackgroundWriter(script, start, relay) : null;
  }

  private settle(m: Extract<WorkerReply, { id: number }>): void {
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    w.resolve(m);
  }

  private async request(req: WithoutId<WorkerRequest>): Promise<Extract<WorkerReply, { type: 'done' }>> {
    await this.ready;
    if (this.gone) throw this.gone;
    const id = this.nextId++;
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref(); // a save in flight keeps the process alive until it is written
      this.worker.postMessage({ ...req, id });
    }).finally(() => {
      if (!this.waiting.size) this.worker.unref();
    });
    if (reply.type === 'failed') throw reply.refusal ? new ReadOnlyError(reply.refusal) : new Error(reply.message);
    if (reply.type !== 'done') throw new Error(`unexpected reply ${reply.type} from the background save worker`);
    return reply;
  }

  /** Saves `ops` (the changes since the last request) with everything the worker already has, folding as of `now`. */
  async save(ops: Op[], now: number): Promise<{ state: FileState | null; bytes: Uint8Array | null; ms: number }> {
    const r = await this.request({ type: 'save', ops, now });
    return { state: r.state, bytes: r.bytes, ms: r.ms };
  }

  /** Loads what other processes saved: the database when something changed (else null), and the file's state. */
  async refresh(): Promise<{ state: FileState | null; bytes: Uint8Array | null }> {
    const r = await this.request({ type: 'refresh' });
    return { state: r.state, bytes: r.bytes };
  }

  async close(): Promise<void> {
    this.gone ??= new WriterGone('the store is closed');
    await this.worker.terminate();
  }
}
