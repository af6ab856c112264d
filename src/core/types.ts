// Shared types of the routing engine. Pure data: no Node, no `vscode`.

export type Complexity = 'simple' | 'medium' | 'complex';
export type Category = 'factual' | 'reasoning' | 'creative' | 'code';
export const COMPLEXITIES: readonly Complexity[] = ['simple', 'medium', 'complex'];
export const CATEGORIES: readonly Category[] = ['factual', 'reasoning', 'creative', 'code'];

/** Where a request came from ('judge': a quality check's own call, never a routed request). */
export type Source = 'chat' | 'command' | 'cli' | 'model-provider' | 'endpoint' | 'judge';

/** One turn of a conversation, oldest first. */
export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

/** What a classifier says about one prompt. */
export interface Classification {
  /** In [0, 1]; higher means more need for a stronger model. Must rank prompts, not only bucket them. */
  score: number;
  complexity: Complexity;
  category: Category;
  /** In [0, 1]: how sure the classifier is of `complexity` and `category`. */
  confidence: number;
  /** The few signals that decided it, in words a user understands ("asks for a proof", "contains code"). */
  reasons: string[];
  /** True when the prompt touches a high-stakes domain (medical, legal, financial, security, compliance). */
  highStakes: boolean;
  /** Which high-stakes domain, when `highStakes`. */
  highStakesDomain?: string;
  /** Estimated input tokens of the prompt plus the history sent with it. */
  estInputTokens: number;
  /** Name of the strategy that produced this ("rules" or "learned"). */
  strategy: string;
}

/** Both strategies implement this. `classify` must take well under a millisecond for prompts up to 4,000 chars. */
export interface Classifier {
  readonly name: string;
  classify(prompt: string, history?: readonly Turn[]): Classification;
}

/** USD per million tokens. */
export interface Price {
  input: number;
  output: number;
  /** 5-minute cache write (1.25 × input at Anthropic). */
  cacheWrite: number;
  cacheRead: number;
  /** 1-hour cache write; absent in older configurations and databases: 2 × input (Anthropic's rate). */
  cacheWrite1h?: number;
}

/** Who serves a tier: Anthropic's Messages API, an OpenAI-compatible endpoint, or a VS Code language model. */
export type TierProvider = 'anthropic' | 'openai' | 'vscode';

export interface TierConfig {
  /** Short stable id: "haiku", "sonnet", "opus". */
  id: string;
  /** Shown to users: "Haiku". */
  label: string;
  /** The model id sent to the provider (for 'vscode' tiers: the VS Code model's id once resolved). */
  model: string;
  /** Default 'anthropic'. */
  provider?: TierProvider;
  /** For 'openai' tiers: the name of an endpoint the user defined (application scope): its base URL and key name. */
  endpoint?: string;
  /** For 'vscode' tiers: what `vscode.lm.selectChatModels` is asked for. Never this extension's own vendor. */
  selector?: { vendor?: string; family?: string; id?: string };
  /** False when no price is known for the model: its costs are null ("unpriced"), never $0. Default true. */
  priced?: boolean;
  price: Price;
  contextWindow: number;
  maxOutputTokens: number;
}

export interface RouterConfig {
  /** The preset the routing settings came from (economy, balanced, quality), when they came from one. */
  preset?: 'economy' | 'balanced' | 'quality';
  /** Cheapest first. The last tier is the "top tier": the savings baseline. */
  tiers: TierConfig[];
  /** ISO date the default prices were checked against the provider's price page. */
  pricesCheckedAt: string;
  /** Ascending score thresholds, one fewer than tiers: score < thresholds[0] → tier 0, etc. */
  thresholds: number[];
  /** Minimum tier index per category (code and reasoning never below the middle tier by default). */
  categoryFloors: Partial<Record<Category, number>>;
  /** Minimum tier index per complexity. */
  complexityFloors: Partial<Record<Complexity, number>>;
  /** Extra words and phrases that mark a prompt as high-stakes, on top of the built-in ones. */
  highStakesTerms: string[];
  /** Tier index for high-stakes prompts (default: the top tier). */
  highStakesTier: number;
  /** Below this confidence, escalate one tier. */
  lowConfidenceThreshold: number;
  /** Which classifier strategy to use. */
  strategy: 'rules' | 'learned';
  /** Prices for models that are not a tier (a fallback or a model the user forced), by model id. */
  extraPrices: Record<string, Price>;
  /** max_tokens sent with every request unless the caller says otherwise. */
  defaultMaxOutputTokens: number;
}

