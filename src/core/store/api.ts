// The contract of the decision store. Implemented by ./sqlite.ts (sql.js); used by the CLI, the VS Code glue,
// the panel, budgets and retraining. Pure TypeScript: no `vscode`.
import type {
  BudgetState,
  Category,
  Complexity,
  DecisionRecord,
  DecisionStatus,
  PromptStorage,
  RoutingAdjustment,
  Source,
  Usage,
} from '../types';

export interface FeedbackInput {
  decisionId: string;
  /** 'up' | 'down' from a person; null for an automatic-only entry. */
  thumb: 'up' | 'down' | null;
  /** Automatic quality in [0, 1], or null. */
  autoQuality: number | null;
  /** The automatic signals behind autoQuality, e.g. { refusal: 1, truncated: 0, hedging: 0.3 }. */
  signals: Record<string, number> | null;
  time?: number;
}

export interface FeedbackRow extends Required<FeedbackInput> {
  id: number;
}

/** What one decision's quality is, for retraining: joined decisions + feedback. */
export interface QualitySample {
  decisionId: string;
  time: number;
  tier: number;
  complexity: Complexity;
  category: Category;
  thumb: 'up' | 'down' | null;
  autoQuality: number | null;
  /** Combined quality in [0, 1] (thumbs weigh more than automatic signals). */
  quality: number;
}

export interface DecisionQuery {
  limit?: number;
  offset?: number;
  tier?: number;
  source?: Source;
  status?: DecisionStatus;
  /** ms since epoch, inclusive */
  since?: number;
  /** ms since epoch, exclusive */
  until?: number;
  /** Substring of model id */
  model?: string;
  /** Only the decisions of this workflow run / A/B experiment / workspace (schema 4 tags). */
  workflowId?: string;
  experimentId?: string;
  workspaceId?: string;
}

/** Spend split by workspace or by client: `stats --by`, the panel, per-workspace budgets. */
export interface BreakdownQuery {
  by: 'workspace' | 'source';
  since?: number;
  until?: number;
  /** Only this workspace (null: requests from no workspace). */
  workspaceId?: string | null;
  source?: Source;
}

export interface BreakdownRow {
  /** The workspace id or the source; null for requests without a workspace. */
  key: string | null;
  /** The workspace's folder name (or the source again). */
  name: string | null;
  decisions: number;
  requests: number;
  spendUsd: number;
  baselineUsd: number;
  savedUsd: number;
}

export interface DayRow {
  day: string;
  tier: number;
  requests: number;
  spendUsd: number;
  baselineUsd: number;
}
export interface GroupRow {
  key: string;
  requests: number;
  spendUsd: number;
  baselineUsd: number;
  savedUsd: number;
}

export interface Stats {
  /** Decisions in the period (dry runs included, blocked included). */
  decisions: number;
  /** Requests that reached a model (status ok, error, or cancelled with usage). */
  requests: number;
  /** Decision count by tier index. */
  byTier: Record<number, number>;
  /** Spend by tier index. */
  spendByTier: Record<number, number>;
  spendUsd: number;
  baselineUsd: number;
  savedUsd: number;
  /** savedUsd / baselineUsd, 0 when no baseline */
  savedPct: number;
  avgCostUsd: number;
  /** Decisions whose model had no price: their cost is unknown, not $0. */
  unpriced: number;
  feedback: { up: number; down: number };
  byDay: DayRow[];
  byModel: GroupRow[];
  qualityByTier: {
    tier: number;
    up: number;
    down: number;
    upRate: number | null;
    autoQuality: number | null;
    autoCount: number;
  }[];
  spentTodayUsd: number;
  spentMonthUsd: number;
  /** Calls in the period whose process ended before their cost was known (status interrupted)... */
  interrupted: number;
  /** ...and their worst cases, held against the budget in place of the unknown cost. */
  interruptedHeldUsd: number;
}

export interface BudgetSettings {
  dailyLimitUsd: number | null;
  monthlyLimitUsd: number | null;
  onExhausted: 'block' | 'cheapest';
}

