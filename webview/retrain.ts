// The retraining section: "Retrain now", the routing adjustments (with undo), and the last fine-tune of the
// classifier on the user's feedback.
import { button, h, type Child } from './dom';
import type { PanelContext } from './context';
import { ago, dateTime, int, pct } from './format';
import { FineTuneNow, ResetFineTune, RetrainNow, UndoAdjustment, type AdjustmentRow, type ViewModel } from './protocol';

/** Runs a request from a button: its answer's message in the status line, or what went wrong. */
async function act(
  ctx: PanelContext,
  run: () => Promise<{ ok: boolean; message: string }>,
  failed: string,
  notOk: 'error' | 'warning' = 'error',
): Promise<void> {
  try {
    const r = await run();
    ctx.say(r.message, r.ok ? 'info' : notOk);
  } catch (e) {
    ctx.say(`${failed}: ${(e as Error).message}`, 'error');
  }
}

function adjustmentItem(ctx: PanelContext, a: AdjustmentRow): HTMLElement {
  return h(
    'li',
    { 'data-adjustment': a.id, class: a.revertedAt ? 'reverted' : '' },
    h(
      'div',
      {},
      h('strong', {}, `${a.group}`),
      ` → ${a.kind === 'raise' ? 'at least' : 'at most'} ${a.tierLabel}`,
      a.revertedAt ? h('span', { class: 'muted' }, ` · undone ${ago(a.revertedAt)}`) : '',
    ),
    h('div', { class: 'muted' }, a.reason, ` (${int(a.samples)} samples, ${dateTime(a.createdAt)})`),
    a.revertedAt
      ? null
      : button(
          'Undo',
          { icon: 'discard', secondary: true, aria: `Undo adjustment for ${a.group}`, testid: 'undo' },
          async () => {
            const r = await ctx.endpoint.request(UndoAdjustment, { id: a.id });
            ctx.say(r.message, r.ok ? 'info' : 'error');
          },
        ),
  );
}

export function renderRetrain(el: HTMLElement, v: ViewModel, ctx: PanelContext): void {
  const run = button('Retrain now', { icon: 'sync', testid: 'retrain-now' }, () => {
    ctx.say('Retraining…');
    void act(ctx, () => ctx.endpoint.request(RetrainNow, {}), 'Retraining failed');
  });
  const list = v.retrain.adjustments.length
    ? h(
        'ul',
        { class: 'adjustments', 'data-testid': 'adjustments' },
        ...v.retrain.adjustments.map((a) => adjustmentItem(ctx, a)),
      )
    : h(
        'p',
        { class: 'muted' },
        'No adjustments yet: retraining changes routing only when feedback shows a tier answers a group of prompts badly (or more than well enough).',
      );
  el.replaceChildren(
    h(
      'div',
      { class: 'row' },
      run,
      h(
        'span',
        { class: 'muted', 'data-testid': 'retrain-last' },
        `Last run: ${v.retrain.lastRun ? `${dateTime(v.retrain.lastRun)} (${ago(v.retrain.lastRun)})` : 'never'}`,
      ),
    ),
    list,
    fineTuneBlock(v, ctx),
  );
}

/** What the last fine-tune did: when, rows, held-back accuracy before → after, and whether it was kept. */
function fineTuneBody(v: ViewModel): Child[] {
  const ft = v.retrain.fineTune;
  const inUse = v.retrain.fineTunedInUse;
  const using = inUse ? 'routing uses a fine-tuned model' : 'routing uses the shipped model';
  if (!ft)
    return [
      h(
        'p',
        { class: 'muted', 'data-testid': 'finetune-last' },
        `Not fine-tuned yet (${using}). Fine-tuning learns from answers you rated (prompts stored in full); a quarter of them are held back to check that it helps.`,
      ),
    ];
  return [
    h(
      'p',
      { 'data-testid': 'finetune-last' },
      `Last fine-tune: ${dateTime(ft.at)} (${ago(ft.at)}) · ${int(ft.trainRows)} rows trained on, ${int(ft.heldBack)} held back`,
    ),
    h(
      'p',
      { 'data-testid': 'finetune-accuracy' },
      `Held-back accuracy: ${pct(ft.accuracyBefore)} → ${pct(ft.accuracyAfter)}`,
      h(
        'span',
        { class: 'muted' },
        ` (${ft.rightBefore ?? 0} → ${ft.rightAfter ?? 0} of ${int(ft.heldBack)} routed as rated; before: ${ft.before === 'shipped' ? 'the shipped model' : 'the fine-tuned model then in use'})`,
      ),
    ),
    h(
      'p',
      { 'data-testid': 'finetune-kept' },
      ft.kept
        ? ft.removedAt !== null
          ? `Kept, then removed ${dateTime(ft.removedAt)}: ${using}.`
          : inUse
            ? 'Kept: routing uses it now.'
            : `Kept; ${using}.`
        : `Not kept: it did worse on the held-back answers; ${using}.`,
    ),
  ];
}

/** The last fine-tune of the classifier on the user's feedback, with the buttons to run one or to undo it. */
function fineTuneBlock(v: ViewModel, ctx: PanelContext): HTMLElement {
  const tune = button('Fine-tune on my feedback', { icon: 'beaker', secondary: true, testid: 'finetune-now' }, () => {
    ctx.say('Fine-tuning the classifier on your feedback…');
    void act(ctx, () => ctx.endpoint.request(FineTuneNow, {}), 'Fine-tuning failed', 'warning');
  });
  const reset = v.retrain.fineTunedInUse
    ? button(
        'Use the shipped model',
        { icon: 'discard', secondary: true, testid: 'finetune-reset' },
        () =>
          void act(
            ctx,
            () => ctx.endpoint.request(ResetFineTune, {}),
            'Removing the fine-tuned model failed',
            'warning',
          ),
      )
    : null;
  return h(
    'div',
    { class: 'finetune', 'data-testid': 'finetune' },
    h('h3', {}, 'Classifier fine-tuned on your feedback'),
    ...fineTuneBody(v),
    h('div', { class: 'row' }, tune, reset),
  );
}
