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
  /** The file was just written, the lock still held (files that must follow the database: the holds). */
  saved?(): void;
}

// Saving in a worker thread (background.ts) builds on this class: persist-background.ts on the main thread,
// background-worker.ts in the worker; hence the protected members.
export class Persistence {
  /** The file saves replace: the database path with symbolic links followed. */
  protected file: string;
  protected lockPath: string;
  /** Why this database is never written (a newer schema), or null. */
  protected frozen: Refusal | null = null;
  /** The read-only message the person has already been shown. */
  private toldReadOnly = '';
  protected base: FileState | null = null;
  protected pending: Op[] = [];
  /** A change that is not in the journal (a migration, a new file) still has to be written. */
  protected needsWrite = false;
  private timer: NodeJS.Timeout | null = null;
  private saveChain: Promise<void> = Promise.resolve();
  private closed = false;
  private lastSaveError = '';
  /** How long the last save took (ms): spaces saves out when they are slow. */
  protected lastSaveMs = 0;
  /** Saves load other processes' rows here before writing (false: a worker thread merges them, see writeFile). */
  protected mergesHere = true;

  constructor(
    protected readonly SQL: SqlJsStatic,
    protected readonly conn: Conn,
    protected readonly opts: PersistOptions,
    protected readonly hooks: PersistHooks,
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

  protected setDb(db: Database): void {
    const old = this.conn.use(db);
    if (old !== db) old.close();
    this.hooks.invalidate();
  }

  /** A newer LLM Router wrote the file: it is read, and never written by this version. */
  protected freeze(version: number): void {
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
  protected fold(now = Date.now(), compact = true): number {
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
  protected syncWithFile(underLock: boolean): boolean {
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
  protected swapIn(fresh: Database): void {
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

  /**
   * Runs `fn` with the lock held, on the file's latest content (other processes' rows merged in), and saves what
   * it changed before the lock is released: when this resolves, its changes are on disk and no other process
   * changed the file in between. A failed save rejects (the changes stay journalled for the next save).
   */
  exclusive<T>(fn: () => T): Promise<T> {
    let result: T;
    const p = this.saveChain
      .then(() =>
        this.saveNow(() => {
          result = fn();
        }, true),
      )
      .then(() => result);
    this.saveChain = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  /** Runs `fn` with the lock held, on the file's latest content, without writing the file. */
  locked<T>(fn: () => T): Promise<T> {
    let result: T;
    const p = this.saveChain
      .then(async () => {
        const release = await acquireLock(this.lockPath);
        let fromOthers = false;
        try {
          this.conn.commit();
          fromOthers = this.syncWithFile(true);
          result = fn();
          this.conn.commit();
        } finally {
          release();
        }
        if (fromOthers) this.hooks.merged();
      })
      .then(() => result);
    this.saveChain = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  private async saveNow(inside?: () => void, always = false): Promise<void> {
    this.conn.commit();
    if (!always && !this.pending.length && !this.needsWrite) return;
    const refusal = this.frozen ?? readOnlyProblem(this.file);
    if (refusal) return this.refuseSave(refusal);
    const release = await acquireLock(this.lockPath);
    let fromOthers = false;
    const started = performance.now();
    try {
      // Here, everything from this point to the write is synchronous: no change can slip in between. (A worker
      // merges other processes' rows itself; `inside` needs them on this thread, so then they are loaded here too.)
      this.conn.commit();
      if (this.mergesHere || inside) fromOthers = this.syncWithFile(true);
      if (this.frozen) return this.refuseSave(this.frozen);
      if (inside) {
        inside();
        this.conn.commit();
      }
      if (this.pending.length || this.needsWrite) {
        if (await this.writeFile(started)) fromOthers = true;
        this.afterWrite();
      }
    } finally {
      release();
    }
    if (fromOthers) this.hooks.merged();
  }

  /** Writes the file, the lock held; true when other processes' rows came in meanwhile (persist-background.ts). */
  protected writeFile(started: number): Promise<boolean> {
    this.write(started);
    return Promise.resolve(false);
  }

  /** Writes the file from this thread's copy, folding as of `now`; returns the bytes written. */
  protected write(started: number, now = Date.now()): Uint8Array {
    if (this.opts.retention) this.fold(now);
    const bytes = this.conn.db.export();
    stampGeneration(bytes, ((this.base?.gen ?? 0) + 1) >>> 0 || 1);
    this.base = atomicWrite(this.file, bytes);
    this.pending = [];
    this.needsWrite = false;
    this.lastSaveMs = performance.now() - started;
    return bytes;
  }

  /** The file was just written, the lock still held: the files that follow the database (the holds). */
  private afterWrite(): void {
    try {
      this.hooks.saved?.();
    } catch (e) {
      // The database is written; what follows it is tried again with the next save.
      this.hooks.notice(`Could not update ${this.file}.holds: ${(e as Error).message}. Will retry.`);
    }
  }

  /** An upgrade or a fold of a file we may not write stays in memory; changes of this process are refused. */
  protected refuseSave(reason: Refusal): void {
    this.needsWrite = false;
    if (this.pending.length) throw new ReadOnlyError(reason);
  }

  protected tellReadOnly(message: string): void {
    if (message === this.toldReadOnly) return;
    this.toldReadOnly = message;
    this.hooks.notice(message, true);
  }

  /** Loads what other processes saved; true when something changed. */
  refresh(): Promise<boolean> {
    this.conn.commit();
    return Promise.resolve(this.syncWithFile(false));
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
  }
}
