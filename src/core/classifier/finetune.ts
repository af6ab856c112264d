// Fine-tuning the learned classifier on the user's own ratings, measured honestly: a fixed part of the usable
// feedback (chosen by a hash of the decision id, so the same rows are held back on every run) is never trained on,
// and the model in use and the new model are both scored on it. The new model is kept (stored in the database the
// extension and the CLI share, and used for routing with the learned strategy) only if it did not do worse there.
import { tierForScore } from '../policy';
import type { DecisionStore } from '../store/api';
import type { Classifier, RouterConfig } from '../types';
import type { OutcomeRow, Row } from './dataset';
import { feedbackRows } from './feedback';
import { fnv } from './features';
import { createClassifier, shippedModel } from './index';
import { toJson, type ModelJson, type Weights } from './model';
import { train } from './train';

/** META keys: the fine-tuned model in use (JSON), a short stamp that changes with it ('' when none), the last result. */
export const FINETUNED_MODEL_META = 'classifierModel';
export const FINETUNED_STAMP_META = 'classifierModelAt';
export const FINETUNE_RESULT_META = 'fineTune';

export interface FineTuneResult {
  /** When it ran (ms since epoch). */
  at: number;
  /** Rated answers in the database, and how many of them could be used. */
  rated: number;
  usable: number;
  /** Rated answers left out, by reason (prompt not stored in full, answered by the top tier, middling quality). */
  skipped: Record<string, number>;
  /** Rows trained on (feedback, plus rows from files when given) and feedback rows held back to measure on. */
  trainRows: number;
  heldBack: number;
  /** Share of held-back rows routed consistently with their feedback, by the model in use before and the new one. */
  accuracyBefore: number | null;
  accuracyAfter: number | null;
  rightBefore: number | null;
  rightAfter: number | null;
  /** What "before" was: the shipped model or an earlier fine-tuned one. */
  before: 'shipped' | 'fine-tuned';
  /** Whether a model was trained at all (false: too little data). */
  trained: boolean;
  /** Whether the new model is now used for routing. */
  kept: boolean;
  /** One or two sentences for people: what happened and why. */
  message: string;
  /** Set when the fine-tuned model was removed afterwards (`train --from-db --reset`, or the panel). */
  removedAt?: number;
}

interface MetaReader {
  getMeta(key: string): string | null;
}

/** The result of the last fine-tune that trained a model, or null. */
export function lastFineTune(store: MetaReader): FineTuneResult | null {
  const raw = store.getMeta(FINETUNE_RESULT_META);
  if (!raw) return null;
  try {
    const r = JSON.parse(raw) as FineTuneResult;
    return r && typeof r === 'object' && typeof r.at === 'number' ? r : null;
  } catch {
    return null;
  }
}

/** Whether routing uses a fine-tuned model now. */
export function hasFineTunedModel(store: MetaReader): boolean {
  return !!store.getMeta(FINETUNED_STAMP_META);
}

/** Fewer usable rows than this: nothing is trained (one must be held back and the rest are too few to learn from). */
export const MIN_FINETUNE_ROWS = 4;
export const HELD_BACK_SHARE = 0.25;

export interface FineTuneOptions {
  /** Weights to start from (default: the shipped model). */
  base?: Weights;
  /** Rows from files, trained on together with the feedback (never held back: only feedback is measured). */
  extraRows?: readonly Row[];
  /** Weight of one outcome row against one labeled row (default 1 with feedback alone, 0.25 with extra rows). */
  outcomeWeight?: number;
  /** Passes over the training rows (default 4). */
  epochs?: number;
  /** Names of the sources, recorded in the model (trainedOn.files). */
  sources?: string[];
  now?: number;
  /** Store the result (and the model when kept). Default true. */
  save?: boolean;
}

export interface FineTuneOutcome {
  result: FineTuneResult;
  /** The new model (kept or not), null when nothing was trained. */
  model: ModelJson | null;
}

/** A feedback row and what it says about routing: the tier that answered and whether the answer was good. */
export interface RatedRow {
  row: OutcomeRow;
  tier: number;
  needsStrong: boolean;
}

/** FNV-1a of the decision id → [0, 1): where a row falls decides whether it is held back. Stable across runs. */
export function splitKey(id: string): number {
  return fnv(id) / 4294967296;
}

