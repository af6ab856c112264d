// The panel host's actions and reads: what the webview's requests do to the service and the store (src/panel/host.ts
// wires them to its endpoint). Each reads the service and the store on every use: the host may rebuild the service,
// or reopen the store, when settings change.
import {
  FineTuneNow,
  GiveFeedback,
  PAGE_SIZE,
  RequestPage,
  ResetFineTune,
  RetrainNow,
  SetBudget,
  ShowDecision,
  UndoAdjustment,
  type HostEndpoint,
} from '../../webview/protocol';
import { decisionDetail, decisionRow, fineTuneView, tierInfos } from './viewModel';
import type { DecisionStore, BudgetSettings } from '../core/store/api';
import type { RouterService } from '../core/service-api';
import { tierLabel } from '../core/format';

export interface HandlerContext {
  endpoint: HostEndpoint;
  service(): RouterService;
  store(): DecisionStore;
  /** Resolves when the database is open; rejects with the reason it is not. */
  opened(): Promise<void>;
  /** Send the state again (after an action changed it). */
  push(): void;
}

export function wireHandlers(c: HandlerContext): void {
  wireTraining(c);
  wireEdits(c);
  wireReads(c);
}

/** Retraining, fine-tuning and undo: each changes the routing, then the state is sent again. */
function wireTraining(c: HandlerContext): void {
  const e = c.endpoint;
  e.onRequest(RetrainNow, async () => {
    await c.opened();
    const r = c.service().retrain();
    c.push();
    const added = r.added.length;
    return {
      ok: true,
      added,
      report: r.report,
      message: added ? `Retrained: ${added} new adjustment${added === 1 ? '' : 's'}.` : 'Retrained: no change needed.',
    };
  });

  e.onRequest(FineTuneNow, async () => {
    await c.opened();
    const r = c.service().fineTune();
    c.push();
    return { ok: r.trained, message: r.message, fineTune: r.trained ? fineTuneView(r) : null };
  });

  e.onRequest(ResetFineTune, async () => {
    await c.opened();
    const ok = c.service().resetFineTune();
    c.push();
    return {
      ok,
      message: ok
        ? 'Fine-tuned model removed: routing uses the shipped model.'
        : 'No fine-tuned model in use: routing already uses the shipped model.',
    };
  });

  e.onRequest(UndoAdjustment, async (p) => {
    await c.opened();
    if (typeof p.id !== 'string' || !p.id) return { ok: false, message: 'No adjustment given.' };
    const ok = c.service().undoAdjustment(p.id);
    c.push();
    return { ok, message: ok ? 'Adjustment undone.' : 'That adjustment was already undone or no longer exists.' };
  });
}

/** The budget and thumbs, edited in the panel. */
function wireEdits(c: HandlerContext): void {
  const e = c.endpoint;
  e.onRequest(SetBudget, async (p) => {
    await c.opened();
    const problem = budgetProblem(p);
    if (problem) return { ok: false, message: problem };
    const b: BudgetSettings = {
      dailyLimitUsd: p.dailyLimitUsd,
      monthlyLimitUsd: p.monthlyLimitUsd,
      onExhausted: p.onExhausted,
    };
    c.store().setBudget(b);
    c.push();
    return { ok: true, message: 'Budget saved.' };
  });

  e.onRequest(GiveFeedback, async (p) => {
    await c.opened();
    if (typeof p.decisionId !== 'string' || (p.thumb !== 'up' && p.thumb !== 'down'))
      return { ok: false, message: 'Bad feedback.' };
    if (!c.store().getDecision(p.decisionId)) return { ok: false, message: 'That decision no longer exists.' };
    c.service().feedback(p.decisionId, p.thumb);
    c.push();
    return {
      ok: true,
      message: p.thumb === 'up' ? 'Thanks: marked as a good answer.' : 'Thanks: marked as a bad answer.',
    };
  });
}

/** One decision in full, and pages of the decisions list. */
function wireReads(c: HandlerContext): void {
  const e = c.endpoint;
  const tiers = () => tierInfos(c.service().config.tiers);
  const labelOf = (i: number) => tierLabel(c.service().config, i);
  e.onRequest(ShowDecision, async (p) => {
    await c.opened();
    return { decision: typeof p.id === 'string' ? decisionDetail(c.store(), p.id, tiers()) : null };
  });

  e.onRequest(RequestPage, async (p) => {
    await c.opened();
    const limit = clampInt(p.limit, 1, 200, PAGE_SIZE);
    const offset = clampInt(p.offset, 0, Number.MAX_SAFE_INTEGER, 0);
    const page = c.store().listDecisions({ limit, offset });
    return { rows: page.rows.map((r) => decisionRow(c.store(), r, labelOf)), total: page.total, offset };
  });
}

/** Why a budget cannot be saved, in words; null when it can. */
export function budgetProblem(b: unknown): string | null {
  if (typeof b !== 'object' || b === null) return 'No budget given.';
  const x = b as Record<string, unknown>;
  for (const [k, name] of [
    ['dailyLimitUsd', 'Daily limit'],
    ['monthlyLimitUsd', 'Monthly limit'],
  ] as const) {
    const v = x[k];
    if (v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      return `${name} must be an amount in dollars (0 or more), or empty for no limit.`;
  }
  if (x.onExhausted !== 'block' && x.onExhausted !== 'cheapest')
    return 'When the budget is used up: choose "block" or "cheapest".';
  return null;
}

function clampInt(v: unknown, min: number, max: number, dflt: number): number {
  const n = typeof v === 'number' && Number.isFinite(v) ? Math.floor(v) : dflt;
  return Math.min(max, Math.max(min, n));
}
