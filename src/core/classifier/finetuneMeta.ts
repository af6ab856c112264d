// Where a fine-tune is kept in the database (store META) and what its result looks like. Kept apart from
// ./finetune.ts, with no imports, so the cost panel's view model can read it without pulling in the classifier.

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

interface MetaReader { getMeta(key: string): string | null }

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
