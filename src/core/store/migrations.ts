// Numbered schema migrations. PRAGMA user_version holds the number of the last one applied; an older file is
// upgraded in place when it is opened. Never edit a released migration: add a new one.
import type { Database } from 'sql.js';
import { dayKey, dayStart } from './days';
import { RESERVATIONS_SCHEMA } from './reservations';

/** Schema 1: the first released layout (kept verbatim: tests build a version-1 file from it). */
export const SCHEMA_V1 = `
CREATE TABLE decisions (
  id TEXT PRIMARY KEY,
  time INTEGER NOT NULL,
  tier INTEGER NOT NULL,
  tier_id TEXT NOT NULL,
  model TEXT NOT NULL,
  score REAL NOT NULL,
  complexity TEXT NOT NULL,
  category TEXT NOT NULL,
  confidence REAL NOT NULL,
  reasons TEXT NOT NULL,
  est_input_tokens INTEGER NOT NULL,
  est_cost_usd REAL,
  baseline_est_cost_usd REAL,
  override TEXT,
  adjustments TEXT NOT NULL,
  high_stakes INTEGER NOT NULL,
  blocked INTEGER NOT NULL,
  strategy TEXT NOT NULL,
  source TEXT NOT NULL,
  prompt TEXT,
  answered_model TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cache_write_tokens INTEGER,
  cache_read_tokens INTEGER,
  cost_usd REAL,
  baseline_cost_usd REAL,
  latency_ms INTEGER,
  ttft_ms INTEGER,
  status TEXT NOT NULL,
  error TEXT,
  parent_id TEXT
);
CREATE INDEX decisions_time ON decisions(time);
CREATE TABLE feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uid TEXT NOT NULL UNIQUE,
  decision_id TEXT NOT NULL,
  thumb TEXT,
  auto_quality REAL,
  signals TEXT,
  time INTEGER NOT NULL
);
CREATE INDEX feedback_decision ON feedback(decision_id);
CREATE TABLE adjustments (
  id TEXT PRIMARY KEY,
  complexity TEXT NOT NULL,
  category TEXT NOT NULL,
  kind TEXT NOT NULL,
  tier INTEGER NOT NULL,
  reason TEXT NOT NULL,
  evidence TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  reverted_at INTEGER
);
CREATE TABLE budget (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  daily_limit_usd REAL,
  monthly_limit_usd REAL,
  on_exhausted TEXT NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** What one decision row adds to its daily aggregate row; `R` is NEW or OLD, `s` is +1 or -1. */
function contribution(R: string, s: string): string[] {
  return [
    `${R}.day`,
    `${R}.day_start`,
    `${R}.tier`,
    `COALESCE(${R}.answered_model, ${R}.model)`,
    `${s}`,
    `${s} * (${R}.status IN ('ok', 'error') OR (${R}.status = 'cancelled' AND ${R}.input_tokens IS NOT NULL))`,
    `${s} * (${R}.cost_usd IS NOT NULL)`,
    `${s} * IFNULL(${R}.cost_usd, 0)`,
    `${s} * (CASE WHEN ${R}.cost_usd IS NULL THEN 0 ELSE IFNULL(${R}.baseline_cost_usd, ${R}.cost_usd) END)`,
    `${s} * (${R}.cost_usd IS NULL AND ${R}.input_tokens IS NOT NULL)`,
    `${s} * IFNULL(${R}.input_tokens, 0)`,
    `${s} * IFNULL(${R}.output_tokens, 0)`,
    `${s} * IFNULL(${R}.cache_write_tokens, 0)`,
    `${s} * IFNULL(${R}.cache_read_tokens, 0)`,
    `${s} * (${R}.thumb IS 'up')`,
    `${s} * (${R}.thumb IS 'down')`,
    `${s} * IFNULL(${R}.auto_quality, 0)`,
    `${s} * (${R}.auto_quality IS NOT NULL)`,
  ];
}

export const DAILY_SUMS = [
  'decisions',
  'requests',
  'priced',
  'spend',
  'baseline',
  'unpriced',
  'in_tok',
  'out_tok',
  'cw_tok',
  'cr_tok',
  'up',
  'down',
  'auto_sum',
  'auto_n',
] as const;
const DAILY_COLS = ['day', 'day_start', 'tier', 'model', ...DAILY_SUMS];

/** The aggregate of detailed rows, in the same shape as `daily` (used for partial days). */
export const DETAIL_AGGREGATE = `SELECT day, MIN(day_start) AS day_start, tier, COALESCE(answered_model, model) AS model, ${contribution(
  'd',
  '1',
)
  .slice(4)
  .map((e, i) => `SUM(${e}) AS ${DAILY_SUMS[i]}`)
  .join(', ')} FROM decisions d`;

function upsertDaily(R: string, s: string): string {
  return `INSERT INTO daily (${DAILY_COLS.join(', ')}) VALUES (${contribution(R, s).join(', ')})
    ON CONFLICT(day, tier, model) DO UPDATE SET ${DAILY_SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};`;
}

type Migration = (db: Database) => void;

export const MIGRATIONS: Migration[] = [
  // 1: base tables
  (db) => db.exec(SCHEMA_V1),
  // 2: daily aggregates kept by triggers (fast statistics; retention folds old rows into them), the latest thumb
  //    and automatic quality on each decision, the local day of each decision.
  (db) => {
    db.exec(`
      ALTER TABLE decisions ADD COLUMN day TEXT;
      ALTER TABLE decisions ADD COLUMN day_start INTEGER;
      ALTER TABLE decisions ADD COLUMN thumb TEXT;
      ALTER TABLE decisions ADD COLUMN auto_quality REAL;
    `);
    // Local days are computed here (the user's time zone), not by SQLite.
    const rows = db.exec('SELECT id, time FROM decisions')[0]?.values ?? [];
    if (rows.length) {
      const st = db.prepare('UPDATE decisions SET day = ?, day_start = ? WHERE id = ?');
      for (const [id, time] of rows) st.run([dayKey(Number(time)), dayStart(Number(time)), id]);
      st.free();
    }
    db.exec(`
      UPDATE decisions SET
        thumb = (SELECT f.thumb FROM feedback f WHERE f.decision_id = decisions.id AND f.thumb IS NOT NULL ORDER BY f.id DESC LIMIT 1),
        auto_quality = (SELECT f.auto_quality FROM feedback f WHERE f.decision_id = decisions.id AND f.auto_quality IS NOT NULL ORDER BY f.id DESC LIMIT 1);
      CREATE TABLE daily (
        day TEXT NOT NULL,
        day_start INTEGER NOT NULL,
        tier INTEGER NOT NULL,
        model TEXT NOT NULL,
        ${DAILY_SUMS.map((c) => `${c} ${c === 'spend' || c === 'baseline' || c === 'auto_sum' ? 'REAL' : 'INTEGER'} NOT NULL DEFAULT 0`).join(',\n        ')},
        PRIMARY KEY (day, tier, model)
      );
      CREATE INDEX daily_day_start ON daily(day_start);
      INSERT INTO daily (${DAILY_COLS.join(', ')}) ${DETAIL_AGGREGATE} GROUP BY day, tier, COALESCE(answered_model, model);
      CREATE TRIGGER decisions_daily_insert AFTER INSERT ON decisions BEGIN ${upsertDaily('NEW', '1')} END;
      CREATE TRIGGER decisions_daily_update AFTER UPDATE ON decisions BEGIN ${upsertDaily('OLD', '-1')} ${upsertDaily('NEW', '1')} END;
      CREATE TRIGGER feedback_latest AFTER INSERT ON feedback BEGIN
        UPDATE decisions SET thumb = COALESCE(NEW.thumb, thumb), auto_quality = COALESCE(NEW.auto_quality, auto_quality)
          WHERE id = NEW.decision_id;
      END;
    `);
  },
  // 3: the newest-first listing (ORDER BY time DESC, id DESC: the panel's recent decisions, export, the CLI) read
  //    straight from an index. With only decisions(time), SQLite's planner picks a full scan and a sort for small
  //    limits: listDecisions({ limit: 1 }) took ~75 ms on 100,000 rows, ~0.1 ms with this index. decisions_time
  //    stays: retention's ORDER BY time, rowid and COUNT(*) use it.
  (db) => db.exec('CREATE INDEX IF NOT EXISTS decisions_time_id ON decisions(time, id)'),
  // 4 (features): tags on a decision — the workflow run and step it belongs to, the A/B experiment and arm that
  //    routed it, and the workspace it came from (folder name and a stable hash id, never a path). All NULL on
  //    older rows. Indexed where a listing filters by them (a run's steps, an experiment's arms, a workspace's spend),
  //    and the rated decisions by time (the bad-ratings alert reads only those, after every change).
  (db) =>
    db.exec(`
    ALTER TABLE decisions ADD COLUMN workflow_id TEXT;
    ALTER TABLE decisions ADD COLUMN workflow_step TEXT;
    ALTER TABLE decisions ADD COLUMN experiment_id TEXT;
    ALTER TABLE decisions ADD COLUMN experiment_arm TEXT;
    ALTER TABLE decisions ADD COLUMN workspace_name TEXT;
    ALTER TABLE decisions ADD COLUMN workspace_id TEXT;
    CREATE INDEX decisions_workflow ON decisions(workflow_id) WHERE workflow_id IS NOT NULL;
    CREATE INDEX decisions_experiment ON decisions(experiment_id, experiment_arm) WHERE experiment_id IS NOT NULL;
    CREATE INDEX decisions_workspace ON decisions(workspace_id, time) WHERE workspace_id IS NOT NULL;
    CREATE INDEX decisions_rated ON decisions(time) WHERE thumb IS NOT NULL;
  `),
  // 5: budget reservations shared by every process (reservations.ts): the worst case of each call in flight, its
  //    process and heartbeat. Calls left pending by an older version (no reservation names their process) are
  //    marked interrupted: their cost is unknown; a process of that version still answering one records it after all.
  (db) =>
    db.exec(`${RESERVATIONS_SCHEMA}
    UPDATE decisions SET status = 'interrupted', error = 'interrupted: the answer was never recorded (left pending by an earlier version)'
      WHERE status = 'pending';`),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  return Number(db.exec('PRAGMA user_version')[0].values[0][0]);
}

/** Applies the missing migrations, each in its own transaction; returns how many ran. */
export function migrate(db: Database): number {
  const from = schemaVersion(db);
  if (from === 0) {
    const tables =
      db.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")[0]?.values ?? [];
    if (tables.length) {
      throw new Error(
        `it is an SQLite database of another program (tables: ${tables
          .slice(0, 5)
          .map((t) => t[0])
          .join(', ')}), not an LLM Router database`,
      );
    }
  }
  for (let v = from; v < MIGRATIONS.length; v++) {
    db.exec('BEGIN');
    try {
      MIGRATIONS[v](db);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw new Error(`upgrading the database to schema ${v + 1} failed: ${(e as Error).message}`);
    }
  }
  return Math.max(0, MIGRATIONS.length - from);
}
