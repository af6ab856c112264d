// Between records and table rows: the decision columns, what a record or a patch of one becomes in them (validated,
// prompts trimmed to the prompt-storage setting, errors redacted), and rows read back as records.
import type { SqlValue } from 'sql.js';
import { combineQuality } from '../quality';
import { redactSecrets } from '../redact';
import type { DecisionRecord, PromptStorage, RoutingAdjustment } from '../types';
import type { FeedbackRow, QualitySample } from './api';
import { dayKey, dayStart, nextDayStart } from './days';

/** Optional tags of a decision (schema 4): workflow run and step, experiment and arm, workspace name and id. */
const EXTRA_COLS = [
  ['workflowId', 'workflow_id'],
  ['workflowStep', 'workflow_step'],
  ['experimentId', 'experiment_id'],
  ['experimentArm', 'experiment_arm'],
  ['workspaceName', 'workspace_name'],
  ['workspaceId', 'workspace_id'],
] as const;

/** Decision columns in insert order; `day`/`day_start` are derived from `time`. */
export const DEC_COLS = [
  'id',
  'time',
  'tier',
  'tier_id',
  'model',
  'score',
  'complexity',
  'category',
  'confidence',
  'reasons',
  'est_input_tokens',
  'est_cost_usd',
  'baseline_est_cost_usd',
  'override',
  'adjustments',
  'high_stakes',
  'blocked',
  'strategy',
  'source',
  'prompt',
  'answered_model',
  'input_tokens',
  'output_tokens',
  'cache_write_tokens',
  'cache_read_tokens',
  'cost_usd',
  'baseline_cost_usd',
  'latency_ms',
  'ttft_ms',
  'status',
  'error',
  'parent_id',
  ...EXTRA_COLS.map(([, c]) => c),
  'day',
  'day_start',
] as const;
export const READ_COLS = DEC_COLS.slice(0, -2).join(', ');
export const UPSERT_DECISION = `INSERT INTO decisions (${DEC_COLS.join(', ')}) VALUES (${DEC_COLS.map(() => '?').join(', ')})
  ON CONFLICT(id) DO UPDATE SET ${DEC_COLS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;
export const FB_COLS = ['uid', 'decision_id', 'thumb', 'auto_quality', 'signals', 'time'];
export const READ_FEEDBACK = 'SELECT id, decision_id, thumb, auto_quality, signals, time FROM feedback';
export const READ_ADJUSTMENTS =
  'SELECT id, complexity, category, kind, tier, reason, evidence, created_at, reverted_at FROM adjustments';
export const READ_QUALITY = 'SELECT id, time, tier, complexity, category, thumb, auto_quality FROM decisions';

const STATUSES = new Set(['pending', 'ok', 'error', 'cancelled', 'dry-run', 'blocked', 'interrupted']);
const SOURCES = new Set(['chat', 'command', 'cli', 'model-provider', 'endpoint', 'judge']);

export const num = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
export const str = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const json = <T>(v: SqlValue | undefined, fallback: T): T => {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};
const fin = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function rowToDecision(r: SqlValue[]): DecisionRecord {
  const inTok = num(r[21]);
  return {
    id: String(r[0]),
    time: Number(r[1]),
    tier: Number(r[2]),
    tierId: String(r[3]),
    model: String(r[4]),
    score: Number(r[5]),
    complexity: String(r[6]) as DecisionRecord['complexity'],
    category: String(r[7]) as DecisionRecord['category'],
    confidence: Number(r[8]),
    reasons: json(r[9], [] as string[]),
    estInputTokens: Number(r[10]),
    estCostUsd: num(r[11]),
    baselineEstCostUsd: num(r[12]),
    override: str(r[13]),
    adjustments: json(r[14], [] as string[]),
    highStakes: !!r[15],
    blocked: !!r[16],
    strategy: String(r[17]),
    source: String(r[18]) as DecisionRecord['source'],
    prompt: str(r[19]),
    answeredModel: str(r[20]),
    usage:
      inTok === null
        ? null
        : {
            inputTokens: inTok,
            outputTokens: Number(r[22] ?? 0),
            cacheWriteTokens: Number(r[23] ?? 0),
            cacheReadTokens: Number(r[24] ?? 0),
          },
    costUsd: num(r[25]),
    baselineCostUsd: num(r[26]),
    latencyMs: num(r[27]),
    ttftMs: num(r[28]),
    status: String(r[29]) as DecisionRecord['status'],
    error: str(r[30]),
    parentId: str(r[31]),
    // The optional tags appear only when set, so records without them read back as they were written.
    ...Object.fromEntries(EXTRA_COLS.map(([f], i) => [f, str(r[32 + i])]).filter(([, v]) => v !== null)),
  };
}

export function rowToAdjustment(r: SqlValue[]): RoutingAdjustment {
  return {
    id: String(r[0]),
    complexity: String(r[1]) as RoutingAdjustment['complexity'],
    category: String(r[2]) as RoutingAdjustment['category'],
    kind: String(r[3]) as RoutingAdjustment['kind'],
    tier: Number(r[4]),
    reason: String(r[5]),
    evidence: json(r[6], { samples: 0, meanQuality: 0, fromTier: 0 }),
    createdAt: Number(r[7]),
    revertedAt: num(r[8]),
  };
}

export function rowToFeedback(r: SqlValue[]): FeedbackRow {
  return {
    id: Number(r[0]),
    decisionId: String(r[1]),
    thumb: str(r[2]) as FeedbackRow['thumb'],
    autoQuality: num(r[3]),
    signals: json<Record<string, number> | null>(r[4], null),
    time: Number(r[5]),
  };
}

/** A row of READ_QUALITY (which has a thumb, an automatic quality or both) as a sample for retraining. */
export function rowToQualitySample(r: SqlValue[]): QualitySample {
  const thumb = str(r[5]) as QualitySample['thumb'];
  const auto = num(r[6]);
  return {
    decisionId: String(r[0]),
    time: Number(r[1]),
    tier: Number(r[2]),
    complexity: String(r[3]) as QualitySample['complexity'],
    category: String(r[4]) as QualitySample['category'],
    thumb,
    autoQuality: auto,
    quality: combineQuality(thumb, auto) ?? 0,
  };
}

/** Patch fields that are stored as they are, under another column name, after `fin` (numbers) or as-is (text). */
const NUMBER_FIELDS: Partial<Record<keyof DecisionRecord, string>> = {
  estCostUsd: 'est_cost_usd',
  baselineEstCostUsd: 'baseline_est_cost_usd',
  costUsd: 'cost_usd',
  baselineCostUsd: 'baseline_cost_usd',
  latencyMs: 'latency_ms',
  ttftMs: 'ttft_ms',
};
const NULLABLE_TEXT_FIELDS: Partial<Record<keyof DecisionRecord, string>> = {
  answeredModel: 'answered_model',
  parentId: 'parent_id',
  override: 'override',
  ...Object.fromEntries(EXTRA_COLS),
};

/** Turns records into decision rows: knows the prompt-storage setting and caches the local day of a time. */
export class DecisionColumns {
  private dayCache: { from: number; to: number; key: string } = { from: 0, to: 0, key: '' };

  constructor(
    private readonly promptStorage: PromptStorage,
    private readonly previewChars: number,
  ) {}

  storedPrompt(p: string | null | undefined): string | null {
    if (p === null || p === undefined) return null;
    if (this.promptStorage === 'none') return null;
    if (this.promptStorage === 'full') return p;
    return p.length > this.previewChars ? `${p.slice(0, this.previewChars)}…` : p;
  }

  /** The local day of a time (cached: inserts come in time order, mostly on the same day). */
  dayOf(time: number): [string, number] {
    const c = this.dayCache;
    if (!(time >= c.from && time < c.to)) {
      this.dayCache = { from: dayStart(time), to: nextDayStart(time), key: dayKey(time) };
    }
    return [this.dayCache.key, this.dayCache.from];
  }

  /** A whole record as a row in DEC_COLS order; throws a TypeError naming the field that is wrong. */
  row(rec: DecisionRecord): SqlValue[] {
    if (!rec || typeof rec.id !== 'string' || !rec.id)
      throw new TypeError('insertDecision: the record needs a non-empty string id');
    if (!Number.isFinite(rec.time))
      throw new TypeError(`insertDecision ${rec.id}: time must be a number (ms since epoch)`);
    if (!Number.isInteger(rec.tier) || rec.tier < 0)
      throw new TypeError(`insertDecision ${rec.id}: tier must be a tier index ≥ 0`);
    if (!STATUSES.has(rec.status))
      throw new TypeError(`insertDecision ${rec.id}: unknown status ${JSON.stringify(rec.status)}`);
    if (!SOURCES.has(rec.source))
      throw new TypeError(`insertDecision ${rec.id}: unknown source ${JSON.stringify(rec.source)}`);
    const u = rec.usage;
    return [
      rec.id,
      rec.time,
      rec.tier,
      rec.tierId,
      rec.model,
      fin(rec.score) ?? 0,
      rec.complexity,
      rec.category,
      fin(rec.confidence) ?? 0,
      JSON.stringify(rec.reasons ?? []),
      fin(rec.estInputTokens) ?? 0,
      fin(rec.estCostUsd),
      fin(rec.baselineEstCostUsd),
      rec.override ?? null,
      JSON.stringify(rec.adjustments ?? []),
      rec.highStakes ? 1 : 0,
      rec.blocked ? 1 : 0,
      rec.strategy ?? '',
      rec.source,
      this.storedPrompt(rec.prompt),
      rec.answeredModel ?? null,
      u ? u.inputTokens : null,
      u ? u.outputTokens : null,
      u ? u.cacheWriteTokens : null,
      u ? u.cacheReadTokens : null,
      fin(rec.costUsd),
      fin(rec.baselineCostUsd),
      fin(rec.latencyMs),
      fin(rec.ttftMs),
      rec.status,
      rec.error == null ? null : redactSecrets(rec.error),
      rec.parentId ?? null,
      ...EXTRA_COLS.map(([f]) => rec[f] ?? null),
      ...this.dayOf(rec.time),
    ];
  }

  /** The columns and values a patch of decision `id` sets (none for an empty patch); throws on a bad field. */
  patch(id: string, patch: Partial<DecisionRecord>): { cols: string[]; vals: SqlValue[] } {
    const cols: string[] = [];
    const vals: SqlValue[] = [];
    const set = (c: string, v: SqlValue) => {
      cols.push(c);
      vals.push(v);
    };
    for (const [k, v] of Object.entries(patch) as [keyof DecisionRecord, unknown][]) {
      if (v === undefined) continue;
      const numCol = NUMBER_FIELDS[k];
      const textCol = NULLABLE_TEXT_FIELDS[k];
      if (numCol) set(numCol, fin(v as number));
      else if (textCol) set(textCol, (v as string | null) ?? null);
      else this.patchField(id, k, v, set);
    }
    return { cols, vals };
  }

  private patchField(id: string, k: keyof DecisionRecord, v: unknown, set: (c: string, v: SqlValue) => void): void {
    switch (k) {
      case 'id':
        if (v !== id) throw new TypeError('updateDecision: the id cannot change');
        break;
      case 'time':
        if (!Number.isFinite(v)) throw new TypeError('updateDecision: time must be a number');
        set('time', v as number);
        set('day', this.dayOf(v as number)[0]);
        set('day_start', this.dayOf(v as number)[1]);
        break;
      case 'tier':
        if (!Number.isInteger(v) || (v as number) < 0)
          throw new TypeError('updateDecision: tier must be a tier index ≥ 0');
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
        set('input_tokens', u ? u.inputTokens : null);
        set('output_tokens', u ? u.outputTokens : null);
        set('cache_write_tokens', u ? u.cacheWriteTokens : null);
        set('cache_read_tokens', u ? u.cacheReadTokens : null);
        break;
      }
      case 'reasons':
      case 'adjustments':
        set(k, JSON.stringify(v));
        break;
      case 'highStakes':
        set('high_stakes', v ? 1 : 0);
        break;
      case 'blocked':
        set('blocked', v ? 1 : 0);
        break;
      case 'prompt':
        set('prompt', this.storedPrompt(v as string | null));
        break;
      case 'tierId':
        set('tier_id', v as string);
        break;
      case 'estInputTokens':
        set('est_input_tokens', fin(v as number) ?? 0);
        break;
      case 'score':
      case 'confidence':
        set(k, fin(v as number) ?? 0);
        break;
      case 'model':
      case 'complexity':
      case 'category':
      case 'strategy':
        set(k, String(v));
        break;
      case 'error':
        set(k, v == null ? null : redactSecrets(String(v)));
        break;
      default:
        throw new TypeError(`updateDecision: unknown field ${String(k)}`);
    }
  }
}
