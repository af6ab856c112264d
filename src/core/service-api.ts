// The contract of the routing service: the one object the CLI and the VS Code glue talk to.
// ./service.ts implements it on top of classifier + policy + store + budget + quality + provider.
import type { FineTuneResult } from './classifier/finetune';
import type { ChatMessage, ClientFor, ModelClient, ToolCall, ToolSpec } from './provider/api';
import type { DecisionStore } from './store/api';
import type {
  BudgetState,
  Classification,
  Decision,
  DecisionRecord,
  RouterConfig,
  RoutingAdjustment,
  Source,
  Turn,
} from './types';

export interface RouteRequest {
  prompt: string;
  /** Earlier turns of the same conversation, oldest first (fitted to the model's context window by the service). */
  history?: Turn[];
  source: Source;
  /** The workspace the request came from (folder name and stable id, never a path); recorded on each call. */
  workspace?: { name: string; id: string } | null;
  /** A tier id or label the user forced ("opus"), or null. */
  override?: string | null;
  system?: string;
  maxTokens?: number;
  signal?: AbortSignal;
  /** Called once the tier is chosen, before any model call ("Routed to Sonnet · medium / code · confidence 0.82"). */
  onDecision?(d: Decision): void;
  onText?(delta: string): void;
  /**
   * Something the user should see while it runs ("Sonnet is overloaded: falling back to Opus"). `kind` 'wait' is a
   * passing state (a wait before a retry: "Sonnet hit a rate limit (429): retrying in 12 s"), fit for a progress line.
   */
  onNotice?(message: string, kind?: NoticeKind): void;
  /**
   * A tier failed after part of its answer went out through onText, and another tier answers from the start. Without
   * this callback the service marks the place in the text itself: onText gets "\n\n[Sonnet stopped: overloaded.
   * Answer from Opus:]\n\n" (restartMarker) before the new answer.
   */
  onRestart?(r: Restart): void;
  /** An agent request (src/core/agentTurn.ts): `prompt` and `history` only decide the tier; this is what is sent. */
  agent?: AgentPayload;
}

/** What an agent request sends as it is: the structured conversation, the tools, and what it all weighs. */
export interface AgentPayload {
  /** The whole conversation (tool calls, tool results, images), oldest first; sent unchanged (no history fitting). */
  messages: ChatMessage[];
  tools?: ToolSpec[];
  toolMode?: 'auto' | 'required';
  onToolCall?(call: ToolCall): void;
  /** Estimated input tokens of the whole request (system, tools, messages, images): the estimates and budget use it. */
  inputTokens: number;
}

/** Where one tier's streamed answer stopped and another's starts. */
export interface Restart {
  /** The tier that stopped, and why in a few words ("overloaded", "rate limited", "server error"). */
  stopped: string;
  reason: string;
  /** The tier whose answer follows. */
  next: string;
  /** What the stopped tier had sent. */
  partialText: string;
}

/** The line that marks a restart in streamed text: "[Sonnet stopped: overloaded. Answer from Opus:]". */
export function restartMarker(r: Pick<Restart, 'stopped' | 'reason' | 'next'>): string {
  return `[${r.stopped} stopped: ${r.reason}. Answer from ${r.next}:]`;
}

export type NoticeKind = 'info' | 'wait';

/** One model call made for a request: the primary call, a fallback, or a cascade step. Each is its own record. */
export interface CallSummary {
  decisionId: string;
  role: 'primary' | 'fallback' | 'cascade-cheap' | 'cascade-escalated';
  model: string;
  tier: number;
  status: DecisionRecord['status'];
  costUsd: number | null;
  error: string | null;
}

export interface RouteOutcome {
  decision: Decision;
  /** The record of the call whose answer the user got. */
  record: DecisionRecord;
  text: string;
  calls: CallSummary[];
  /** Sum over all calls (null if any call was unpriced). */
  totalCostUsd: number | null;
  /** What the answered usage would have cost on the top tier. */
  baselineCostUsd: number | null;
  savedUsd: number | null;
  quality: { score: number; signals: Record<string, number> } | null;
  budget: BudgetState | null;
  /** Tool calls the answer made (agent requests), in order. */
  toolCalls?: ToolCall[];
}

export interface RetrainResult {
  added: RoutingAdjustment[];
  /** Groups looked at, with why each did or did not change. */
  report: string[];
  time: number;
}

export interface RouterService {
  readonly config: RouterConfig;
  readonly store: DecisionStore;
  classify(prompt: string, history?: readonly Turn[]): Classification;
  /** Decides without recording anything. */
  decide(req: Pick<RouteRequest, 'prompt' | 'history' | 'override' | 'agent'>): Decision;
  /** Decides and records (status 'dry-run'), no model call. */
  dryRun(req: RouteRequest): DecisionRecord;
  /**
   * Decides, checks the budget (worst case), calls the model with retries, fallback and cascade, records every call
   * with its real cost, and scores the answer automatically. `client` serves every tier, or a `ClientFor` gives each
   * tier its own (tiers may mix providers; asked once per tier and request). A tier whose client is null is skipped
   * (the request moves to the nearest tier that has one, a fallback passes over it) and a notice says so. With no
   * client for any tier (no API key) it throws RouteError 'no-key'.
   */
  run(req: RouteRequest, client: ModelClient | ClientFor | null): Promise<RouteOutcome>;
  /**
   * Stops every request under way (VS Code shutting down mid-answer) and resolves once each has recorded what it
   * received (status cancelled, the tokens and their cost) and released its budget reservation.
   */
  cancelAll(): Promise<void>;
  /**
   * Holds the worst case of a call made outside `run` (a later request of an agent loop, recorded on decision `rec`)
   * against the budget, shared with every process using the store. Refused: why, in words. `release` once recorded.
   */
  holdCall(rec: DecisionRecord, worstUsd: number | null): Promise<{ release(): void } | { refused: string }>;
  /** Thumbs from a person; may trigger automatic retraining every N feedback events. */
  feedback(decisionId: string, thumb: 'up' | 'down'): void;
  budgetState(): BudgetState | null;
  retrain(): RetrainResult;
  undoAdjustment(id: string): boolean;
  /**
   * Fine-tunes the learned classifier on the store's rated answers (a quarter held back to measure on, before and
   * after, with the thresholds in force) and keeps it for routing only if it did not do worse. Says so plainly when
   * there is too little feedback (result.trained false).
   */
  fineTune(): FineTuneResult;
  /** Removes the fine-tuned model: routing goes back to the shipped one. False when there was none. */
  resetFineTune(): boolean;
}

/** 'too-long': no tier's context window fits the prompt (refused before any call). */
export type RouteErrorKind = 'no-key' | 'blocked' | 'provider' | 'cancelled' | 'too-long';

export class RouteError extends Error {
  constructor(
    readonly kind: RouteErrorKind,
    message: string,
    /** The decision made before the failure, when there was one. */
    readonly decision: Decision | null = null,
  ) {
    super(message);
    this.name = 'RouteError';
  }
  /** By its name, not its class: the extension glue and its lazily loaded engine are two bundles with a copy each. */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return x instanceof Error && x.name === 'RouteError' && typeof (x as { kind?: unknown }).kind === 'string';
  }
}
