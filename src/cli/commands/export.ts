// `llm-router export`: every recorded decision with its cost and latest feedback, as CSV or JSON.
import * as fs from 'node:fs';
import { Option, type Command } from 'commander';
import { openStore } from '../../core/store';
import type { DecisionStore, FeedbackRow } from '../../core/store/api';
import type { DecisionRecord } from '../../core/types';
import { addDbOption, defaultDbPath, out } from '../context';
import { parseSince } from './stats';

export const CSV_COLUMNS = [
  'id', 'time', 'source', 'status', 'tier', 'tierId', 'model', 'answeredModel', 'complexity', 'category', 'score',
  'confidence', 'highStakes', 'override', 'blocked', 'strategy', 'inputTokens', 'outputTokens', 'cacheWriteTokens',
  'cacheReadTokens', 'costUsd', 'baselineCostUsd', 'estCostUsd', 'latencyMs', 'ttftMs', 'thumb', 'autoQuality',
  'parentId', 'error', 'reasons', 'prompt',
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

function csvRow(d: DecisionRecord, fb: FeedbackRow[]): string {
  const l = latest(fb);
  const u = d.usage;
  const v: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    id: d.id, time: new Date(d.time).toISOString(), source: d.source, status: d.status, tier: d.tier, tierId: d.tierId,
    model: d.model, answeredModel: d.answeredModel, complexity: d.complexity, category: d.category, score: d.score,
    confidence: d.confidence, highStakes: d.highStakes, override: d.override, blocked: d.blocked, strategy: d.strategy,
    inputTokens: u?.inputTokens, outputTokens: u?.outputTokens, cacheWriteTokens: u?.cacheWriteTokens,
    cacheReadTokens: u?.cacheReadTokens, costUsd: d.costUsd, baselineCostUsd: d.baselineCostUsd, estCostUsd: d.estCostUsd,
    latencyMs: d.latencyMs, ttftMs: d.ttftMs, thumb: l.thumb, autoQuality: l.autoQuality, parentId: d.parentId,
    error: d.error, reasons: d.reasons.join(' | '), prompt: d.prompt,
  };
  return CSV_COLUMNS.map((c) => csvField(v[c])).join(',');
}

/** Every decision since a time, oldest first (read newest-first in pages, then reversed). */
function decisions(store: DecisionStore, since?: number): DecisionRecord[] {
  const all: DecisionRecord[] = [];
  const page = 5000;
  for (let off = 0; ; off += page) {
    const { rows } = store.listDecisions({ since, limit: page, offset: off });
    all.push(...rows);
    if (rows.length < page) break;
  }
  return all.reverse();
}

export function register(program: Command): void {
  addDbOption(
    program
      .command('export')
      .description('export recorded decisions with cost and feedback')
      .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
      .option('--out <file>', 'write to this file instead of standard output')
      .option('--since <period>', 'period: 7d, 30d, today, month, all, or a date (YYYY-MM-DD)', 'all'),
  ).action(async (opts: { db?: string; format: 'csv' | 'json'; out?: string; since?: string }) => {
    const since = parseSince(opts.since);
    const store = await openStore({ path: opts.db ?? defaultDbPath(), onNotice: (m) => process.stderr.write(`llm-router: ${m}\n`) });
    try {
      const lines: string[] = [];
      let n = 0;
      if (opts.format === 'csv') {
        lines.push(CSV_COLUMNS.join(','));
        for (const d of decisions(store, since)) {
          lines.push(csvRow(d, store.feedbackFor(d.id)));
          n++;
        }
      } else {
        const all: unknown[] = [];
        for (const d of decisions(store, since)) {
          all.push({ ...d, feedback: store.feedbackFor(d.id).map(({ id: _id, decisionId: _d, ...f }) => f) });
          n++;
        }
        lines.push(JSON.stringify(all, null, 2));
      }
      const text = `${lines.join('\n')}\n`;
      if (opts.out) {
        fs.writeFileSync(opts.out, text);
        out(`exported ${n} decision${n === 1 ? '' : 's'} to ${opts.out}`);
      } else process.stdout.write(text);
    } finally {
      await store.close();
    }
  });
}
