// The decision store on sql.js: the whole database lives in memory, changes are batched and saved atomically.
//
// Several processes (two VS Code windows and the CLI) share one file. Every change is applied to the in-memory
// database AND kept in a journal of unsaved operations. A save takes the lock file, and if the file changed since
// this process last read it, loads the new file, replays the journal onto it (decisions are upserts by id,
// feedback has globally unique ids, adjustments are by id, budget and meta are last-writer-wins), writes it
// atomically and releases the lock. So no process overwrites another's rows.
import { redactSecrets } from '../redact';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import type { DecisionRecord, PromptStorage, RoutingAdjustment } from '../types';
import type {
  BudgetSettings, DecisionQuery, DecisionStore, FeedbackInput, FeedbackRow, QualitySample, Stats, StoreOptions,
} from './api';
import { dayKey, dayStart, nextDayStart } from './days';
import {
  atomicWrite, backupName, headerProblem, pidAlive, readFile, removeDeadTemps, sameState, stampGeneration, statFile,
  type FileState,
} from './file';
import { acquireLock } from './lock';
import { migrate } from './migrations';
import { foldOld } from './retention';
import { computeStats, money, spendFrom, spendSince, type Query } from './stats';

type Op =
  | { k: 'dec'; row: SqlValue[] }
  | { k: 'upd'; id: string; cols: string[]; vals: SqlValue[] }
  | { k: 'fb'; row: SqlValue[] }
  | { k: 'budget'; b: BudgetSettings }
  | { k: 'adj'; a: RoutingAdjustment }
  | { k: 'revert'; id: string; time: number }
  | { k: 'meta'; key: string; value: string }
  | { k: 'reset' };

/** Decision columns in insert order; `day`/`day_start` are derived from `time`. */
const DEC_COLS = [
  'id', 'time', 'tier', 'tier_id', 'model', 'score', 'complexity', 'category', 'confidence', 'reasons',
  'est_input_tokens', 'est_cost_usd', 'baseline_est_cost_usd', 'override', 'adjustments', 'high_stakes', 'blocked',
  'strategy', 'source', 'prompt', 'answered_model', 'input_tokens', 'output_tokens', 'cache_write_tokens',
  'cache_read_tokens', 'cost_usd', 'baseline_cost_usd', 'latency_ms', 'ttft_ms', 'status', 'error', 'parent_id',
  'day', 'day_start',
] as const;
const READ_COLS = DEC_COLS.slice(0, -2).join(', ');
const UPSERT_DECISION = `INSERT INTO decisions (${DEC_COLS.join(', ')}) VALUES (${DEC_COLS.map(() => '?').join(', ')})
  ON CONFLICT(id) DO UPDATE SET ${DEC_COLS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`;
const FB_COLS = ['uid', 'decision_id', 'thumb', 'auto_quality', 'signals', 'time'];

/**
 * What every routed request reads before its call (the budget, today's and this month's spend, calibrated thresholds,
 * active adjustments), kept in memory so that the pre-call path runs no SQL. Each entry is read from the database
 * once; this process's own changes keep it current (spend as a running figure moved by each decision's cost), and a
 * merge of another process's rows, a reset, retention or a new database start it afresh.
 */
interface Hot {
  budget?: BudgetSettings;
  meta: Map<string, string | null>;
  /** Active (not reverted) adjustments. */
  adjustments?: RoutingAdjustment[];
  /** Spend since a time (the key) as a running figure; rows at or after `from` count (see stats.spendSince). */
  spend: Map<number, { from: number; usd: number }>;
}
const coldHot = (): Hot => ({ meta: new Map(), spend: new Map() });

const STATUSES = new Set(['pending', 'ok', 'error', 'cancelled', 'dry-run', 'blocked']);
const SOURCES = new Set(['chat', 'command', 'cli', 'model-provider', 'endpoint']);

