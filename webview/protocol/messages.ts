// The panel protocol's messages (webview/protocol.ts re-exports them): each declared once as a typed descriptor,
// webview → host commands and requests, host → webview notifications.
import type { BudgetSettings } from '../../src/core/store/api';
import type { DecisionDetail, DecisionRow, FineTuneView, Period, ViewModel } from './types';

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
  /** When the page got where (Date.now() clock, ms): its navigation start, HTML received, script start, headline drawn. */
  marks?: Record<string, number>;
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
