// The decision store on sql.js: the whole database lives in memory, changes are batched and saved atomically.
//
// Several processes (two VS Code windows and the CLI) share one file. Each change is applied here at once, kept
// current in the in-memory figures (hot.ts) and journalled (journal.ts); persist.ts saves the journal, merging
// other processes' rows, so no process overwrites another's. Rows and records: columns.ts.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import type { SqlJsStatic, SqlValue } from 'sql.js';
import type { DecisionRecord, RoutingAdjustment } from '../types';
import type {
  BreakdownQuery,
  BreakdownRow,
  BudgetSettings,
  DecisionQuery,
  DecisionStore,
  FeedbackInput,
  FeedbackRow,
  QualitySample,
  Stats,
  StoreOptions,
} from './api';
import {
  DecisionColumns,
  READ_ADJUSTMENTS,
  READ_COLS,
  READ_FEEDBACK,
  READ_QUALITY,
  rowToAdjustment,
  rowToDecision,
  rowToFeedback,
  rowToQualitySample,
} from './columns';
import { breakdown } from './breakdown';
import { Conn } from './conn';
import { Filter } from './filter';
import { HotFigures } from './hot';
import { applyOp, type Op } from './journal';
import { Persistence } from './persist';
import { BackgroundPersistence } from './persist-background';
import { holdsPath } from './holds';
import { ReservationBook } from './reservations';
import { computeStats } from './stats';

export class SqlJsStore implements DecisionStore {
  readonly path: string;
  private readonly conn: Conn;
  private readonly hot: HotFigures;
  private readonly columns: DecisionColumns;
  private readonly persist: Persistence;
  readonly reservations: ReservationBook;
  private listeners = new Set<() => void>();
  private changeQueued = false;
  private closed = false;

  constructor(
    SQL: SqlJsStatic,
    private readonly opts: StoreOptions,
  ) {
    this.path = path.resolve(opts.path);
    this.conn = new Conn(new SQL.Database());
    this.hot = new HotFigures(this.conn);
    this.columns = new DecisionColumns(opts.promptStorage ?? 'preview', Math.max(0, opts.previewChars ?? 120));
    // The extension host saves in a worker thread (persist-background.ts); the CLI on its own thread.
    this.persist = new (opts.saveInBackground ? BackgroundPersistence : Persistence)(
      SQL,
      this.conn,
      { path: this.path, debounceMs: Math.max(0, opts.debounceMs ?? 250), retention: opts.retention },
      {
        invalidate: () => this.hot.clear(),
        merged: () => this.changed(),
        notice: (m) => this.notice(m),
        saved: () => this.reservations.afterSave(),
      },
    );
    this.reservations = new ReservationBook({
      conn: this.conn,
      write: (op) => this.write({ k: 'resv', op }),
      insert: (rec) => this.insertDecision(rec),
      file: holdsPath(this.path),
      locked: (fn) => this.persist.locked(fn),
    });
  }

  async init(): Promise<void> {
    await this.persist.open();
    if (this.persist instanceof BackgroundPersistence) this.persist.startWorker();
    // Calls whose process was killed: marked interrupted, their worst case still held (under the lock, on the
    // file's latest content, so a call another process finished meanwhile is left alone).
    if (this.reservations.expiredNow().length) await this.persist.exclusive(() => this.reservations.reconcile());
  }

  exclusive<T>(fn: () => T): Promise<T> {
    this.assertOpen();
    return this.persist.exclusive(fn);
  }

  locked<T>(fn: () => T): Promise<T> {
    this.assertOpen();
    return this.persist.locked(fn);
  }

  /** Tells the person (without a listener, on stderr: a file set aside is never silent). */
  private notice(message: string): void {
    try {
      if (this.opts.onNotice) this.opts.onNotice(message);
      else process.stderr.write(`llm-router: ${message}\n`);
    } catch {
      /* a listener's failure must not break the store */
    }
  }

  // ---------------------------------------------------------------- low-level helpers

  private all(sql: string, params: SqlValue[] = []): SqlValue[][] {
    return this.conn.all(sql, params);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the decision store is closed');
  }

