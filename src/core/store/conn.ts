// The open sql.js database: cached prepared statements, queries, and the burst transaction.
// One place swaps the database underneath (a new file, another process's file merged in), so the statements of the
// old one are never used on the new one.
import type { Database, SqlValue, Statement } from 'sql.js';
import type { Query } from './stats';

/** Per-connection settings: the file is written whole by the store, so SQLite's own journal is not needed. */
const PRAGMAS =
  'PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;';

export class Conn implements Query {
  private current: Database;
  private stmts = new Map<string, Statement>();
  private inTxn = false;

  constructor(db: Database) {
    this.current = db;
    db.exec(PRAGMAS);
  }

  get db(): Database {
    return this.current;
  }

  /** Uses `db` from now on and returns the one used before (not closed: the caller decides). */
  use(db: Database): Database {
    this.freeStatements();
    const old = this.current;
    this.current = db;
    this.inTxn = false;
    db.exec(PRAGMAS);
    return old;
  }

  /** Frees the cached statements (before VACUUM, a swap, or closing). */
  freeStatements(): void {
    for (const s of this.stmts.values()) s.free();
    this.stmts.clear();
  }

  /** Resets every cached statement (after a statement-less bulk change, so none holds a stale cursor). */
  resetStatements(): void {
    this.stmts.forEach((s) => s.reset());
  }

  private stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.current.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  all(sql: string, params: SqlValue[] = []): SqlValue[][] {
    const s = this.stmt(sql);
    try {
      s.bind(params);
      const rows: SqlValue[][] = [];
      while (s.step()) rows.push(s.get());
      return rows;
    } finally {
      s.reset();
    }
  }

  /** Runs one statement; returns how many rows it changed. */
  run(sql: string, params: SqlValue[] = []): number {
    const s = this.stmt(sql);
    try {
      s.run(params);
    } finally {
      s.reset();
    }
    return this.current.getRowsModified();
  }

  exec(sql: string): void {
    this.current.exec(sql);
  }

  /** The number a `PRAGMA name` returns. */
  pragma(name: string): number {
    return Number(this.current.exec(`PRAGMA ${name}`)[0].values[0][0]);
  }

  /** Many changes in one synchronous burst share one transaction, committed right after the burst. */
  begin(): void {
    if (this.inTxn) return;
    this.current.exec('BEGIN');
    this.inTxn = true;
    queueMicrotask(() => this.commit());
  }

  commit(): void {
    if (!this.inTxn) return;
    this.inTxn = false;
    this.current.exec('COMMIT');
  }

  /** Runs `fn` in a transaction of its own (after committing the burst's), rolled back if it throws. */
  transaction<T>(fn: () => T): T {
    this.commit();
    this.current.exec('BEGIN');
    try {
      const r = fn();
      this.current.exec('COMMIT');
      return r;
    } catch (e) {
      this.current.exec('ROLLBACK');
      throw e;
    }
  }

  close(): void {
    this.freeStatements();
    this.current.close();
  }
}
