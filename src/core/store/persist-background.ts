// The main thread's side of saving in a worker thread (background.ts): the same Persistence, but a save hands the
// changes to the worker, which merges other processes' rows, folds, exports and writes the file while this thread's
// event loop goes on. The lock is taken here (persist.ts), so a save is one locked step as on one thread, and the
// holds file is written after the database under the same lock.
import { readOnlyProblem } from './file';
import { Persistence } from './persist';
import { BackgroundWriter, WriterGone } from './background';

export class BackgroundPersistence extends Persistence {
  /** Saves made by the worker thread; null: saves run on this thread (no worker, or it is gone). */
  private writer: BackgroundWriter | null = null;
  /** How many of `pending` the worker already has. */
  private sent = 0;
  /** A makeRoom to come (after a database was loaded). */
  private roomTimer: NodeJS.Timeout | null = null;

  /**
   * After `open`: starts the worker (it loads the file as of `base` itself). Not for a file this process may not
   * write, nor without a worker script (a build without it): then this thread saves.
   */
  startWorker(): void {
    if (this.frozen || readOnlyProblem(this.file) || !this.base) return;
    const writer = BackgroundWriter.start(
      { file: this.file, base: this.base, retention: this.opts.retention },
      (m, r) => this.relay(m, r),
    );
    if (!writer) return;
    this.writer = writer;
    this.sent = 0;
    this.mergesHere = false;
    this.makeRoom();
  }

  /**
   * Gives the in-memory file room to grow, while nothing waits. sql.js keeps the database in a memory file exactly
   * the size of the bytes it was opened from, and the first commit that adds a page copies the whole file into a new
   * buffer 12.5 % larger: ~40 ms at 100,000 decisions, on this thread, in the middle of requests (measured). Adding
   * a few pages now takes that copy here; the pages stay free for the rows that follow. This copy of the database is
   * not the one written (the worker's is), so the free pages cost no disk.
   */
  private makeRoom(): void {
    const pageSize = this.conn.pragma('page_size');
    const free = this.conn.pragma('freelist_count');
    if (free * pageSize > 8 * 1024 * 1024) return; // room enough: new rows take free pages for a long while
    try {
      this.conn.transaction(() => {
        this.conn.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, zeroblob(?))', [
          '~room',
          (free + 4) * pageSize,
        ]);
        this.conn.run('DELETE FROM meta WHERE key = ?', ['~room']);
      });
    } catch {
      // only an optimisation (rolled back): the first commit that grows the file then copies it, as before
    }
  }

  /**
   * A database from the file or the worker: room to grow for it too (see makeRoom), a moment later, so that its
   * copy is not added to the block that loading the database already is.
   */
  protected override swapIn(fresh: Parameters<Persistence['swapIn']>[0]): void {
    super.swapIn(fresh);
    if (!this.writer || this.roomTimer) return;
    this.roomTimer = setTimeout(() => {
      this.roomTimer = null;
      if (this.writer) this.makeRoom();
    }, 500);
    this.roomTimer.unref?.();
  }

  /** A notice from the worker, told as if it came from here. */
  relay(message: string, readOnly: boolean): void {
    if (readOnly) this.tellReadOnly(message);
    else this.hooks.notice(message);
  }

  /**
   * With the lock held (persist.ts), sends the changes the worker does not have yet and waits for it to write the
   * file. Retention folds both copies as of the same moment, so they stay alike. The database the worker wrote comes
   * back (true) only when it holds more than this thread knows (another process's rows, a new file): it is used from
   * then on, with the changes made meanwhile replayed onto it. If the worker is gone, this thread saves from now on;
   * the changes stay in `pending` until written.
   */
  protected override async writeFile(started: number): Promise<boolean> {
    const writer = this.writer;
    if (!writer) return super.writeFile(started);
    const upTo = this.pending.length;
    const ops = this.pending.slice(this.sent, upTo);
    this.sent = upTo;
    const now = Date.now();
    // Only the worker's copy is written, so only it gives freed pages back (that takes ~50 ms at 100k decisions).
    if (this.opts.retention) this.fold(now, false);
    let r: Awaited<ReturnType<BackgroundWriter['save']>>;
    try {
      r = await writer.save(ops, now);
    } catch (e) {
      if (!(e instanceof WriterGone)) throw e;
      this.dropWriter();
      // It may have written the file before it died: then that file is loaded and the journal replayed onto it.
      const fromOthers = this.syncWithFile(true);
      if (this.frozen) this.refuseSave(this.frozen);
      else this.write(started, now);
      return fromOthers;
    }
    this.pending = this.pending.slice(upTo);
    this.sent -= upTo;
    this.needsWrite = false;
    this.base = r.state;
    this.lastSaveMs = r.ms;
    if (r.bytes) this.swapIn(new this.SQL.Database(r.bytes));
    return r.bytes !== null;
  }

  private dropWriter(): void {
    this.writer = null;
    this.sent = 0;
    this.mergesHere = true;
  }

  /** Loads what other processes saved (the worker reads the file); true when something changed. */
  override async refresh(): Promise<boolean> {
    const writer = this.writer;
    if (!writer) return super.refresh();
    this.conn.commit();
    try {
      const { state, bytes } = await writer.refresh();
      if (!bytes) return false;
      this.swapIn(new this.SQL.Database(bytes));
      this.base = state;
      return true;
    } catch (e) {
      if (!(e instanceof WriterGone)) throw e;
      this.dropWriter();
      return super.refresh();
    }
  }

  override stop(): void {
    super.stop();
    if (this.roomTimer) clearTimeout(this.roomTimer);
    this.roomTimer = null;
    void this.writer?.close();
    this.writer = null;
  }
}
