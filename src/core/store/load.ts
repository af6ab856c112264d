// Opening the bytes of a database file: header checks, an integrity check, and the schema upgrade.
import type { Database, SqlJsStatic } from 'sql.js';
import { headerProblem } from './file';
import { migrate } from './migrations';

export interface Loaded {
  db?: Database;
  /** A migration ran: the file must be written back. */
  migrated?: boolean;
  /** Why there is no `db`. */
  problem?: string;
  /** The file is readable but must be left alone (another program's, or one that cannot be upgraded). */
  refuse?: boolean;
}

/** Opens `bytes` as a database (with `check`, also runs SQLite's quick integrity check) and upgrades its schema. */
export function loadDatabase(SQL: SqlJsStatic, bytes: Uint8Array, check: boolean): Loaded {
  const problem = headerProblem(bytes);
  if (problem) return { problem };
  let db: Database | undefined;
  try {
    db = new SQL.Database(bytes);
    if (check) {
      const res = db.exec('PRAGMA quick_check')[0]?.values.map((v) => String(v[0])) ?? [];
      if (res.length !== 1 || res[0] !== 'ok') throw new Error(`the database is damaged (${res.slice(0, 3).join('; ')})`);
    }
  } catch (e) {
    db?.close();
    return { problem: (e as Error).message };
  }
  try {
    const migrated = migrate(db) > 0;
    return { db, migrated };
  } catch (e) {
    // A readable database that cannot be upgraded (another program's file, or a failed migration) is never set
    // aside as damaged: the caller reports it and leaves the file alone.
    db.close();
    return { problem: (e as Error).message, refuse: true };
  }
}
