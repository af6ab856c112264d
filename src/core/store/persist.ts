// Keeping the in-memory database and the file in step, with other processes sharing the file.
//
// Every change is applied to the in-memory database AND kept in a journal of unsaved operations (journal.ts). A save
// takes the lock file, and if the file changed since this process last read it, loads the new file, replays the
// journal onto it, writes it atomically and releases the lock. So no process overwrites another's rows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import type { Conn } from './conn';
import {
  atomicWrite,
  backupName,
  pidAlive,
  readFile,
  readOnlyProblem,
  ReadOnlyError,
  removeDeadTemps,
  resolveLinks,
  sameState,
  stampGeneration,
  statFile,
  type FileState,
  type Refusal,
} from './file';
import { applyOp, type Op } from './journal';
import { loadDatabase } from './load';
import { acquireLock } from './lock';
import { SCHEMA_VERSION, migrate } from './migrations';
import { foldRetained, type Retention } from './retention';
import { WriterGone, type BackgroundWriter } from './background';

export interface PersistOptions {
  /** Absolute path of the database file. */
  path: string;
  debounceMs: number;
  retention?: Retention;
}

export interface PersistHooks {
  /** The database was replaced or reshaped (a new file, another process's rows, retention): forget cached reads. */
  invalidate(): void;
  /** A save brought in rows from another process. */
  merged(): void;
  /** A VACUUM rewrote the database (rows may be renumbered): another copy of it no longer matches row for row. */
  renumbered?(): void;
  /** A message a person should see (`readOnly`: the file may not be written; said once). */
  notice(message: string, readOnly?: boolean): void;
}

export class Persistence {
  /** The file saves replace: the database path with symbolic links followed. */
  private file: string;
  private lockPath: string;
  /** Why this database is never written (a newer schema), or null. */
  private frozen: Refusal | null = null;
  /** The read-only message the person has already been shown. */
  private toldReadOnly = '';
  private base: FileState | null = null;
  private pending: Op[] = [];
  /** A change that is not in the journal (a migration, a new file) still has to be written. */
  private needsWrite = false;
  private timer: NodeJS.Timeout | null = null;
  private saveChain: Promise<void> = Promise.resolve();
  private closed = false;
  private lastSaveError = '';
  /** How long the last save took (ms): spaces saves out when they are slow. */
  private lastSaveMs = 0;
  /** Saves made by a worker thread (background.ts); null: saves run on this thread. */
  private background: BackgroundWriter | null = null;
  /** How many of `pending` the background writer already has. */
  private sent = 0;

  constructor(
    private readonly SQL: SqlJsStatic,
    private readonly conn: Conn,
    private readonly opts: PersistOptions,
    private readonly hooks: PersistHooks,
  ) {
    this.file = opts.path;
    this.lockPath = `${opts.path}.lock`;
  }

  // ---------------------------------------------------------------- opening

  /** Loads the file (upgrading it, or setting a damaged one aside), or starts a new database; writes if needed. */
  async open(): Promise<void> {
    const file = resolveLinks(this.opts.path);
    this.file = file;
    this.lockPath = `${file}.lock`;
    const readOnly = readOnlyProblem(file);
    if (readOnly) this.tellReadOnly(readOnly.notice);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    removeDeadTemps(file, pidAlive);
    for (let attempt = 0; ; attempt++) {
      const r = readFile(file);
      if (!r || r.bytes.length === 0) break; // new (or empty) file: start fresh
      const loaded = loadDatabase(this.SQL, r.bytes, true);
      if (loaded.db) {
        this.setDb(loaded.db);
        this.base = r.state;
        if (loaded.migrated) this.needsWrite = true;
        if (loaded.newer !== undefined) this.freeze(loaded.newer);
        break;
      }
      if (loaded.refuse) throw new Error(`cannot use ${file}: ${loaded.problem}`);
      // Not a valid database: set it aside (under the lock, and only if nobody replaced it meanwhile).
      const release = await acquireLock(this.lockPath);
      try {
        if (!sameState(statFile(file), r.state)) {
          if (attempt < 3) continue;
        } else {
          this.setAside(loaded.problem ?? 'unreadable');
        }
      } finally {
        release();
      }
      break;
    }
    if (!this.base) this.startNew();
    if (this.opts.retention && !this.frozen && this.fold() > 0) this.needsWrite = true;
    if (this.needsWrite) await this.flush();
  }

  private startNew(): void {
    this.setDb(new this.SQL.Database());
    // 16 KiB pages: a third of the insert time and half the export time of 4 KiB pages (measured).
    // Incremental auto-vacuum: pages freed by retention are given back at each save, so the file stays small.
    this.conn.exec('PRAGMA page_size = 16384; PRAGMA auto_vacuum = INCREMENTAL;');
    migrate(this.conn.db);
    this.needsWrite = true;
  }

