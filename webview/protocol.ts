// The ONE message protocol between the extension host (src/vscode/panel.ts, src/panel/host.ts) and the cost panel
// webview (webview/main.ts). Every message is declared once below as a typed descriptor; both sides send and
// receive only through the helpers in this file, so there is no stringly-typed postMessage anywhere else.
//
// Wire format (plain JSON, structured-clone safe):
//   webview → host   command       { method, params }
//   webview → host   request       { method, params, id }         (the host answers with a reply carrying that id)
//   host → webview   notification  { method, params }
//   host → webview   reply         { method: '$reply', id, ok: true, result } | { method: '$reply', id, ok: false, error }
//
// Ready handshake: the host queues every notification until the webview sends `ready`; then it flushes them in
// order. A webview that is reloaded (hidden and shown again) sends `ready` again and gets a fresh state.
//
// This file also owns the wire types: the ViewModel the host computes (src/panel/viewModel.ts) and the webview
// draws, and the rows and details inside it. Pure TypeScript: no DOM, no `vscode`, no Node; the records inside come
// from src/core (type imports only, erased from the browser bundle).
import type { FineTuneResult } from '../src/core/classifier/finetune';
import type { BudgetSettings } from '../src/core/store/api';
import type { BudgetState, DecisionRecord } from '../src/core/types';
import type { BackendHealth } from '../src/core/pool/breaker';

// ---------------------------------------------------------------------------------------------------------------
// Wire types

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

// ---------------------------------------------------------------------------------------------------------------
// Descriptors

/** A message from the webview that needs no answer. `P` is its parameter type (phantom: never set at run time). */
export interface CommandType<P> {
  readonly kind: 'command';
  readonly method: string;
  readonly _params?: P;
}
/** A message from the webview that gets exactly one reply of type `R`. */
export interface RequestType<P, R> {
  readonly kind: 'request';
  readonly method: string;
  readonly _params?: P;
  readonly _result?: R;
}
/** A message from the host to the webview. */
export interface NotificationType<P> {
  readonly kind: 'notification';
  readonly method: string;
  readonly _params?: P;
}

const command = <P>(method: string): CommandType<P> => ({ kind: 'command', method });
const request = <P, R>(method: string): RequestType<P, R> => ({ kind: 'request', method });
const notification = <P>(method: string): NotificationType<P> => ({ kind: 'notification', method });

export type ParamsOf<T> =
  T extends CommandType<infer P>
    ? P
    : T extends RequestType<infer P, unknown>
      ? P
      : T extends NotificationType<infer P>
        ? P
        : never;
export type ResultOf<T> = T extends RequestType<unknown, infer R> ? R : never;

/** The answer to an action the user took: whether it worked, and a sentence to show. */
export interface ActionResult {
  ok: boolean;
  message: string;
}

// webview → host --------------------------------------------------------------------------------------------------

/** The webview has loaded and listens. `period` is what it remembered (webview state), if anything. */
export const Ready = command<{ period?: Period }>('ready');
/** The user chose another period for the figures and charts. */
export const SetPeriod = command<{ period: Period }>('setPeriod');
/** Run retraining now; the reply says what changed. */
export const RetrainNow = request<Record<string, never>, ActionResult & { added: number; report: string[] }>(
  'retrainNow',
);
/** Fine-tune the classifier on the user's feedback now; the reply has the figures (null when nothing was trained). */
export const FineTuneNow = request<Record<string, never>, ActionResult & { fineTune: FineTuneView | null }>(
  'fineTuneNow',
);
/** Remove the fine-tuned model: routing goes back to the shipped one. */
export const ResetFineTune = request<Record<string, never>, ActionResult>('resetFineTune');
/** Undo one routing adjustment. */
export const UndoAdjustment = request<{ id: string }, ActionResult>('undoAdjustment');
/** Save budget limits (null = no limit). */
export const SetBudget = request<BudgetSettings, ActionResult>('setBudget');
/** Thumbs up/down on one decision. */
export const GiveFeedback = request<{ decisionId: string; thumb: 'up' | 'down' }, ActionResult>('giveFeedback');
/** The whole record of one decision, for the detail view. */
export const ShowDecision = request<{ id: string }, { decision: DecisionDetail | null }>('showDecision');
/** Ask the editor to prompt for the Anthropic API key (stored in SecretStorage by the host, never here). */
export const SetApiKey = command<Record<string, never>>('setApiKey');
/** Open the chat with `@router`. */
export const OpenChat = command<Record<string, never>>('openChat');
/** A page of recent decisions (newest first). */
export const RequestPage = request<
  { offset: number; limit: number },
  { rows: DecisionRow[]; total: number; offset: number }