export interface StoreOptions {
  /** File path of the database. */
  path: string;
  promptStorage?: PromptStorage;
  /** Characters kept with promptStorage 'preview' (default 120). */
  previewChars?: number;
  /** Save debounce in ms (default 250). */
  debounceMs?: number;
  /** Retention: keep at most this many detailed rows / this many days; older ones are folded into daily aggregates. */
  retention?: { maxRows?: number; maxDays?: number };
  /**
   * Saves run in a worker thread, so that a save never blocks this thread's event loop (the extension host). Costs a
   * second copy of the database in memory and a moment to start; worth it for a long-lived process. Default false.
   */
  saveInBackground?: boolean;
  /** Called with a message a person should see (a corrupt file was set aside and where it was kept, a read-only or
   *  newer database, a failed save). Without it, the message goes to stderr. */
  onNotice?: (message: string) => void;
}

/** Money held against the budget for one call (store/reservations.ts). */
export interface Reservation {
  /** The decision (call) it holds money for. */
  id: string;
  /** The call's worst case, USD. */
  usd: number;
  /** When it was made: it counts in the budget of that day and month. */
  time: number;
  pid: number;
  host: string;
  /** Last sign of life of its process (ms, wall clock). */
  heartbeat: number;
  /** live: the call is under way; interrupted: its process ended before the cost was recorded. */
  state: 'live' | 'interrupted';
}

/** The reservations of the calls in flight (and interrupted) in every process using the file. */
export interface Reservations {
  list(): Reservation[];
  /** Money held by reservations made at or after `since` (calls under way and interrupted ones). */
  heldSince(since: number): number;
  /** Holds `usd` for the call `id` of this process, made at `time`, on disk now: call it inside `locked`. `record`
   *  (kept without its prompt) is the row written if the call is interrupted before its own row reached the file. */
  hold(id: string, usd: number, time?: number, record?: DecisionRecord | null): void;
  /** The same, written with the next save (no limit set: the call does not wait for it). */
  holdAtNextSave(id: string, usd: number, time?: number, record?: DecisionRecord | null): void;
  /** The call settled: its reservation goes with the save that records its outcome (journal both in one burst). */
  release(id: string): void;
  /** Live reservations whose process is gone. */
  expiredNow(now?: number): Reservation[];
  /** Marks the calls of expired reservations interrupted (their worst case stays held); returns how many. */
  reconcile(now?: number): number;
}

export interface DecisionStore {
  readonly path: string;
  insertDecision(rec: DecisionRecord): void;
  updateDecision(id: string, patch: Partial<DecisionRecord>): void;
  getDecision(id: string): DecisionRecord | undefined;
  listDecisions(q?: DecisionQuery): { rows: DecisionRecord[]; total: number };
  addFeedback(f: FeedbackInput): void;
  feedbackFor(decisionId: string): FeedbackRow[];
  /** `thumbsOnly`: only decisions a person rated (alerts on bad ratings read just those). */
  qualitySamples(q?: { since?: number; thumbsOnly?: boolean }): QualitySample[];
  stats(q?: { since?: number; until?: number; now?: number }): Stats;
  getBudget(): BudgetSettings;
  setBudget(b: BudgetSettings): void;
  /** Spend and savings split by workspace or client, from the detailed rows (schema 4 tags). */
  breakdown(q: BreakdownQuery): BreakdownRow[];
  /** Spend since a time, fast (used before every request for the budget check). */
  spendSince(ms: number): number;
  addAdjustment(a: RoutingAdjustment): void;
  listAdjustments(includeReverted?: boolean): RoutingAdjustment[];
  revertAdjustment(id: string, time?: number): boolean;
  /** Key/value for small state (last retrain time, feedback counter). */
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;
  /** Deletes every decision, feedback and adjustment (Reset Statistics). */
  reset(): void;
  /** Re-reads rows other processes wrote; returns true when something changed. */
  refresh(): Promise<boolean>;
  /** Writes what is pending now (atomic). */
  flush(): Promise<void>;
  /**
   * Runs `fn` holding the file lock, on the file's latest content (other processes' rows merged in), and saves
   * before releasing it: when the promise resolves, what `fn` changed is on disk. Rejects when the save fails.
   */
  exclusive<T>(fn: () => T): Promise<T>;
  /** Runs `fn` holding the file lock, on the file's latest content, without saving the database (a hold is written
   *  to its own small file inside: see reservations.ts). */
  locked<T>(fn: () => T): Promise<T>;
  /** Budget reservations of the calls in flight in every process using this file (reservations.ts). */
  readonly reservations: Reservations;
  /** Called after any change, from this process or (after refresh) another one. Returns an unsubscribe. */
  onDidChange(listener: () => void): () => void;
  close(): Promise<void>;
}

export type { BudgetState, Usage };