  private setDb(db: Database): void {
    const old = this.conn.use(db);
    if (old !== db) old.close();
    this.hooks.invalidate();
  }

  /** A newer LLM Router wrote the file: it is read, and never written by this version. */
  private freeze(version: number): void {
    const newer = `was written by a newer LLM Router (schema ${version}; this version knows schema ${SCHEMA_VERSION})`;
    this.frozen = {
      notice: `The routing database ${this.file} ${newer}. It is opened read-only and nothing is saved in it: update LLM Router to record decisions there, or use another database file.`,
      error: `not saved: the routing database ${this.file} ${newer} and this version never writes it. Update LLM Router, or use another database file.`,
    };
    this.tellReadOnly(this.frozen.notice);
  }

  private setAside(problem: string): void {
    const file = this.file;
    const backup = backupName(file);
    fs.renameSync(file, backup);
    this.base = null;
    this.needsWrite = true;
    this.hooks.notice(
      `The routing database ${file} could not be read (${problem}). It was kept as ${backup} and a new database was started.`,
    );
  }

  /** Folds rows beyond the retention cap (see retention.ts) as of `now`; returns how many. */
  private fold(now = Date.now(), compact = true): number {
    const { folded, renumbered } = foldRetained(this.conn, this.opts.retention, now, compact);
    if (folded > 0) this.hooks.invalidate(); // folding moves the boundary between detailed rows and whole days
    if (renumbered) this.hooks.renumbered?.();
    return folded;
  }

  // ---------------------------------------------------------------- journal and saves