>('requestPage');

/** The webview drew a state: what it shows, read back from its own page (for tests in the real editor). */
export const Rendered = command<RenderedInfo>('rendered');

export interface RenderedInfo {
  /** 'headline': the headline figures and the budget are drawn (a Headline message), the rest not yet;
   *  'full': a whole State is drawn. */
  stage: 'headline' | 'full';
  /** Whole states drawn so far. */
  renders: number;
  period: Period;
  /** ViewModel.generatedAt of the state drawn. */
  generatedAt: number;
  /** The headline figures as the user reads them: { spend: '$0.0123', requests: '3', saved: '$0.0456', … }. */
  figures: Record<string, string>;
  /** Ids of the decisions listed. */
  decisionIds: string[];
  empty: boolean;
}

// host → webview --------------------------------------------------------------------------------------------------

/** The whole view model; sent after ready, on period change and (throttled) whenever the store changes. */
export const State = notification<{ state: ViewModel }>('state');
/** What the panel draws first, before the charts and the lists: the headline figures and the budget, with what
 *  decides the layout (empty, period, tiers). Sent just before each State. */
export type Summary = Pick<
  ViewModel,
  'period' | 'since' | 'generatedAt' | 'empty' | 'hasKey' | 'tiers' | 'headline' | 'budget'
>;
export const Headline = notification<{ summary: Summary }>('headline');
/** A sentence the user should see (an error from an action the host ran on its own, a warning). */
export const Notice = notification<{ level: 'info' | 'warning' | 'error'; message: string }>('notice');

export const WEBVIEW_TO_HOST = [
  Ready,
  SetPeriod,
  RetrainNow,
  FineTuneNow,
  ResetFineTune,
  UndoAdjustment,
  SetBudget,
  GiveFeedback,
  ShowDecision,
  SetApiKey,
  OpenChat,
  RequestPage,
  Rendered,
] as const;
export const HOST_TO_WEBVIEW = [Headline, State, Notice] as const;
export const REPLY = '$reply';

// ---------------------------------------------------------------------------------------------------------------
// Wire messages

export interface WireMessage {
  method: string;
  params?: unknown;
  id?: number;
}
export type WireReply =
  | { method: typeof REPLY; id: number; ok: true; result: unknown }
  | { method: typeof REPLY; id: number; ok: false; error: string };

export function isWireMessage(x: unknown): x is WireMessage {
  return typeof x === 'object' && x !== null && typeof (x as { method?: unknown }).method === 'string';
}

// ---------------------------------------------------------------------------------------------------------------
// Host side: receives commands and requests, sends notifications (held until ready) and replies.

type Handler = (params: unknown) => unknown;

export class HostEndpoint {
  private ready = false;
  private readonly queue: WireMessage[] = [];
  private readonly handlers = new Map<string, { kind: 'command' | 'request'; fn: Handler }>();
  private readyListener: ((params: ParamsOf<typeof Ready>, flushed: string[]) => void) | undefined;
  private disposed = false;