/** A routing rule that retraining added for one (complexity, category) group. */
export interface RoutingAdjustment {
  id: string;
  complexity: Complexity;
  category: Category;
  /** 'raise': the group goes to at least `tier`; 'lower': to at most `tier`. */
  kind: 'raise' | 'lower';
  tier: number;
  /** In words, with the evidence: "5 of 6 medium/code answers from Sonnet rated bad". */
  reason: string;
  evidence: { samples: number; meanQuality: number; fromTier: number };
  createdAt: number;
  /** Set when undone; an undone adjustment no longer applies. */
  revertedAt: number | null;
}

export type BudgetStateName = 'normal' | 'warning' | 'downgrading' | 'blocked';

export interface BudgetState {
  state: BudgetStateName;
  dailyLimitUsd: number | null;
  monthlyLimitUsd: number | null;
  spentTodayUsd: number;
  spentMonthUsd: number;
  /** The larger of the two used fractions, in [0, ∞). */
  usedFraction: number;
  /** What happens at 100 %: refuse, or answer with the cheapest tier only. */
  onExhausted: 'block' | 'cheapest';
}

/** What the engine decided for one prompt, before any model call. */
export interface Decision {
  id: string;
  /** ms since epoch */
  time: number;
  /** Index into config.tiers. */
  tier: number;
  tierId: string;
  model: string;
  score: number;
  complexity: Complexity;
  category: Category;
  confidence: number;
  /** Why this tier, in words: the classifier's signals plus every policy step that moved it. */
  reasons: string[];
  estInputTokens: number;
  /** Estimated cost of this request on the chosen model (input estimate + an output estimate); null if unpriced. */
  estCostUsd: number | null;
  /** Estimated cost of the same request on the top tier: the savings baseline. */
  baselineEstCostUsd: number | null;
  /** Set when the user forced a tier ("/opus", `--tier`). */
  override: string | null;
  /** Ids of routing adjustments that applied. */
  adjustments: string[];
  highStakes: boolean;
  /** True when the budget forbids this request. */
  blocked: boolean;
  strategy: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** All cache writes, 5-minute and 1-hour together. */
  cacheWriteTokens: number;
  cacheReadTokens: number;
  /** The part of cacheWriteTokens written with the 1-hour lifetime (priced at cacheWrite1h); 0 when absent. */
  cacheWrite1hTokens?: number;
}

/** `interrupted`: the process making the call ended (killed) before its outcome was recorded; the cost is unknown and
 *  its worst case stays held against the budget (store/reservations.ts). */
export type DecisionStatus = 'pending' | 'ok' | 'error' | 'cancelled' | 'dry-run' | 'blocked' | 'interrupted';

/** A decision as the store keeps it: what was decided plus what happened. */
export interface DecisionRecord extends Decision {
  source: Source;
  /** Depends on the prompt-storage setting: a short preview (default), the whole prompt, or null. */
  prompt: string | null;
  /** The model that actually answered (differs from `model` after a fallback). */
  answeredModel: string | null;
  usage: Usage | null;
  /** Real cost from usage; null when unpriced or not yet known. */
  costUsd: number | null;
  /** What the same usage would have cost on the top tier. */
  baselineCostUsd: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
  status: DecisionStatus;
  error: string | null;
  /** For a cascade's second call or a fallback: the decision it continues. */
  parentId: string | null;
  /** A step of a workflow run: the run's id and the step's id (null otherwise). */
  workflowId?: string | null;
  workflowStep?: string | null;
  /** Routed by an A/B experiment: its id and the arm ('a' or 'b'). */
  experimentId?: string | null;
  experimentArm?: string | null;
  /** The workspace the request came from: its folder name and a stable id (a hash, never the full path). */
  workspaceName?: string | null;
  workspaceId?: string | null;
}

export type PromptStorage = 'preview' | 'none' | 'full';