  /** An operation already applied here, to be written by the next save. */
  journal(op: Op): void {
    this.pending.push(op);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    // A save rewrites the whole file; under a steady stream of writes, keep saves to about a quarter of the time.
    const delay = Math.max(this.opts.debounceMs, Math.min(5000, this.lastSaveMs * 3));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.enqueueSave().then(
        () => {
          this.lastSaveError = '';
        },
        (e: Error) => this.saveFailed(e),
      );
    }, delay);
  }

  /** Tells the person once per distinct failure, and tries again in 2 s. */
  private saveFailed(e: Error): void {
    if (e instanceof ReadOnlyError) {
      // Said once; the next change tries again (the file may have been made writable meanwhile).
      this.tellReadOnly(e.refusal.notice);
      return;
    }
    if (e.message !== this.lastSaveError) {
      this.lastSaveError = e.message;
      this.hooks.notice(`Could not save the routing database ${this.file}: ${e.message}. Will retry.`);
    }
    if (!this.closed && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, 2000);
    }
  }

  private enqueueSave(): Promise<void> {
    const p = this.saveChain.then(() => this.saveNow());
    this.saveChain = p.catch(() => undefined);
    return p;
  }

  /**
   * If the file changed since we last read it, loads it and replays our unsaved changes onto it.
   * With `underLock`, a file that is not a database is set aside; without, it is left for the next save.
   */
  private syncWithFile(underLock: boolean): boolean {
    const file = this.file;
    const st = statFile(file);
    if (!st || sameState(st, this.base)) return false;
    const r = readFile(file);
    if (!r || r.bytes.length === 0) return false;
    const loaded = loadDatabase(this.SQL, r.bytes, false);
    if (!loaded.db) {
      if (loaded.refuse) throw new Error(`cannot use ${file}: ${loaded.problem}`);
      if (underLock) this.setAside(loaded.problem ?? 'unreadable');
      return false;
    }
    if (loaded.newer !== undefined) {
      // Another process, a newer LLM Router, upgraded the file: keep what we have, and never write over it.
      loaded.db.close();
      this.base = r.state;
      this.freeze(loaded.newer);
      return false;
    }
    this.swapIn(loaded.db);
    this.base = r.state;
    return true;
  }

  /** Uses `fresh` from now on, with the unsaved changes replayed onto it (the old one is kept if that fails). */
  private swapIn(fresh: Database): void {
    this.conn.commit();
    const old = this.conn.use(fresh);
    this.hooks.invalidate();
    try {
      fresh.exec('BEGIN');
      for (const op of this.pending) applyOp(this.conn, op);
      fresh.exec('COMMIT');
    } catch (e) {
      this.conn.use(old);
      fresh.close();
      throw e;
    }
    old.close();
  }

  private async saveNow(): Promise<void> {
    this.conn.commit();
    if (!this.pending.length && !this.needsWrite) return;
    if (this.background) return this.saveInBackground(this.background);
    await this.saveHere();
  }

  /** The save itself, on this thread, folding as of `now`; returns what was written (null: nothing). */
  async saveHere(now = Date.now()): Promise<Uint8Array | null> {
    this.conn.commit();
    if (!this.pending.length && !this.needsWrite) return null;
    const refusal = this.frozen ?? readOnlyProblem(this.file);
    if (refusal) return this.refuseSave(refusal);
    let bytes: Uint8Array;
    const release = await acquireLock(this.lockPath);
    let fromOthers = false;
    const started = performance.now();
    try {
      // Everything from here to the write is synchronous: no change can slip in between.
      this.conn.commit();
      fromOthers = this.syncWithFile(true);
      if (this.frozen) return this.refuseSave(this.frozen);
      if (this.opts.retention) this.fold(now);
      bytes = this.conn.db.export();
      stampGeneration(bytes, ((this.base?.gen ?? 0) + 1) >>> 0 || 1);
      this.base = atomicWrite(this.file, bytes);
      this.pending = [];
      this.needsWrite = false;
      this.lastSaveMs = performance.now() - started;
    } finally {
      release();
    }
    if (fromOthers) this.hooks.merged();
    return bytes;
  }

  /** An upgrade or a fold of a file we may not write stays in memory; changes of this process are refused. */
  private refuseSave(reason: Refusal): null {
    this.needsWrite = false;
    if (this.pending.length) throw new ReadOnlyError(reason);
    return null;
  }

  private tellReadOnly(message: string): void {
    if (message === this.toldReadOnly) return;
    this.toldReadOnly = message;
    this.hooks.notice(message, true);
  }

  /** A notice from the background writer, told as if it came from here. */
  relay(message: string, readOnly: boolean): void {
    if (readOnly) this.tellReadOnly(message);
    else this.hooks.notice(message);
  }

  // ---------------------------------------------------------------- saving in a worker thread

  /** Hands saves to `writer` (already holding this database as of `base`); the caller made sure it may write. */
  useBackground(writer: BackgroundWriter): void {
    this.background = writer;
    this.sent = 0;
  }

  /** Where the background writer starts from: the file, the state this process read, and where it will stop. */
  get start(): { file: string; base: FileState | null; writable: boolean } {
    return { file: this.file, base: this.base, writable: !this.frozen && !readOnlyProblem(this.file) };
  }

  /**
   * Sends the changes the worker does not have yet and waits for its save. Retention folds both copies as of the same
   * moment, so they stay alike. The database the worker wrote comes back only when it holds more than this thread
   * knows (another process's rows, a new file): it is used from then on, with the changes made meanwhile replayed
   * onto it. If the worker is gone, this thread saves from now on; the changes stay in `pending` until written.
   */
  private async saveInBackground(writer: BackgroundWriter): Promise<void> {
    const upTo = this.pending.length;
    const ops = this.pending.slice(this.sent, upTo);
    this.sent = upTo;
    const now = Date.now();
    // Only the worker's copy is written, so only it gives freed pages back (that takes ~50 ms at 100k decisions).
    if (this.opts.retention && !this.frozen) this.fold(now, false);
    let r: Awaited<ReturnType<BackgroundWriter['save']>>;
    try {
      r = await writer.save(ops, now);
    } catch (e) {
      if (!(e instanceof WriterGone)) throw e;
      this.background = null;
      this.sent = 0;
      await this.saveHere();
      return;
    }
    this.pending = this.pending.slice(upTo);
    this.sent -= upTo;
    this.needsWrite = false;
    this.base = r.state;
    this.lastSaveMs = r.ms;
    if (r.bytes) {
      this.swapIn(new this.SQL.Database(r.bytes));
      this.hooks.merged();
    }
  }

  // ---------------------------------------------------------------- the worker thread's side

  /** In the worker: loads the file as it is now; true when it differs from `base` (what the main thread has). */
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

  /** In the worker: a change the main thread made, applied here and kept for the next save. */
  receive(op: Op): void {
    applyOp(this.conn, op);
    this.pending.push(op);
  }

  get state(): FileState | null {
    return this.base;
  }

  /** Loads what other processes saved; true when something changed. */
  async refresh(): Promise<boolean> {
    this.conn.commit();
    if (!this.background) return this.syncWithFile(false);
    try {
      const bytes = await this.background.refresh();
      if (bytes) this.swapIn(new this.SQL.Database(bytes));
      return bytes !== null;
    } catch (e) {
      if (!(e instanceof WriterGone)) throw e;
      this.background = null;
      this.sent = 0;
      return this.syncWithFile(false);
    }
  }

  /** In the worker: what `refresh` loads, as the bytes of the database (null: nothing changed). */
  refreshHere(): Uint8Array | null {
    this.conn.commit();
    return this.syncWithFile(false) ? this.conn.db.export() : null;
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.enqueueSave();
  }

  /** No more saves (the store is closing). */
  stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.background?.close();
    this.background = null;
  }
}
