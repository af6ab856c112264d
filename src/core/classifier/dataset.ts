// Rows of the JSONL files the classifier learns from and is evaluated on.
import type { Category, Complexity, Turn } from '../types';
import { CATEGORIES, COMPLEXITIES } from '../types';

export interface LabeledRow {
  kind: 'labeled';
  id: string;
  prompt: string;
  history?: Turn[];
  complexity: Complexity;
  category: Category;
  /** Rows of the VS Code mix: the tier a careful engineer would choose (the score head's target). */
  tier?: TierLabel;
}

export const TIER_LABELS = ['haiku', 'sonnet', 'opus'] as const;
export type TierLabel = (typeof TIER_LABELS)[number];

/** What a tier-labeled row says about complexity, and the category its kind of request belongs to. */
const TIER_COMPLEXITY: Record<TierLabel, Complexity> = { haiku: 'simple', sonnet: 'medium', opus: 'complex' };
const KIND_CATEGORY: Record<string, Category> = {
  everyday: 'factual',
  'chit-chat': 'factual',
  conceptual: 'factual',
  docs: 'creative',
  design: 'reasoning',
};
export const categoryOfKind = (kind: unknown): Category => KIND_CATEGORY[String(kind)] ?? 'code';

export interface OutcomeRow {
  kind: 'outcome';
  id: string;
  prompt: string;
  weak_score: number;
  strong_score: number;
  weak_cost: number;
  strong_cost: number;
}

/** A prompt with a target for the score head only (outcome-table prompts: where they stand for the tiers). */
export interface ScoredRow {
  kind: 'scored';
  id: string;
  prompt: string;
  target: number;
  weight: number;
}

export type Row = LabeledRow | OutcomeRow | ScoredRow;

export interface ParseResult {
  rows: Row[];
  /** Lines that were neither kind, with the reason (1-based line numbers). */
  errors: { line: number; error: string }[];
}

const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/** Parses one JSON object into a row, or returns why it is not one. */
export function toRow(o: unknown, fallbackId: string): Row | string {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return 'not a JSON object';
  const r = o as Record<string, unknown>;
  if (typeof r.prompt !== 'string' || !r.prompt) return 'missing "prompt" (a non-empty string)';
  const id = r.id === undefined ? fallbackId : String(r.id);
  if (num(r.weak_score) && num(r.strong_score)) {
    return {
      kind: 'outcome',
      id,
      prompt: r.prompt,
      weak_score: r.weak_score as number,
      strong_score: r.strong_score as number,
      weak_cost: num(r.weak_cost) ? (r.weak_cost as number) : 0,
      strong_cost: num(r.strong_cost) ? (r.strong_cost as number) : 0,
    };
  }
  if (TIER_LABELS.includes(r.tier as TierLabel) && r.complexity === undefined) {
    const tier = r.tier as TierLabel;
    return {
      kind: 'labeled',
      id,
      prompt: r.prompt,
      complexity: TIER_COMPLEXITY[tier],
      category: categoryOfKind(r.kind),
      tier,
    };
  }
  if (r.complexity !== undefined || r.category !== undefined) {
    if (!COMPLEXITIES.includes(r.complexity as Complexity))
      return `"complexity" must be one of ${COMPLEXITIES.join(', ')}`;
    if (!CATEGORIES.includes(r.category as Category)) return `"category" must be one of ${CATEGORIES.join(', ')}`;
    const row: LabeledRow = {
      kind: 'labeled',
      id,
      prompt: r.prompt,
      complexity: r.complexity as Complexity,
      category: r.category as Category,
    };
    if (Array.isArray(r.history)) row.history = r.history as Turn[];
    return row;
  }
  return 'neither a labeled row (complexity and category, or tier) nor an outcome row (weak_score, strong_score)';
}

export function parseJsonl(text: string, name = 'input'): ParseResult {
  const rows: Row[] = [];
  const errors: { line: number; error: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i].trim();
    if (!s) continue;
    let o: unknown;
    try {
      o = JSON.parse(s);
    } catch (e) {
      errors.push({ line: i + 1, error: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    const r = toRow(o, `${name}:${i + 1}`);
    if (typeof r === 'string') errors.push({ line: i + 1, error: r });
    else rows.push(r);
  }
  return { rows, errors };
}
