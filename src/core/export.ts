// Every recorded decision with its cost and latest feedback, as CSV or JSON: what `llm-router export` and the
// "Export Decisions" command write (one module, so both files read the same).
import type { DecisionStore, FeedbackRow } from './store/api';
import type { DecisionRecord, Source } from './types';

export type ExportFormat = 'csv' | 'json';

export const CSV_COLUMNS = [
  'id',
  'time',
  'source',
  'status',
  'tier',
  'tierId',
  'model',
  'answeredModel',
  'complexity',
  'category',
  'score',
  'confidence',
  'highStakes',
  'override',
  'blocked',
  'strategy',
  'inputTokens',
  'outputTokens',
  'cacheWriteTokens',
  'cacheReadTokens',
  'costUsd',
  'baselineCostUsd',
  'estCostUsd',
  'latencyMs',
  'ttftMs',
  'thumb',
  'autoQuality',
  'parentId',
  'error',
  'reasons',
  'prompt',
  'workspaceName',
  'workspaceId',
  'workflowId',
  'workflowStep',
  'experimentId',
  'experimentArm',
] as const;

/** One CSV field (RFC 4180): quoted when needed; text a spreadsheet would run as a formula gets a leading '. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'string' ? v : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

function latest(fb: FeedbackRow[]): { thumb: 'up' | 'down' | null; autoQuality: number | null } {
  let thumb: 'up' | 'down' | null = null;
  let autoQuality: number | null = null;
  for (const f of fb) {
    if (f.thumb) thumb = f.thumb;
    if (f.autoQuality !== null) autoQuality = f.autoQuality;
  }
  return { thumb, autoQuality };
}

export function csvRow(d: DecisionRecord, fb: FeedbackRow[]): string {
  const l = latest(fb);
  const u = d.usage;
  const v: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    id: d.id,
    time: new Date(d.time).toISOString(),
    source: d.source,
    status: d.status,
    tier: d.tier,
    tierId: d.tierId,
    model: d.model,
    answeredModel: d.answeredModel,
    complexity: d.complexity,
    category: d.category,
    score: d.score,
    confidence: d.confidence,
    highStakes: d.highStakes,
    override: d.override,
    blocked: d.blocked,
    strategy: d.strategy,
    inputTokens: u?.inputTokens,
    outputTokens: u?.outputTokens,
    cacheWriteTokens: u?.cacheWriteTokens,
    cacheReadTokens: u?.cacheReadTokens,
    costUsd: d.costUsd,
    baselineCostUsd: d.baselineCostUsd,
    estCostUsd: d.estCostUsd,
    latencyMs: d.latencyMs,
    ttftMs: d.ttftMs,
    thumb: l.thumb,
    autoQuality: l.autoQuality,
    parentId: d.parentId,
    error: d.error,
    reasons: d.reasons.join(' | '),
    prompt: d.prompt,
    workspaceName: d.workspaceName,
    workspaceId: d.workspaceId,
    workflowId: d.workflowId,
    workflowStep: d.workflowStep,
    experimentId: d.experimentId,
    experimentArm: d.experimentArm,
  };
  return CSV_COLUMNS.map((c) => csvField(v[c])).join(',');
}

/** Every decision since a time, oldest first (read newest-first in pages, then reversed). */
/** Only the decisions of one workspace and/or one client (source). */
export interface ExportFilter {
  workspaceId?: string;
  source?: Source;
}

export function decisionsOldestFirst(
  store: DecisionStore,
  since?: number,
  filter: ExportFilter = {},
): DecisionRecord[] {
  const all: DecisionRecord[] = [];
  const page = 5000;
  for (let off = 0; ; off += page) {
    const { rows } = store.listDecisions({ since, limit: page, offset: off, ...filter });
    all.push(...rows);
    if (rows.length < page) break;
  }
  return all.reverse();
}

/** The whole export as text, and how many decisions it holds. */
export function exportText(
  store: DecisionStore,
  format: ExportFormat,
  since?: number,
  filter: ExportFilter = {},
): { text: string; count: number } {
  const rows = decisionsOldestFirst(store, since, filter);
  if (format === 'json') {
    const all = rows.map((d) => ({
      ...d,
      feedback: store.feedbackFor(d.id).map(({ id: _id, decisionId: _d, ...f }) => f),
    }));
    return { text: `${JSON.stringify(all, null, 2)}\n`, count: rows.length };
  }
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const d of rows) lines.push(csvRow(d, store.feedbackFor(d.id)));
  return { text: `${lines.join('\n')}\n`, count: rows.length };
}