/**
 * Splits rows into train and held back: a row is held back when its key falls below `share`; at least one row is
 * held back, and at least one is trained on (the rows with the lowest keys are moved when the hash gives none).
 */
export function splitRows<T extends { row: { id: string } }>(
  rows: readonly T[],
  share = HELD_BACK_SHARE,
): { train: T[]; heldBack: T[] } {
  const keyed = rows.map((r) => ({ r, k: splitKey(r.row.id) })).sort((a, b) => a.k - b.k);
  let held = keyed.filter((x) => x.k < share).length;
  held = Math.max(1, Math.min(held, rows.length - 1, Math.ceil(rows.length * share)));
  return { heldBack: keyed.slice(0, held).map((x) => x.r), train: keyed.slice(held).map((x) => x.r) };
}

/** Usable feedback rows from the store (needs prompts stored in full), with the tier each answer came from. */
export function ratedRows(
  store: Pick<DecisionStore, 'qualitySamples' | 'getDecision'>,
  config: RouterConfig,
): { rated: number; rows: RatedRow[]; skipped: Record<string, number> } {
  const samples = store.qualitySamples();
  const fb = feedbackRows(
    samples,
    (id) => {
      const d = store.getDecision(id);
      return d?.prompt && !d.prompt.endsWith('…') ? d.prompt : null;
    },
    config.tiers.length - 1,
  );
  const tierOf = new Map(samples.map((s) => [s.decisionId, s.tier]));
  return {
    rated: samples.length,
    skipped: fb.skipped,
    rows: fb.rows.map((row) => ({
      row,
      tier: tierOf.get(row.id) ?? 0,
      needsStrong: row.weak_score < row.strong_score,
    })),
  };
}

/**
 * Whether a classifier's score routes a rated answer consistently with its rating: a bad answer from tier t is right
 * when the score now routes above t; a good answer from the cheapest tier is right when the score still routes there.
 */
export function routesConsistently(c: Classifier, config: RouterConfig, r: RatedRow): boolean {
  const tier = tierForScore(config, c.classify(r.row.prompt).score);
  return r.needsStrong ? tier > r.tier : tier === 0;
}

