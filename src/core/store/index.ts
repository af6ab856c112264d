// The decision store: `openStore({ path })` opens (or creates, or upgrades) the database file.
import { SqlJsStore } from './sqlite';
import type { DecisionStore, StoreOptions } from './api';
import { loadSqlJs } from './wasm';

export type * from './api';

export async function openStore(opts: StoreOptions): Promise<DecisionStore> {
  if (!opts || typeof opts.path !== 'string' || !opts.path) throw new TypeError('openStore: a database path is required');
  const SQL = await loadSqlJs();
  const store = new SqlJsStore(SQL, opts);
  await store.init();
  return store;
}
