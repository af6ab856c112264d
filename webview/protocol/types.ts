// The wire types of the panel protocol (webview/protocol.ts re-exports them): the ViewModel the host computes
// (src/panel/viewModel.ts) and the webview draws, and the rows and details inside it. Pure TypeScript: no DOM, no
// `vscode`, no Node; the records inside come from src/core (type imports only, erased from the browser bundle).
import type { FineTuneResult } from '../../src/core/classifier/finetune';
import type { BudgetSettings } from '../../src/core/store/api';
import type { BudgetState, DecisionRecord } from '../../src/core/types';
import type { BackendHealth } from '../../src/core/pool/breaker';

export type Period = 'today' | '7d' | '30d' | 'all';
export const PERIODS: readonly Period[] = ['today', '7d', '30d', 'all'];
export const PERIOD_LABELS: Record<Period, string> = {
  today: 'Today',
  '7d': '7 days',
  '30d': '30 days',
  all: 'All time',
};
export const DEFAULT_PERIOD: Period = '7d';
export const PAGE_SIZE = 20;

export function isPeriod(x: unknown): x is Period {
  return typeof x === 'string' && (PERIODS as readonly string[]).includes(x);
}

export interface TierInfo {
  index: number;
  id: string;
  label: string;
  model: string;
}

export interface DecisionRow {
  id: string;
  time: number;
  /** The model that answered (or the chosen one when none answered yet). */
  model: string;
  tier: number;
  tierLabel: string;
  complexity: string;
  category: string;
  reasons: string[];
  costUsd: number | null;
  baselineCostUsd: number | null;
  status: string;
  source: string;
  /** Prompt preview exactly as stored (shown as text, never as HTML); null when prompts are not kept. */
  prompt: string | null;
  /** The latest thumb a person gave, if any. */
  feedback: 'up' | 'down' | null;
  autoQuality: number | null;
}

/** Everything recorded about one decision, for the detail view. */
export interface DecisionDetail extends DecisionRow {
  record: DecisionRecord;
  feedbackHistory: { thumb: 'up' | 'down' | null; autoQuality: number | null; time: number }[];
}

export interface AdjustmentRow {
  id: string;
  group: string;
  kind: 'raise' | 'lower';
  tier: number;
  tierLabel: string;
  reason: string;
  samples: number;
  createdAt: number;
  revertedAt: number | null;
}

export interface ViewModel {
  period: Period;
  since: number | null;
  generatedAt: number;
  /** No decision was ever recorded: show the welcome. */
  empty: boolean;
  /** Whether an API key is set (null: unknown). */
  hasKey: boolean | null;
  tiers: TierInfo[];
  headline: {
    spendUsd: number;
    baselineUsd: number;
    savedUsd: number;
    savedPct: number;
    requests: number;
    decisions: number;
    avgCostUsd: number;
    unpriced: number;
    /** Calls whose process ended before their cost was known (status interrupted), and the worst cases held for them. */
    interrupted: number;
    interruptedHeldUsd: number;
    feedbackUp: number;
    feedbackDown: number;
  };
  /** Per tier: decision count and spend in the period. */
  tierDist: { tier: number; label: string; decisions: number; spendUsd: number }[];
  /** Spend per day (local dates, every day of the period, oldest first), one series per tier. Periods longer than
   *  MAX_DAY_BARS (src/panel/viewModel.ts) days are shown per week (unit 'week', labels = the first day of each 7-day bucket). */
  days: { unit: 'day' | 'week'; labels: string[]; spendByTier: number[][] };
  quality: {
    tier: number;
    label: string;
    up: number;
    down: number;
    upRate: number | null;
    autoQuality: number | null;
    autoCount: number;
  }[];
  /** Settings, the service's budget state (null when it has none), and spend today / this month from the store. */
  budget: BudgetSettings & {
    state: BudgetState | null;
    spentTodayUsd: number;
    spentMonthUsd: number;
    /** Worst cases held against the limits, not yet spent: calls under way (in any window or process) and interrupted ones. */
    heldTodayUsd: number;
    heldMonthUsd: number;
  };
  retrain: {
    lastRun: number | null;
    adjustments: AdjustmentRow[];
    /** The last fine-tune of the classifier on the user's feedback (llm-router train --from-db, or the panel), or null. */
    fineTune: FineTuneView | null;
    /** Whether a fine-tuned model routes now (the learned strategy), rather than the shipped one. */
    fineTunedInUse: boolean;
  };
  recent: { rows: DecisionRow[]; total: number };
  /** Each backend's health as the pool last saw it (circuit breaker, error rate, latency); absent or empty: none yet. */
  backends?: BackendHealth[];
  /** The A/B experiment and the split by workspace (src/panel/features.ts); absent from hosts that do not send it. */
  features?: FeaturesView;
}

/** What the panel shows of the A/B experiment (running, else the latest) and of spend per workspace. */
export interface FeaturesView {
  experiment: {
    name: string;
    running: boolean;
    arms: {
      arm: 'a' | 'b';
      config: string;
      requests: number;
      costPerRequestUsd: number | null;
      thumbsUpRate: number | null;
      thumbs: number;
      errorRate: number | null;
    }[];
    /** One line per measure: b against a with its 95 % interval, or why it is not yet meaningful. */
    verdicts: { text: string; meaningful: boolean }[];
  } | null;
  /** Spend in the period per workspace (folder name; null name: requests from no workspace), largest first. */
  workspaces: { name: string | null; id: string | null; requests: number; spendUsd: number; savedUsd: number }[];
}

/** What the panel shows of the last fine-tune: the classifier's FineTuneResult without its training details. */
export type FineTuneView = Pick<
  FineTuneResult,
  | 'at'
  | 'trainRows'
  | 'heldBack'
  | 'accuracyBefore'
  | 'accuracyAfter'
  | 'rightBefore'
  | 'rightAfter'
  | 'before'
  | 'kept'
  | 'message'
> & { removedAt: number | null };
