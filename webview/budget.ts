// The budget section: a gauge and the spend so far, redrawn from each state, and a form built once (the select is
// costly to build) whose values are refreshed from each state, except while the user is editing it.
import { button, h } from './dom';
import type { PanelContext } from './context';
import { pct, usd } from './format';
import { SetBudget, type ViewModel } from './protocol';

type Field = HTMLElement & { value: string; label: string };

/** A typed limit: null for none, a number, or the sentence saying why it is not one. */
function parseLimit(raw: string, name: string): number | null | string {
  const t = raw.trim().replace(/^\$/, '');
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? n : `${name} must be an amount in dollars (0 or more), or empty for no limit.`;
}

export class BudgetSection {
  readonly el = h('div', { 'data-testid': 'budget' });
  private dirty = false;
  private readonly gaugeFill = h('div', { class: 'gauge-fill' });
  private readonly gauge = h(
    'div',
    { class: 'gauge', role: 'meter', 'aria-label': 'Budget used', 'aria-valuemin': 0, 'aria-valuemax': 100 },
    this.gaugeFill,
  );
  private readonly stateLabel = h('span', { class: 'state-label', 'data-testid': 'budget-state' });
  private readonly used = h('p', { class: 'muted', 'data-testid': 'budget-used' });
  private readonly daily = h('vscode-textfield', {
    id: 'budget-daily',
    placeholder: 'no limit',
    'data-testid': 'budget-daily',
  }) as Field;
  private readonly monthly = h('vscode-textfield', {
    id: 'budget-monthly',
    placeholder: 'no limit',
    'data-testid': 'budget-monthly',
  }) as Field;
  private readonly mode = h(
    'vscode-single-select',
    { id: 'budget-mode', 'aria-label': 'When the budget is used up', 'data-testid': 'budget-mode' },
    h('vscode-option', { value: 'block' }, 'Refuse requests'),
    h('vscode-option', { value: 'cheapest' }, 'Use the cheapest tier only'),
  ) as HTMLElement & { value: string };

  constructor(private readonly ctx: PanelContext) {
    this.daily.label = 'Daily limit in dollars';
    this.monthly.label = 'Monthly limit in dollars';
    for (const el of [this.daily, this.monthly, this.mode]) {
      el.addEventListener('input', () => {
        this.dirty = true;
      });
      el.addEventListener('change', () => {
        this.dirty = true;
      });
    }
    this.el.append(h('div', { class: 'gauge-row' }, this.gauge, this.stateLabel), this.used);
  }

  /** The form's web components render themselves when attached (~100 ms of lit updates for the select and
   *  fields): attached once the first state is painted, so they do not hold up the figures and charts. */
  attachForm(): void {
    const save = button('Save budget', { icon: 'save', testid: 'budget-save' }, () => void this.save());
    this.el.append(
      h(
        'div',
        { class: 'form' },
        h('label', { for: 'budget-daily' }, 'Daily limit ($)'),
        this.daily,
        h('label', { for: 'budget-monthly' }, 'Monthly limit ($)'),
        this.monthly,
        h('label', { for: 'budget-mode' }, 'When used up'),
        this.mode,
      ),
      save,
    );
  }

  render(v: Pick<ViewModel, 'budget'>): void {
    const b = v.budget;
    const s = b.state;
    const used = s ? s.usedFraction : 0;
    const stateName = s?.state ?? (b.dailyLimitUsd === null && b.monthlyLimitUsd === null ? 'no limit' : 'normal');
    const cls = `state-${stateName.replace(/\s/g, '-')}`;
    this.gaugeFill.style.width = `${Math.min(100, Math.round(used * 100))}%`;
    this.gauge.className = `gauge ${cls}`;
    this.gauge.setAttribute('aria-valuenow', String(Math.round(used * 100)));
    this.gauge.setAttribute('aria-valuetext', `${pct(used)} used, ${stateName}`);
    this.stateLabel.className = `state-label ${cls}`;
    this.stateLabel.textContent = stateName;
    this.used.textContent =
      `Today ${usd(s?.spentTodayUsd ?? b.spentTodayUsd)}${b.dailyLimitUsd !== null ? ` of ${usd(b.dailyLimitUsd)}` : ''}` +
      ` · this month ${usd(s?.spentMonthUsd ?? b.spentMonthUsd)}${b.monthlyLimitUsd !== null ? ` of ${usd(b.monthlyLimitUsd)}` : ''}` +
      (b.heldMonthUsd > 0 ? ` · ${usd(b.heldTodayUsd)} held today (calls under way or interrupted)` : '');
    if (this.dirty) return; // keep what the user is typing
    const dv = b.dailyLimitUsd === null ? '' : String(b.dailyLimitUsd);
    const mv = b.monthlyLimitUsd === null ? '' : String(b.monthlyLimitUsd);
    if (this.daily.value !== dv) this.daily.value = dv;
    if (this.monthly.value !== mv) this.monthly.value = mv;
    if (this.mode.value !== b.onExhausted) this.mode.value = b.onExhausted;
  }

  private async save(): Promise<void> {
    const d = parseLimit(this.daily.value, 'Daily limit');
    const m = parseLimit(this.monthly.value, 'Monthly limit');
    if (typeof d === 'string' || typeof m === 'string') {
      this.ctx.say(typeof d === 'string' ? d : (m as string), 'error');
      return;
    }
    this.dirty = false; // the state that follows the save redraws the form with what was saved
    try {
      const r = await this.ctx.endpoint.request(SetBudget, {
        dailyLimitUsd: d,
        monthlyLimitUsd: m,
        onExhausted: this.mode.value === 'block' ? 'block' : 'cheapest',
      });
      this.ctx.say(r.message, r.ok ? 'info' : 'error');
      if (!r.ok) this.dirty = true;
    } catch (e) {
      this.dirty = true;
      this.ctx.say(`Saving the budget failed: ${(e as Error).message}`, 'error');
    }
  }
}