const num = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const json = <T>(v: SqlValue | undefined, fallback: T): T => {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};
const fin = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function rowToDecision(r: SqlValue[]): DecisionRecord {
  const inTok = num(r[21]);
  return {
    id: String(r[0]), time: Number(r[1]), tier: Number(r[2]), tierId: String(r[3]), model: String(r[4]),
    score: Number(r[5]), complexity: String(r[6]) as DecisionRecord['complexity'],
    category: String(r[7]) as DecisionRecord['category'], confidence: Number(r[8]), reasons: json(r[9], [] as string[]),
    estInputTokens: Number(r[10]), estCostUsd: num(r[11]), baselineEstCostUsd: num(r[12]), override: str(r[13]),
    adjustments: json(r[14], [] as string[]), highStakes: !!r[15], blocked: !!r[16], strategy: String(r[17]),
    source: String(r[18]) as DecisionRecord['source'], prompt: str(r[19]), answeredModel: str(r[20]),
    usage: inTok === null ? null : {
      inputTokens: inTok, outputTokens: Number(r[22] ?? 0), cacheWriteTokens: Number(r[23] ?? 0), cacheReadTokens: Number(r[24] ?? 0),
    },
    costUsd: num(r[25]), baselineCostUsd: num(r[26]), latencyMs: num(r[27]), ttftMs: num(r[28]),
    status: String(r[29]) as DecisionRecord['status'], error: str(r[30]), parentId: str(r[31]),
  };
}

function rowToAdjustment(r: SqlValue[]): RoutingAdjustment {
  return {
    id: String(r[0]), complexity: String(r[1]) as RoutingAdjustment['complexity'], category: String(r[2]) as RoutingAdjustment['category'],
    kind: String(r[3]) as RoutingAdjustment['kind'], tier: Number(r[4]), reason: String(r[5]),
    evidence: json(r[6], { samples: 0, meanQuality: 0, fromTier: 0 }), createdAt: Number(r[7]), revertedAt: num(r[8]),
  };
}

export class SqlJsStore implements DecisionStore {
  readonly path: string;
  private db: Database;
  private stmts = new Map<string, Statement>();
  private base: FileState | null = null;
  private pending: Op[] = [];
  /** A change that is not in the journal (a migration, a new file) still has to be written. */
  private needsWrite = false;
  private inTxn = false;
  private timer: NodeJS.Timeout | null = null;
  private saveChain: Promise<void> = Promise.resolve();
  private listeners = new Set<() => void>();
  private changeQueued = false;
  private closed = false;
  private lastSaveError = '';
  /** How long the last save took (ms): spaces saves out when they are slow. */
  private lastSaveMs = 0;
  private readonly lockPath: string;
  private readonly promptStorage: PromptStorage;
  private readonly previewChars: number;
  private readonly debounceMs: number;
  private readonly query: Query = { all: (sql, params) => this.all(sql, params) };
  private hot: Hot = coldHot();

  constructor(
    private readonly SQL: SqlJsStatic,
    private readonly opts: StoreOptions,
  ) {
    this.path = path.resolve(opts.path);
    this.lockPath = `${this.path}.lock`;
    this.promptStorage = opts.promptStorage ?? 'preview';
    this.previewChars = Math.max(0, opts.previewChars ?? 120);
    this.debounceMs = Math.max(0, opts.debounceMs ?? 250);
    this.db = new SQL.Database();
  }

  // ---------------------------------------------------------------- opening

  async init(): Promise<void> {
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    removeDeadTemps(this.path, pidAlive);
    for (let attempt = 0; ; attempt++) {
      const r = readFile(this.path);
      if (!r || r.bytes.length === 0) break; // new (or empty) file: start fresh
      const loaded = this.tryLoad(r.bytes, true);
      if (loaded.db) {
        this.setDb(loaded.db);
        this.base = r.state;
        if (loaded.migrated) this.needsWrite = true;
        break;
      }
      if (loaded.refuse) throw new Error(`cannot use ${this.path}: ${loaded.problem}`);
      // Not a valid database: set it aside (under the lock, and only if nobody replaced it meanwhile).
      const release = await acquireLock(this.lockPath);
      try {
        if (!sameState(statFile(this.path), r.state)) {
          if (attempt < 3) continue;
        } else {
          this.setAside(loaded.problem ?? 'unreadable');
        }
      } finally {
        release();
      }
      break;
    }
    if (!this.base) {
      this.setDb(new this.SQL.Database());
      // 16 KiB pages: a third of the insert time and half the export time of 4 KiB pages (measured).
      // Incremental auto-vacuum: pages freed by retention are given back at each save, so the file stays small.
      this.db.exec('PRAGMA page_size = 16384; PRAGMA auto_vacuum = INCREMENTAL;');
      migrate(this.db);
      this.needsWrite = true;
    }
    if (this.opts.retention && this.foldNow() > 0) this.needsWrite = true;
    if (this.needsWrite) await this.flush();
  }