  /** `post` delivers one message to the webview (webview.postMessage in VS Code, an HTTP stream in the harness). */
  constructor(
    private readonly post: (msg: WireMessage | WireReply) => unknown,
    private readonly log?: (m: string) => void,
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** Called when the webview says `ready`, after the queue is flushed, with the methods of the messages flushed. */
  onReady(fn: (params: ParamsOf<typeof Ready>, flushed: string[]) => void): void {
    this.readyListener = fn;
  }

  onCommand<P>(type: CommandType<P>, fn: (params: P) => void | Promise<void>): void {
    this.handlers.set(type.method, { kind: 'command', fn: fn as Handler });
  }

  onRequest<P, R>(type: RequestType<P, R>, fn: (params: P) => R | Promise<R>): void {
    this.handlers.set(type.method, { kind: 'request', fn: fn as Handler });
  }

  /** Sends a notification now if the webview is ready, otherwise when it is. */
  notify<P>(type: NotificationType<P>, params: P): void {
    if (this.disposed) return;
    const msg: WireMessage = { method: type.method, params };
    if (this.ready) this.send(msg);
    else this.queue.push(msg);
  }

  /** Drops queued notifications of this type (a newer state replaces an older one still waiting). */
  dropQueued<P>(type: NotificationType<P>): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].method === type.method) this.queue.splice(i, 1);
  }

  /** Feed every message the webview posted here. Unknown or malformed messages are logged and ignored. */
  async receive(raw: unknown): Promise<void> {
    if (this.disposed) return;
    if (!isWireMessage(raw)) {
      this.log?.(`cost panel: ignored a malformed message`);
      return;
    }
    if (raw.method === Ready.method) {
      this.ready = true;
      const pending = this.queue.splice(0);
      for (const m of pending) this.send(m);
      this.readyListener?.(
        (raw.params ?? {}) as ParamsOf<typeof Ready>,
        pending.map((m) => m.method),
      );
      return;
    }
    const h = this.handlers.get(raw.method);
    if (!h) {
      this.log?.(`cost panel: no handler for "${raw.method}"`);
      if (typeof raw.id === 'number')
        this.send({ method: REPLY, id: raw.id, ok: false, error: `Unknown request "${raw.method}"` });
      return;
    }
    if (h.kind === 'command') {
      try {
        await h.fn(raw.params ?? {});
      } catch (e) {
        this.log?.(`cost panel: ${raw.method} failed: ${errText(e)}`);
      }
      return;
    }
    if (typeof raw.id !== 'number') {
      this.log?.(`cost panel: request "${raw.method}" without id`);
      return;
    }
    try {
      const result = await h.fn(raw.params ?? {});
      this.send({ method: REPLY, id: raw.id, ok: true, result });
    } catch (e) {
      this.log?.(`cost panel: ${raw.method} failed: ${errText(e)}`);
      this.send({ method: REPLY, id: raw.id, ok: false, error: errText(e) });
    }
  }

  /** The webview went away (it will say ready again when it comes back): queue until then. */
  reset(): void {
    this.ready = false;
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    this.handlers.clear();
  }

  private send(m: WireMessage | WireReply): void {
    if (this.disposed) return;
    try {
      void this.post(m);
    } catch (e) {
      this.log?.(`cost panel: post failed: ${errText(e)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Webview side: sends commands and requests (pending replies kept as promises by id), receives notifications.

export class WebviewEndpoint {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly listeners = new Map<string, ((params: unknown) => void)[]>();

  constructor(private readonly post: (msg: WireMessage) => void) {}

  send<P>(type: CommandType<P>, params: P): void {
    this.post({ method: type.method, params });
  }

  request<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ method: type.method, params, id });
    });
  }

  on<P>(type: NotificationType<P>, fn: (params: P) => void): void {
    const list = this.listeners.get(type.method) ?? [];
    list.push(fn as (params: unknown) => void);
    this.listeners.set(type.method, list);
  }

  /** Feed every message event's data here. */
  receive(raw: unknown): void {
    if (!isWireMessage(raw)) return;
    if (raw.method === REPLY) {
      const r = raw as WireReply;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else p.reject(new Error(r.error));
      return;
    }
    for (const fn of this.listeners.get(raw.method) ?? []) fn(raw.params);
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
