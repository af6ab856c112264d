// Opening the bytes of a database file: header checks, an integrity check, the schema upgrade, and a check that the
// schema has every table and column this version reads (a newer one is opened read-only, a broken one refused).
import type { Database, SqlJsStatic } from 'sql.js';
import { headerProblem } from './file';
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion } from './migrations';

export interface Loaded {
  db?: Database;
  /** A migration ran: the file must be written back. */
  migrated?: boolean;
  /** The schema number, when a newer LLM Router wrote the file: it is read, never written. */
  newer?: number;
  /** Why there is no `db`. */
  problem?: string;
  /** The file is readable but must be left alone (another program's, a broken schema, a failed upgrade). */
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
      if (res.length !== 1 || res[0] !== 'ok')
        throw new Error(`the database is damaged (${res.slice(0, 3).join('; ')})`);
    }
  } catch (e) {
    db?.close();
    return { problem: (e as Error).message };
  }
  // A readable database that cannot be used as it is (another program's file, a failed migration, a broken schema)
  // is never set aside as damaged: the caller reports it and leaves the file alone.
  try {
    const version = schemaVersion(db);
    const newer = version > SCHEMA_VERSION ? version : undefined;
    const migrated = newer === undefined && migrate(db) > 0;
    const missing = missingSchema(SQL, db);
    if (missing) {
      throw new Error(
        `its schema is broken (${missing}); the file was left as it is: move it away or choose another database file to start a new one`,
      );
    }
    return { db, migrated, newer };
  } catch (e) {
    db.close();
    return { problem: (e as Error).message, refuse: true };
  }
}

let expected: Map<string, string[]> | undefined;

/** The tables and columns of the current schema, from the migrations run on an empty database (once). */
function expectedSchema(SQL: SqlJsStatic): Map<string, string[]> {
  if (expected) return expected;
  const db = new SQL.Database();
  try {
    for (const m of MIGRATIONS) m(db);
    expected = tableColumns(db);
  } finally {
    db.close();
  }
  return expected;
}

function tableColumns(db: Database): Map<string, string[]> {
  const names =
    db.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")[0]?.values ?? [];
  const tables = new Map<string, string[]>();
  for (const [name] of names) {
    const cols = db.exec(`PRAGMA table_info("${String(name).replace(/"/g, '""')}")`)[0]?.values ?? [];
    tables.set(
      String(name),
      cols.map((c) => String(c[1])),
    );
  }
  return tables;
}

/** What of the current schema `db` lacks (the first few missing tables or columns), or null when nothing. */
function missingSchema(SQL: SqlJsStatic, db: Database): string | null {
  const have = tableColumns(db);
  const missing: string[] = [];
  for (const [table, cols] of expectedSchema(SQL)) {
    const got = have.get(table);
    if (!got) missing.push(`there is no table ${table}`);
    else for (const c of cols) if (!got.includes(c)) missing.push(`the table ${table} has no column ${c}`);
  }
  if (!missing.length) return null;
  return missing.length > 3 ? `${missing.slice(0, 3).join('; ')}; and ${missing.length - 3} more` : missing.join('; ');
}