  private tryLoad(bytes: Uint8Array, check: boolean): { db?: Database; migrated?: boolean; problem?: string; refuse?: boolean } {
    const problem = headerProblem(bytes);
    if (problem) return { problem };
    let db: Database | undefined;
    try {
      db = new this.SQL.Database(bytes);
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

  private setAside(problem: string): void {
    const backup = backupName(this.path);
    fs.renameSync(this.path, backup);
    this.base = null;
    this.needsWrite = true;
    this.notice(`The routing database ${this.path} could not be read (${problem}). It was kept as ${backup} and a new database was started.`);
  }

  private notice(message: string): void {
    try {
      this.opts.onNotice?.(message);
    } catch {
      /* a listener's failure must not break the store */
    }
  }

  private setDb(db: Database): void {
    for (const s of this.stmts.values()) s.free();
    this.stmts.clear();
    if (db !== this.db) this.db.close();
    this.db = db;
    this.hot = coldHot();
    this.inTxn = false;
    db.exec('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;');
  }

  // ---------------------------------------------------------------- low-level helpers

  private stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private all(sql: string, params: SqlValue[] = []): SqlValue[][] {
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

  private run(sql: string, params: SqlValue[] = []): number {
    const s = this.stmt(sql);
    try {
      s.run(params);
    } finally {
      s.reset();
    }
    return this.db.getRowsModified();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the decision store is closed');
  }

  /** Many changes in one synchronous burst share one transaction, committed right after the burst. */
  private begin(): void {
    if (this.inTxn) return;
    this.db.exec('BEGIN');
    this.inTxn = true;
    queueMicrotask(() => this.commit());
  }

  private commit(): void {
    if (!this.inTxn) return;
    this.inTxn = false;
    this.db.exec('COMMIT');
  }

  /** Applies a change here, journals it for the next save, and schedules that save. */
  private write(op: Op): void {
    this.assertOpen();
    this.begin();
    const id = this.hot.spend.size && (op.k === 'dec' || (op.k === 'upd' && (op.cols.includes('cost_usd') || op.cols.includes('time'))))
      ? (op.k === 'dec' ? String(op.row[0]) : op.id)
      : null;
    const before = id === null ? null : this.spendRow(id);
    this.apply(op);
    if (id !== null) this.moveSpend(before, this.spendRow(id));
    this.keepHot(op);
    this.pending.push(op);
    this.changed();
    this.schedule();
  }

  private apply(op: Op): void {
    switch (op.k) {
      case 'dec':
        this.run(UPSERT_DECISION, op.row);
        break;
      case 'upd':
        this.run(`UPDATE decisions SET ${op.cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [...op.vals, op.id]);
        break;
      case 'fb':
        this.run(`INSERT OR IGNORE INTO feedback (${FB_COLS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?)`, op.row);
        break;
      case 'budget':
        this.run(
          `INSERT INTO budget (id, daily_limit_usd, monthly_limit_usd, on_exhausted) VALUES (1, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET daily_limit_usd = excluded.daily_limit_usd, monthly_limit_usd = excluded.monthly_limit_usd, on_exhausted = excluded.on_exhausted`,
          [op.b.dailyLimitUsd, op.b.monthlyLimitUsd, op.b.onExhausted],
        );
        break;
      case 'adj': {
        const a = op.a;
        this.run(
          `INSERT INTO adjustments (id, complexity, category, kind, tier, reason, evidence, created_at, reverted_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET complexity = excluded.complexity, category = excluded.category, kind = excluded.kind,
             tier = excluded.tier, reason = excluded.reason, evidence = excluded.evidence, created_at = excluded.created_at,
             reverted_at = excluded.reverted_at`,
          [a.id, a.complexity, a.category, a.kind, a.tier, a.reason, JSON.stringify(a.evidence), a.createdAt, a.revertedAt],
        );
        break;
      }
      case 'revert':
        this.run('UPDATE adjustments SET reverted_at = ? WHERE id = ? AND reverted_at IS NULL', [op.time, op.id]);
        break;
      case 'meta':
        this.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [op.key, op.value]);
        break;
      case 'reset':
        this.db.exec(`DELETE FROM feedback; DELETE FROM decisions; DELETE FROM adjustments; DELETE FROM daily;
          DELETE FROM meta WHERE key = 'store.foldedBefore';`);
        this.stmts.forEach((s) => s.reset());
        break;
    }
  }

  /** What a change does to the in-memory figures (spend is moved by write itself). */
  private keepHot(op: Op): void {
    const h = this.hot;
    switch (op.k) {
      case 'budget': h.budget = undefined; break;
      case 'meta': h.meta.delete(op.key); break;
      case 'adj': case 'revert': h.adjustments = undefined; break;
      case 'reset': this.hot = coldHot(); break;
      default: break;
    }
  }

  /** A decision's time and cost, for the running spend figures (a primary-key lookup, whatever the history). */
  private spendRow(id: string): { time: number; cost: number } | null {
    const r = this.all('SELECT time, cost_usd FROM decisions WHERE id = ?', [id])[0];
    return r ? { time: Number(r[0]), cost: Number(r[1] ?? 0) } : null;
  }

  private moveSpend(before: { time: number; cost: number } | null, after: { time: number; cost: number } | null): void {
    for (const e of this.hot.spend.values()) {
      if (before && before.time >= e.from) e.usd -= before.cost;
      if (after && after.time >= e.from) e.usd += after.cost;
    }
  }

  private changed(): void {
    if (this.changeQueued) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      for (const l of [...this.listeners]) {
        try {
          l();
        } catch {
          /* one listener's failure must not stop the others */
        }
      }
    });
  }

  private storedPrompt(p: string | null | undefined): string | null {
    if (p === null || p === undefined) return null;
    if (this.promptStorage === 'none') return null;
    if (this.promptStorage === 'full') return p;
    return p.length > this.previewChars ? `${p.slice(0, this.previewChars)}…` : p;
  }

  // ---------------------------------------------------------------- decisions

  insertDecision(rec: DecisionRecord): void {
    this.assertOpen();
    if (!rec || typeof rec.id !== 'string' || !rec.id) throw new TypeError('insertDecision: the record needs a non-empty string id');
    if (!Number.isFinite(rec.time)) throw new TypeError(`insertDecision ${rec.id}: time must be a number (ms since epoch)`);
    if (!Number.isInteger(rec.tier) || rec.tier < 0) throw new TypeError(`insertDecision ${rec.id}: tier must be a tier index ≥ 0`);
    if (!STATUSES.has(rec.status)) throw new TypeError(`insertDecision ${rec.id}: unknown status ${JSON.stringify(rec.status)}`);
    if (!SOURCES.has(rec.source)) throw new TypeError(`insertDecision ${rec.id}: unknown source ${JSON.stringify(rec.source)}`);
    const u = rec.usage;
    const row: SqlValue[] = [
      rec.id, rec.time, rec.tier, rec.tierId, rec.model, fin(rec.score) ?? 0, rec.complexity, rec.category,
      fin(rec.confidence) ?? 0, JSON.stringify(rec.reasons ?? []), fin(rec.estInputTokens) ?? 0, fin(rec.estCostUsd),
      fin(rec.baselineEstCostUsd), rec.override ?? null, JSON.stringify(rec.adjustments ?? []), rec.highStakes ? 1 : 0,
      rec.blocked ? 1 : 0, rec.strategy ?? '', rec.source, this.storedPrompt(rec.prompt), rec.answeredModel ?? null,
      u ? u.inputTokens : null, u ? u.outputTokens : null, u ? u.cacheWriteTokens : null, u ? u.cacheReadTokens : null,
      fin(rec.costUsd), fin(rec.baselineCostUsd), fin(rec.latencyMs), fin(rec.ttftMs), rec.status, rec.error == null ? null : redactSecrets(rec.error),
      rec.parentId ?? null, ...this.dayOf(rec.time),
    ];
    this.write({ k: 'dec', row });
  }

  private dayCache: { from: number; to: number; key: string } = { from: 0, to: 0, key: '' };

  /** The local day of a time (cached: inserts come in time order, mostly on the same day). */
  private dayOf(time: number): [string, number] {
    const c = this.dayCache;
    if (!(time >= c.from && time < c.to)) {
      this.dayCache = { from: dayStart(time), to: nextDayStart(time), key: dayKey(time) };
    }
    return [this.dayCache.key, this.dayCache.from];
  }

  updateDecision(id: string, patch: Partial<DecisionRecord>): void {
    this.assertOpen();
    const cols: string[] = [];
    const vals: SqlValue[] = [];
    const set = (c: string, v: SqlValue) => {
      cols.push(c);
      vals.push(v);
    };
    for (const [k, v] of Object.entries(patch) as [keyof DecisionRecord, unknown][]) {
      if (v === undefined) continue;
      switch (k) {
        case 'id': if (v !== id) throw new TypeError('updateDecision: the id cannot change'); break;
        case 'time':
          if (!Number.isFinite(v)) throw new TypeError('updateDecision: time must be a number');
          set('time', v as number); set('day', this.dayOf(v as number)[0]); set('day_start', this.dayOf(v as number)[1]);
          break;
        case 'tier':
          if (!Number.isInteger(v) || (v as number) < 0) throw new TypeError('updateDecision: tier must be a tier index ≥ 0');
          set('tier', v as number);
          break;
        case 'status':
          if (!STATUSES.has(v as string)) throw new TypeError(`updateDecision: unknown status ${JSON.stringify(v)}`);
          set('status', v as string);
          break;
        case 'source':
          if (!SOURCES.has(v as string)) throw new TypeError(`updateDecision: unknown source ${JSON.stringify(v)}`);
          set('source', v as string);
          break;
        case 'usage': {
          const u = v as DecisionRecord['usage'];
          set('input_tokens', u ? u.inputTokens : null); set('output_tokens', u ? u.outputTokens : null);
          set('cache_write_tokens', u ? u.cacheWriteTokens : null); set('cache_read_tokens', u ? u.cacheReadTokens : null);
          break;
        }
        case 'reasons': case 'adjustments': set(k, JSON.stringify(v)); break;
        case 'highStakes': set('high_stakes', v ? 1 : 0); break;
        case 'blocked': set('blocked', v ? 1 : 0); break;
        case 'prompt': set('prompt', this.storedPrompt(v as string | null)); break;
        case 'tierId': set('tier_id', v as string); break;
        case 'estInputTokens': set('est_input_tokens', fin(v as number) ?? 0); break;
        case 'estCostUsd': set('est_cost_usd', fin(v as number)); break;
        case 'baselineEstCostUsd': set('baseline_est_cost_usd', fin(v as number)); break;
        case 'answeredModel': set('answered_model', (v as string | null) ?? null); break;
        case 'costUsd': set('cost_usd', fin(v as number)); break;
        case 'baselineCostUsd': set('baseline_cost_usd', fin(v as number)); break;
        case 'latencyMs': set('latency_ms', fin(v as number)); break;
        case 'ttftMs': set('ttft_ms', fin(v as number)); break;
        case 'parentId': set('parent_id', (v as string | null) ?? null); break;
        case 'score': case 'confidence': set(k, fin(v as number) ?? 0); break;
        case 'model': case 'complexity': case 'category': case 'strategy': set(k, String(v)); break;
        case 'override': set(k, (v as string | null) ?? null); break;
        case 'error': set(k, v == null ? null : redactSecrets(String(v))); break;
        default: throw new TypeError(`updateDecision: unknown field ${String(k)}`);
      }
    }
    if (!cols.length) return;
    this.write({ k: 'upd', id, cols, vals });
  }

  getDecision(id: string): DecisionRecord | undefined {
    this.assertOpen();
    const r = this.all(`SELECT ${READ_COLS} FROM decisions WHERE id = ?`, [id])[0];
    return r ? rowToDecision(r) : undefined;
  }

  listDecisions(q: DecisionQuery = {}): { rows: DecisionRecord[]; total: number } {
    this.assertOpen();
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.tier !== undefined) { where.push('tier = ?'); params.push(q.tier); }
    if (q.source !== undefined) { where.push('source = ?'); params.push(q.source); }
    if (q.status !== undefined) { where.push('status = ?'); params.push(q.status); }
    if (q.since !== undefined) { where.push('time >= ?'); params.push(q.since); }
    if (q.until !== undefined) { where.push('time < ?'); params.push(q.until); }
    if (q.model) { where.push("(instr(model, ?) > 0 OR instr(IFNULL(answered_model, ''), ?) > 0)"); params.push(q.model, q.model); }
    const w = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const limit = Math.max(0, Math.floor(q.limit ?? 100));
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const total = Number(this.all(`SELECT COUNT(*) FROM decisions${w}`, params)[0][0]);
    const rows = this.all(`SELECT ${READ_COLS} FROM decisions${w} ORDER BY time DESC, id DESC LIMIT ? OFFSET ?`, [...params, limit, offset]);
    return { rows: rows.map(rowToDecision), total };
  }

  // ---------------------------------------------------------------- feedback

  addFeedback(f: FeedbackInput): void {
    this.assertOpen();
    if (!f || typeof f.decisionId !== 'string') throw new TypeError('addFeedback: decisionId is required');
    if (f.thumb !== null && f.thumb !== 'up' && f.thumb !== 'down') throw new TypeError(`addFeedback: thumb must be "up", "down" or null, not ${JSON.stringify(f.thumb)}`);
    if (f.autoQuality !== null && !(typeof f.autoQuality === 'number' && f.autoQuality >= 0 && f.autoQuality <= 1)) {
      throw new TypeError(`addFeedback: autoQuality must be a number in [0, 1] or null, not ${JSON.stringify(f.autoQuality)}`);
    }
    if (f.thumb === null && f.autoQuality === null) throw new TypeError('addFeedback: give a thumb, an automatic quality, or both');
    if (!this.all('SELECT 1 FROM decisions WHERE id = ?', [f.decisionId]).length) {
      throw new Error(`no decision with id ${f.decisionId}`);
    }
    const row: SqlValue[] = [
      crypto.randomUUID(), f.decisionId, f.thumb, f.autoQuality, f.signals ? JSON.stringify(f.signals) : null, f.time ?? Date.now(),
    ];
    this.write({ k: 'fb', row });
  }

  feedbackFor(decisionId: string): FeedbackRow[] {
    this.assertOpen();
    return this.all('SELECT id, decision_id, thumb, auto_quality, signals, time FROM feedback WHERE decision_id = ? ORDER BY time, id', [decisionId]).map((r) => ({
      id: Number(r[0]), decisionId: String(r[1]), thumb: str(r[2]) as FeedbackRow['thumb'], autoQuality: num(r[3]),
      signals: json<Record<string, number> | null>(r[4], null), time: Number(r[5]),
    }));
  }

  qualitySamples(q: { since?: number } = {}): QualitySample[] {
    this.assertOpen();
    const rows = this.all(
      `SELECT id, time, tier, complexity, category, thumb, auto_quality FROM decisions
       WHERE (thumb IS NOT NULL OR auto_quality IS NOT NULL) AND time >= ? ORDER BY time`,
      [q.since ?? -Number.MAX_SAFE_INTEGER],
    );
    return rows.map((r) => {
      const thumb = str(r[5]) as QualitySample['thumb'];
      const auto = num(r[6]);
      const t = thumb === 'up' ? 1 : thumb === 'down' ? 0 : null;
      // A person's thumb weighs three times the automatic signals.
      const quality = t !== null && auto !== null ? 0.75 * t + 0.25 * auto : (t ?? auto ?? 0);
      return {
        decisionId: String(r[0]), time: Number(r[1]), tier: Number(r[2]), complexity: String(r[3]) as QualitySample['complexity'],
        category: String(r[4]) as QualitySample['category'], thumb, autoQuality: auto, quality,
      };
    });
  }

  // ---------------------------------------------------------------- statistics and budget

  stats(q: { since?: number; until?: number; now?: number } = {}): Stats {
    this.assertOpen();
    return computeStats(this.query, q);
  }

  spendSince(ms: number): number {
    this.assertOpen();
    const hot = this.hot.spend;
    let e = hot.get(ms);
    if (!e) {
      // "today" and "this month" are asked for over and over; a new day or month starts a new entry
      if (hot.size >= 8) hot.clear();
      e = { from: spendFrom(this.query, ms), usd: spendSince(this.query, ms) };
      hot.set(ms, e);
    }
    return money(e.usd);
  }

  getBudget(): BudgetSettings {
    this.assertOpen();
    if (!this.hot.budget) {
      const r = this.all('SELECT daily_limit_usd, monthly_limit_usd, on_exhausted FROM budget WHERE id = 1')[0];
      this.hot.budget = r
        ? { dailyLimitUsd: num(r[0]), monthlyLimitUsd: num(r[1]), onExhausted: r[2] === 'cheapest' ? 'cheapest' : 'block' }
        : { dailyLimitUsd: null, monthlyLimitUsd: null, onExhausted: 'block' };
    }
    return { ...this.hot.budget };
  }

  setBudget(b: BudgetSettings): void {
    const lim = (v: number | null, what: string) => {
      if (v === null) return null;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`setBudget: ${what} must be a number ≥ 0 or null, not ${JSON.stringify(v)}`);
      return v;
    };
    if (b.onExhausted !== 'block' && b.onExhausted !== 'cheapest') throw new TypeError('setBudget: onExhausted must be "block" or "cheapest"');
    this.write({ k: 'budget', b: { dailyLimitUsd: lim(b.dailyLimitUsd, 'dailyLimitUsd'), monthlyLimitUsd: lim(b.monthlyLimitUsd, 'monthlyLimitUsd'), onExhausted: b.onExhausted } });
  }

  // ---------------------------------------------------------------- adjustments and meta

  addAdjustment(a: RoutingAdjustment): void {
    if (!a || typeof a.id !== 'string' || !a.id) throw new TypeError('addAdjustment: id is required');
    this.write({ k: 'adj', a: { ...a, revertedAt: a.revertedAt ?? null } });
  }

  listAdjustments(includeReverted = false): RoutingAdjustment[] {
    this.assertOpen();
    const sql = `SELECT id, complexity, category, kind, tier, reason, evidence, created_at, reverted_at FROM adjustments${includeReverted ? '' : ' WHERE reverted_at IS NULL'} ORDER BY created_at, id`;
    if (includeReverted) return this.all(sql).map(rowToAdjustment);
    this.hot.adjustments ??= this.all(sql).map(rowToAdjustment);
    return this.hot.adjustments.map((a) => ({ ...a, evidence: { ...a.evidence } }));
  }

  revertAdjustment(id: string, time = Date.now()): boolean {
    this.assertOpen();
    if (!this.all('SELECT 1 FROM adjustments WHERE id = ? AND reverted_at IS NULL', [id]).length) return false;
    this.write({ k: 'revert', id, time });
    return true;
  }

  getMeta(key: string): string | null {
    this.assertOpen();
    const h = this.hot.meta;
    let v = h.get(key);
    if (v === undefined) {
      const r = this.all('SELECT value FROM meta WHERE key = ?', [key])[0];
      v = r ? String(r[0]) : null;
      h.set(key, v);
    }
    return v;
  }

  setMeta(key: string, value: string): void {
    this.write({ k: 'meta', key, value: String(value) });
  }

  reset(): void {
    this.write({ k: 'reset' });
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------- saving and sharing the file

  private schedule(): void {
    if (this.timer || this.closed) return;
    // A save rewrites the whole file; under a steady stream of writes, keep saves to about a quarter of the time.
    const delay = Math.max(this.debounceMs, Math.min(5000, this.lastSaveMs * 3));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.enqueueSave().then(
        () => {
          this.lastSaveError = '';
        },
        (e: Error) => {
          if (e.message !== this.lastSaveError) {
            this.lastSaveError = e.message;
            this.notice(`Could not save the routing database ${this.path}: ${e.message}. Will retry.`);
          }
          if (!this.closed && !this.timer) {
            this.timer = setTimeout(() => {
              this.timer = null;
              this.schedule();
            }, 2000);
          }
        },
      );
    }, delay);
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
    const st = statFile(this.path);
    if (!st || sameState(st, this.base)) return false;
    const r = readFile(this.path);
    if (!r || r.bytes.length === 0) return false;
    const loaded = this.tryLoad(r.bytes, false);
    if (!loaded.db) {
      if (loaded.refuse) throw new Error(`cannot use ${this.path}: ${loaded.problem}`);
      if (underLock) this.setAside(loaded.problem ?? 'unreadable');
      return false;
    }
    this.commit();
    const fresh = loaded.db;
    const old = this.db;
    // Swap without closing the old one until the replay worked.
    for (const s of this.stmts.values()) s.free();
    this.stmts.clear();
    this.db = fresh;
    this.hot = coldHot();
    this.inTxn = false;
    fresh.exec('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;');
    try {
      fresh.exec('BEGIN');
      for (const op of this.pending) this.apply(op);
      fresh.exec('COMMIT');
    } catch (e) {
      for (const s of this.stmts.values()) s.free();
      this.stmts.clear();
      this.db = old;
      this.hot = coldHot();
      fresh.close();
      throw e;
    }
    old.close();
    this.base = r.state;
    return true;
  }

  private async saveNow(): Promise<void> {
    this.commit();
    if (!this.pending.length && !this.needsWrite) return;
    const release = await acquireLock(this.lockPath);
    let fromOthers = false;
    const started = performance.now();
    try {
      // Everything from here to the write is synchronous: no change can slip in between.
      this.commit();
      fromOthers = this.syncWithFile(true);
      if (this.opts.retention) this.foldNow();
      const bytes = this.db.export();
      stampGeneration(bytes, ((this.base?.gen ?? 0) + 1) >>> 0 || 1);
      this.base = atomicWrite(this.path, bytes);
      this.pending = [];
      this.needsWrite = false;
      this.lastSaveMs = performance.now() - started;
    } finally {
      release();
    }
    if (fromOthers) this.changed();
  }

  /** Folds rows beyond the retention cap into the daily aggregates (they already count them). */
  private foldNow(): number {
    this.commit();
    this.db.exec('BEGIN');
    let n: number;
    try {
      n = foldOld(this.db, this.opts.retention);
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
    if (n === 0) return 0;
    this.hot = coldHot(); // folding moves the boundary between detailed rows and whole days
    if (Number(this.db.exec('PRAGMA auto_vacuum')[0].values[0][0]) === 2) {
      this.db.exec('PRAGMA incremental_vacuum'); // new databases: give the freed pages back now
      return n;
    }
    // Older files without auto-vacuum: new rows reuse freed pages; give them back only when half the file is
    // free (retention first applied to a big file), since VACUUM rewrites the whole database.
    const free = Number(this.db.exec('PRAGMA freelist_count')[0].values[0][0]);
    const pages = Number(this.db.exec('PRAGMA page_count')[0].values[0][0]);
    const pageSize = Number(this.db.exec('PRAGMA page_size')[0].values[0][0]);
    if (free * pageSize > 256 * 1024 && free > pages / 2) {
      for (const st of this.stmts.values()) st.free();
      this.stmts.clear();
      this.db.exec('VACUUM');
    }
    return n;
  }

  async refresh(): Promise<boolean> {
    this.assertOpen();
    this.commit();
    const changed = this.syncWithFile(false);
    if (changed) this.changed();
    return changed;
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.enqueueSave();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      for (const s of this.stmts.values()) s.free();
      this.stmts.clear();
      this.db.close();
      this.listeners.clear();
    }
  }
}