  /** Applies a change here, journals it for the next save, and schedules that save. */
  private write(op: Op): void {
    this.assertOpen();
    this.conn.begin();
    this.hot.track(op, () => applyOp(this.conn, op));
    this.persist.journal(op);
    this.changed();
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

  // ---------------------------------------------------------------- decisions

  insertDecision(rec: DecisionRecord): void {
    this.assertOpen();
    this.write({ k: 'dec', row: this.columns.row(rec) });
  }

  updateDecision(id: string, patch: Partial<DecisionRecord>): void {
    this.assertOpen();
    const { cols, vals } = this.columns.patch(id, patch);
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
    const f = new Filter()
      .when(q.tier, 'tier = ?')
      .when(q.source, 'source = ?')
      .when(q.status, 'status = ?')
      .period(q)
      .when(q.model || undefined, "(instr(model, ?) > 0 OR instr(IFNULL(answered_model, ''), ?) > 0)")
      .when(q.workflowId, 'workflow_id = ?')
      .when(q.experimentId, 'experiment_id = ?')
      .when(q.workspaceId, 'workspace_id = ?');
    const { sql: w, params } = f;
    const limit = Math.max(0, Math.floor(q.limit ?? 100));
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const total = Number(this.all(`SELECT COUNT(*) FROM decisions${w}`, params)[0][0]);
    const rows = this.all(`SELECT ${READ_COLS} FROM decisions${w} ORDER BY time DESC, id DESC LIMIT ? OFFSET ?`, [
      ...params,
      limit,
      offset,
    ]);
    return { rows: rows.map(rowToDecision), total };
  }

  // ---------------------------------------------------------------- feedback

  addFeedback(f: FeedbackInput): void {
    this.assertOpen();
    if (!f || typeof f.decisionId !== 'string') throw new TypeError('addFeedback: decisionId is required');
    if (f.thumb !== null && f.thumb !== 'up' && f.thumb !== 'down')
      throw new TypeError(`addFeedback: thumb must be "up", "down" or null, not ${JSON.stringify(f.thumb)}`);
    if (f.autoQuality !== null && !(typeof f.autoQuality === 'number' && f.autoQuality >= 0 && f.autoQuality <= 1)) {
      throw new TypeError(
        `addFeedback: autoQuality must be a number in [0, 1] or null, not ${JSON.stringify(f.autoQuality)}`,
      );
    }
    if (f.thumb === null && f.autoQuality === null)
      throw new TypeError('addFeedback: give a thumb, an automatic quality, or both');
    if (!this.all('SELECT 1 FROM decisions WHERE id = ?', [f.decisionId]).length) {
      throw new Error(`no decision with id ${f.decisionId}`);
    }
    const row: SqlValue[] = [
      crypto.randomUUID(),
      f.decisionId,
      f.thumb,
      f.autoQuality,
      f.signals ? JSON.stringify(f.signals) : null,
      f.time ?? Date.now(),
    ];
    this.write({ k: 'fb', row });
  }

  feedbackFor(decisionId: string): FeedbackRow[] {
    this.assertOpen();
    return this.all(`${READ_FEEDBACK} WHERE decision_id = ? ORDER BY time, id`, [decisionId]).map(rowToFeedback);
  }

  qualitySamples(q: { since?: number; thumbsOnly?: boolean } = {}): QualitySample[] {
    this.assertOpen();
    const rows = this.all(
      `${READ_QUALITY} WHERE ${q.thumbsOnly ? 'thumb IS NOT NULL' : '(thumb IS NOT NULL OR auto_quality IS NOT NULL)'} AND time >= ? ORDER BY time`,
      [q.since ?? -Number.MAX_SAFE_INTEGER],
    );
    return rows.map(rowToQualitySample);
  }

  // ---------------------------------------------------------------- statistics and budget

  stats(q: { since?: number; until?: number; now?: number } = {}): Stats {
    this.assertOpen();
    return computeStats(this.conn, q);
  }

  breakdown(q: BreakdownQuery): BreakdownRow[] {
    this.assertOpen();
    return breakdown((sql, params) => this.all(sql, params), q);
  }

  spendSince(ms: number): number {
    this.assertOpen();
    return this.hot.spendSince(ms);
  }

  getBudget(): BudgetSettings {
    this.assertOpen();
    return this.hot.budget();
  }

  setBudget(b: BudgetSettings): void {
    const lim = (v: number | null, what: string) => {
      if (v === null) return null;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw new TypeError(`setBudget: ${what} must be a number ≥ 0 or null, not ${JSON.stringify(v)}`);
      return v;
    };
    if (b.onExhausted !== 'block' && b.onExhausted !== 'cheapest')
      throw new TypeError('setBudget: onExhausted must be "block" or "cheapest"');
    this.write({
      k: 'budget',
      b: {
        dailyLimitUsd: lim(b.dailyLimitUsd, 'dailyLimitUsd'),
        monthlyLimitUsd: lim(b.monthlyLimitUsd, 'monthlyLimitUsd'),
        onExhausted: b.onExhausted,
      },
    });
  }

  // ---------------------------------------------------------------- adjustments and meta

  addAdjustment(a: RoutingAdjustment): void {
    if (!a || typeof a.id !== 'string' || !a.id) throw new TypeError('addAdjustment: id is required');
    this.write({ k: 'adj', a: { ...a, revertedAt: a.revertedAt ?? null } });
  }

  listAdjustments(includeReverted = false): RoutingAdjustment[] {
    this.assertOpen();
    const sql = `${READ_ADJUSTMENTS}${includeReverted ? '' : ' WHERE reverted_at IS NULL'} ORDER BY created_at, id`;
    if (includeReverted) return this.all(sql).map(rowToAdjustment);
    return this.hot.adjustments(() => this.all(sql).map(rowToAdjustment));
  }

  revertAdjustment(id: string, time = Date.now()): boolean {
    this.assertOpen();
    if (!this.all('SELECT 1 FROM adjustments WHERE id = ? AND reverted_at IS NULL', [id]).length) return false;
    this.write({ k: 'revert', id, time });
    return true;
  }

  getMeta(key: string): string | null {
    this.assertOpen();
    return this.hot.meta(key);
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

  // ---------------------------------------------------------------- sharing the file

  async refresh(): Promise<boolean> {
    this.assertOpen();
    const changed = await this.persist.refresh();
    if (changed) this.changed();
    // A call whose process has died since (another window, the CLI) is marked interrupted now, not at the next open.
    if (this.reservations.expiredNow().length) {
      await this.persist.exclusive(() => this.reservations.reconcile());
      return true;
    }
    return changed;
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    await this.persist.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.persist.flush();
    } finally {
      this.closed = true;
      this.reservations.dispose();
      this.persist.stop();
      this.conn.close();
      this.listeners.clear();
    }
  }
}
