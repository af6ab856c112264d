// Which recorded decisions can be judged, and what the verdicts say: per tier and per kind of prompt
// (complexity / category), how often the cheaper tier was judged good enough; the judge's own cost apart.
import { formatUsd, pct, tierLabel } from '../format';
import type { DecisionStore } from '../store/api';
import type { DecisionRecord, RouterConfig } from '../types';

/** The default preview length of the store: a preview is the first 120 characters and "…". */
const PREVIEW_LEN = 121;

/** True when the stored prompt is the whole prompt (stored in full, or short enough that the preview kept it all). */
export function promptComplete(p: string | null): p is string {
  return typeof p === 'string' && p.trim().length > 0 && !(p.length <= PREVIEW_LEN && p.endsWith('…'));
}

/** Ids of decisions that already have a judge call. */
function judgedIds(store: DecisionStore): Set<string> {
  const rows = store.listDecisions({ source: 'judge', limit: 1_000_000 }).rows;
  return new Set(rows.map((r) => r.parentId).filter((x): x is string => !!x));
}

export interface Candidates {
  picked: DecisionRecord[];
  /** Answered by a cheaper tier, not judged yet, but without the whole prompt. */
  withoutPrompt: number;
  /** All answered requests looked at (not the judge's own). */
  answered: number;
}

/** The newest `n` answered decisions of a cheaper tier with a whole prompt that were not judged yet. */
export function pickCandidates(store: DecisionStore, config: RouterConfig, n: number): Candidates {
  const top = config.tiers.length - 1;
  const done = judgedIds(store);
  const picked: DecisionRecord[] = [];
  let withoutPrompt = 0;
  let answered = 0;
  const page = 500;
  for (let offset = 0; picked.length < n; offset += page) {
    const { rows } = store.listDecisions({ status: 'ok', limit: page, offset });
    if (!rows.length) break;
    for (const r of rows) {
      if (r.source === 'judge') continue;
      answered++;
      if (r.tier >= top || done.has(r.id)) continue;
      if (!promptComplete(r.prompt)) withoutPrompt++;
      else if (picked.length < n) picked.push(r);
    }
  }
  return { picked, withoutPrompt, answered };
}

export interface VerdictCounts {
  good: number;
  bad: number;
  /** Judged, but the judge's answer was no verdict (malformed) or its call failed. */
  none: number;
  /** good / (good + bad), null when neither. */
  goodRate: number | null;
}

export interface JudgeReport {
  byTier: (VerdictCounts & { tier: number })[];
  byKind: (VerdictCounts & { complexity: string; category: string })[];
  total: VerdictCounts;
  /** The judge's own calls and cost (not part of routing spend or savings). */
  judgeCalls: number;
  judgeCostUsd: number;
}

const empty = (): VerdictCounts => ({ good: 0, bad: 0, none: 0, goodRate: null });
const rate = (c: VerdictCounts) => ({ ...c, goodRate: c.good + c.bad ? c.good / (c.good + c.bad) : null });

/** The judge's verdict on a decision: the latest judge signal in its feedback; 'none' when it was judged without one. */
function verdictOf(store: DecisionStore, id: string): 'good' | 'bad' | 'none' {
  const fb = store.feedbackFor(id).filter((f) => f.signals && typeof f.signals.judge === 'number');
  if (!fb.length) return 'none';
  return fb[fb.length - 1].signals?.judge === 1 ? 'good' : 'bad';
}

export function judgeReport(store: DecisionStore, q: { since?: number } = {}): JudgeReport {
  const calls = store.listDecisions({ source: 'judge', since: q.since, limit: 1_000_000 }).rows;
  const tiers = new Map<number, VerdictCounts>();
  const kinds = new Map<string, VerdictCounts>();
  const total = empty();
  const seen = new Set<string>();
  for (const c of calls) {
    if (c.strategy !== 'judge' || !c.parentId || seen.has(c.parentId)) continue;
    seen.add(c.parentId);
    const d = store.getDecision(c.parentId);
    if (!d) continue;
    const v = verdictOf(store, d.id);
    const key = `${d.complexity}/${d.category}`;
    for (const m of [
      tiers.get(d.tier) ?? tiers.set(d.tier, empty()).get(d.tier)!,
      kinds.get(key) ?? kinds.set(key, empty()).get(key)!,
      total,
    ])
      m[v]++;
  }
  return {
    byTier: [...tiers].sort((a, b) => a[0] - b[0]).map(([tier, c]) => ({ tier, ...rate(c) })),
    byKind: [...kinds]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([k, c]) => {
        const [complexity, category] = k.split('/');
        return { complexity, category, ...rate(c) };
      }),
    total: rate(total),
    judgeCalls: calls.length,
    judgeCostUsd: calls.reduce((s, c) => s + (c.costUsd ?? 0), 0),
  };
}

/** The report as lines of text (the CLI prints them). */
export function formatJudgeReport(r: JudgeReport, config: RouterConfig): string[] {
  const n = r.total.good + r.total.bad + r.total.none;
  if (!n)
    return ['No answers have been judged yet: run `llm-router judge --sample 20` (needs prompts stored in full).'];
  const line = (name: string, c: VerdictCounts) =>
    `  ${name.padEnd(22)} ${String(c.good + c.bad + c.none).padStart(5)} judged  ${pct(c.goodRate).padStart(6)} good enough  (${c.good} good, ${c.bad} bad, ${c.none} no verdict)`;
  return [
    `Judged answers from cheaper tiers: ${n} (${r.total.good} good enough, ${r.total.bad} not, ${r.total.none} no verdict)`,
    'By tier:',
    ...r.byTier.map((t) => line(tierLabel(config, t.tier), t)),
    'By kind of prompt (complexity / category):',
    ...r.byKind.map((k) => line(`${k.complexity} / ${k.category}`, k)),
    `The judge's own cost: ${formatUsd(r.judgeCostUsd)} in ${r.judgeCalls} call${r.judgeCalls === 1 ? '' : 's'} (counted in spend, never in savings).`,
  ];
}