/** The fine-tuned model stored in the database (its JSON), or null when there is none. */
export function storedModelJson(store: Pick<DecisionStore, 'getMeta'>): unknown | null {
  const raw = store.getMeta(FINETUNED_MODEL_META);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

/**
 * The learned classifier in use for this store: the stored fine-tuned model, or `shipped` (built when not given)
 * when there is none or it cannot be read.
 */
function classifierInUse(
  store: Pick<DecisionStore, 'getMeta'>,
  config: RouterConfig,
  shipped?: Classifier,
): { c: Classifier; fineTuned: boolean } {
  const j = storedModelJson(store);
  if (j) {
    try {
      return { c: createClassifier('learned', { highStakesTerms: config.highStakesTerms, model: j }), fineTuned: true };
    } catch {
      // An unreadable stored model: routing falls back to the shipped one, so that is what is in use.
    }
  }
  return { c: shipped ?? createClassifier('learned', { highStakesTerms: config.highStakesTerms }), fineTuned: false };
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/**
 * Fine-tunes on the store's rated answers and measures on the held-back ones, before and after (with `config`'s
 * thresholds: pass the calibrated ones when there are). Stores the result, and the model when it did not do worse.
 */
export function fineTune(store: DecisionStore, config: RouterConfig, opts: FineTuneOptions = {}): FineTuneOutcome {
  const at = opts.now ?? Date.now();
  const { rated, rows, skipped } = ratedRows(store, config);
  const extra = opts.extraRows ?? [];
  const inUse = classifierInUse(store, config);
  const base: FineTuneResult = {
    at,
    rated,
    usable: rows.length,
    skipped,
    trainRows: 0,
    heldBack: 0,
    accuracyBefore: null,
    accuracyAfter: null,
    rightBefore: null,
    rightAfter: null,
    before: inUse.fineTuned ? 'fine-tuned' : 'shipped',
    trained: false,
    kept: false,
    message: '',
  };
  if (rows.length < MIN_FINETUNE_ROWS) {
    const how =
      'rate answers from Haiku or Sonnet with prompts stored in full (setting llmRouter.promptStorage = "full")';
    base.message =
      rows.length === 0
        ? `No usable rated answers yet: nothing was trained. To fine-tune, ${how}.`
        : `Only ${rows.length} usable rated answer${rows.length === 1 ? '' : 's'}: fine-tuning needs at least ${MIN_FINETUNE_ROWS} (one is held back to measure on), so nothing was trained. ${how[0].toUpperCase()}${how.slice(1)}.`;
    return { result: base, model: null };
  }

  const split = splitRows(rows);
  const trainRows: Row[] = [...extra, ...split.train.map((r) => r.row)];
  const w = train(trainRows, {
    epochs: opts.epochs ?? 4,
    outcomeWeight: opts.outcomeWeight ?? (extra.length ? 0.25 : 1),
    files: opts.sources ?? ['feedback'],
    init: opts.base ?? shippedModel(),
  });
  w.trainedOn = {
    ...w.trainedOn,
    createdAt: new Date(at).toISOString(),
    note: `fine-tuned on ${split.train.length} rated answers; ${split.heldBack.length} held back`,
  };
  // Measure the model as it will be used: its stored (quantised) form.
  const model = toJson(w);
  const after = createClassifier('learned', { highStakesTerms: config.highStakesTerms, model });
  const rightBefore = split.heldBack.filter((r) => routesConsistently(inUse.c, config, r)).length;
  const rightAfter = split.heldBack.filter((r) => routesConsistently(after, config, r)).length;
  const n = split.heldBack.length;
  const kept = rightAfter >= rightBefore;
  const was = inUse.fineTuned ? 'the fine-tuned model in use' : 'the shipped model';
  const figures = `${rightBefore} of ${n} held-back answer${n === 1 ? '' : 's'} routed consistently with their rating before (${pct(rightBefore / n)}), ${rightAfter} of ${n} after (${pct(rightAfter / n)})`;
  const result: FineTuneResult = {
    ...base,
    trainRows: trainRows.length,
    heldBack: n,
    accuracyBefore: rightBefore / n,
    accuracyAfter: rightAfter / n,
    rightBefore,
    rightAfter,
    trained: true,
    kept,
    message: kept
      ? `Fine-tuned on ${trainRows.length} row${trainRows.length === 1 ? '' : 's'}: ${figures}. Kept: routing uses it now.`
      : `Fine-tuned on ${trainRows.length} row${trainRows.length === 1 ? '' : 's'}: ${figures}. Not kept: it did worse than ${was}, which stays in use.`,
  };
  if (opts.save !== false) {
    if (kept) {
      store.setMeta(FINETUNED_MODEL_META, JSON.stringify(model));
      store.setMeta(FINETUNED_STAMP_META, String(at));
    }
    store.setMeta(FINETUNE_RESULT_META, JSON.stringify(result));
  }
  return { result, model };
}

/** Removes the fine-tuned model (routing goes back to the shipped one). False when there was none. */
export function resetFineTune(store: DecisionStore, now = Date.now()): boolean {
  const had = hasFineTunedModel(store) || !!store.getMeta(FINETUNED_MODEL_META);
  store.setMeta(FINETUNED_MODEL_META, '');
  store.setMeta(FINETUNED_STAMP_META, '');
  const last = lastFineTune(store);
  if (had && last) store.setMeta(FINETUNE_RESULT_META, JSON.stringify({ ...last, removedAt: now }));
  return had;
}

/**
 * The classifier the routing service uses: rules, or the learned model — the fine-tuned one stored in the database
 * when there is one (re-read when another process or the panel stores a new one), the shipped one otherwise.
 */
export function storeClassifier(store: Pick<DecisionStore, 'getMeta'>, config: RouterConfig): Classifier {
  const opts = { highStakesTerms: config.highStakesTerms };
  if (config.strategy !== 'learned') return createClassifier(config.strategy, opts);
  const shipped = createClassifier('learned', opts);
  let stamp = '';
  let current = shipped;
  const pick = (): Classifier => {
    const s = store.getMeta(FINETUNED_STAMP_META) ?? '';
    if (s === stamp) return current;
    stamp = s;
    current = s ? classifierInUse(store, config, shipped).c : shipped;
    return current;
  };
  return {
    name: 'learned',
    classify: (prompt, history) => pick().classify(prompt, history),
  };
}
