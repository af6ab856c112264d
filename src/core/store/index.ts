// The decision store: `openStore({ path })` opens, creates or upgrades the database file.
//
// How it works (details in the files named):
// - sqlite.ts    the store's API over sql.js: the whole database lives in memory. Every change is applied at once,
//                kept in the in-memory figures the pre-call path reads (hot.ts) and journalled (journal.ts). Rows
//                and records: columns.ts; statements and the burst transaction: conn.ts; WHERE clauses: filter.ts.
// - persist.ts   a save (debounced, `debounceMs`, default 250 ms; `flush()` on demand; `close()` flushes) takes the
//                lock, re-reads the file if another process saved since, replays the journal onto it, writes
//                atomically. `refresh()` loads what other processes saved (and fires onDidChange). load.ts opens a
//                file's bytes (checks, upgrade).
// - persist-background.ts  with `saveInBackground` (the extension host) the lock is taken here and the merge, export
//                and write run in a worker thread (background.ts, background-worker.ts = dist/store-saver.js).
// - file.ts      temp file + fsync + rename; our generation counter in the SQLite header tells a changed file;
//                header checks for truncation; damaged files are renamed `<name>.corrupt-<YYYYMMDD-HHMMSS>.sqlite`
//                and the user is told through `onNotice`.
// - lock.ts      `<db>.lock`, created exclusively, held only while writing; a dead or stuck holder is broken.
// - migrations.ts numbered migrations in PRAGMA user_version; triggers keep `daily` aggregates (day × tier × model).
// - stats.ts     statistics from `daily` for whole local days + detailed rows for partial days: fast at any size.
// - retention.ts `retention: { maxRows, maxDays }` deletes old detailed rows; `daily` already counts them.
import type { DecisionStore, StoreOptions } from './api';
import { SqlJsStore } from './sqlite';
import { loadSqlJs } from './wasm';

export type * from './api';

export async function openStore(opts: StoreOptions): Promise<DecisionStore> {
  if (!opts || typeof opts.path !== 'string' || !opts.path)
    throw new TypeError('openStore: a database path is required');
  const SQL = await loadSqlJs();
  const store = new SqlJsStore(SQL, opts);
  await store.init();
  return store;
}
