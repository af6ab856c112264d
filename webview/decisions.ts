// Recent decisions: a paged list (unchanged rows are reused as they are), thumbs up/down on each, and the detail
// dialog opened from a row.
import { button, h, type Child } from './dom';
import type { PanelContext } from './context';
import { ago, dateTime, int, usd } from './format';
import {
  GiveFeedback,
  PAGE_SIZE,
  RequestPage,
  ShowDecision,
  type DecisionDetail,
  type DecisionRow,
  type ViewModel,
} from './protocol';

/** The process making the call ended before its cost was known; its worst case stays held against the budget. */
const INTERRUPTED_TITLE =
  'The window or process making this call was closed or killed before its cost was known: its worst case is counted against your budget.';

export class Decisions {
  readonly el = h('div', { 'data-testid': 'recent' });
  readonly dialog = h('dialog', { class: 'detail', 'aria-labelledby': 'detail-h', 'data-testid': 'detail' });
  private page = 0;
  /** The rows of the page shown when it is not the first (the first comes with every state). */
  private pageRows: { rows: DecisionRow[]; total: number } | undefined;
  /** Rows already drawn, by decision id, with the data they were drawn from. */
  private readonly rowCache = new Map<string, { key: string; li: HTMLElement }>();

  constructor(private readonly ctx: PanelContext) {}

  /** A new state: the first page comes with it; another page is asked for again. */
  render(v: ViewModel): void {
    if (this.page === 0 || !this.pageRows) this.renderList(v.recent.rows, v.recent.total);
    else void this.loadPage(this.page);
  }

  /** Ids of the decisions listed now. */
  listedIds(): string[] {
    return Array.from(this.el.querySelectorAll<HTMLElement>('[data-decision]'), (e) => e.dataset.decision!);
  }

  private renderList(rows: DecisionRow[], total: number): void {
    if (!rows.length) {
      this.el.replaceChildren(h('p', { class: 'muted' }, 'No decisions yet.'));
      return;
    }
    const items = rows.map((r) => this.item(r));
    const shown = new Set(rows.map((r) => r.id));
    for (const id of this.rowCache.keys()) if (!shown.has(id)) this.rowCache.delete(id);
    // "2 h ago" moves on even when the row did not change.
    for (const el of this.el.querySelectorAll<HTMLElement>('[data-time]'))
      el.textContent = ago(Number(el.dataset.time));
    const list = h('ul', { class: 'decisions' }, ...items);
    const page = this.page;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const nav = h(
      'div',
      { class: 'row pager' },
      page > 0
        ? button(
            'Newer',
            { icon: 'arrow-left', secondary: true, testid: 'page-newer' },
            () => void this.loadPage(page - 1),
          )
        : null,
      h('span', { class: 'muted' }, `Page ${page + 1} of ${int(pages)} · ${int(total)} decisions`),
      page + 1 < pages
        ? button(
            'Older',
            { icon: 'arrow-right', secondary: true, testid: 'page-older' },
            () => void this.loadPage(page + 1),
          )
        : null,
    );
    this.el.replaceChildren(list, nav);
  }

  private async loadPage(p: number): Promise<void> {
    const r = await this.ctx.endpoint.request(RequestPage, { offset: p * PAGE_SIZE, limit: PAGE_SIZE });
    this.page = Math.floor(r.offset / PAGE_SIZE);
    this.pageRows = this.page === 0 ? undefined : { rows: r.rows, total: r.total };
    this.renderList(r.rows, r.total);
  }

  private item(r: DecisionRow): HTMLElement {
    const key = JSON.stringify(r);
    const hit = this.rowCache.get(r.id);
    if (hit && hit.key === key) return hit.li;
    const open = h(
      'button',
      {
        class: 'decision-open',
        type: 'button',
        'aria-label': `Show decision: ${r.tierLabel}, ${r.model}, ${usd(r.costUsd)}`,
      },
      h(
        'span',
        { class: 'decision-head' },
        h('vscode-badge', { class: `tier tier-${r.tier}` }, r.tierLabel),
        h('span', { class: 'model' }, r.model),
        h(
          'span',
          { class: 'cost', 'data-cost': '', title: r.status === 'interrupted' ? INTERRUPTED_TITLE : undefined },
          r.status === 'ok' || r.costUsd !== null
            ? usd(r.costUsd)
            : r.status === 'interrupted'
              ? 'interrupted · cost unknown'
              : r.status,
        ),
      ),
      h('span', { class: 'prompt', 'data-prompt': '' }, r.prompt ?? '(prompt not kept)'),
      h(
        'span',
        { class: 'muted reasons' },
        h('span', { 'data-time': r.time }, ago(r.time)),
        ` · ${r.complexity} / ${r.category} · ${r.reasons.join('; ')}`,
      ),
    );
    open.addEventListener('click', () => void this.showDecision(r.id));
    const li = h('li', { class: 'decision', 'data-decision': r.id }, open, this.thumbs(r));
    this.rowCache.set(r.id, { key, li });
    return li;
  }

  private thumbs(row: DecisionRow): HTMLElement {
    const give = (thumb: 'up' | 'down') => async (ev: Event) => {
      ev.stopPropagation();
      try {
        const r = await this.ctx.endpoint.request(GiveFeedback, { decisionId: row.id, thumb });
        this.ctx.say(r.message, r.ok ? 'info' : 'error');
        if (this.dialog.open && this.dialog.dataset.id === row.id) await this.showDecision(row.id); // the detail shows the new thumb
      } catch (e) {
        this.ctx.say(`Feedback failed: ${(e as Error).message}`, 'error');
      }
    };
    const thumb = (t: 'up' | 'down', aria: string) =>
      button(
        '',
        { icon: `thumbs${t}`, secondary: row.feedback !== t, pressed: row.feedback === t, aria, testid: `thumb-${t}` },
        give(t),
      );
    return h('span', { class: 'thumbs' }, thumb('up', 'Good answer'), thumb('down', 'Bad answer'));
  }

  private async showDecision(id: string): Promise<void> {
    const { decision: d } = await this.ctx.endpoint.request(ShowDecision, { id });
    if (!d) {
      this.ctx.say('That decision no longer exists.', 'warning');
      return;
    }
    const close = button('Close', { icon: 'close', secondary: true, testid: 'detail-close' }, () =>
      this.dialog.close(),
    );
    this.dialog.replaceChildren(...detailContent(d), h('div', { class: 'row' }, this.thumbs(d), close));
    this.dialog.dataset.id = d.id;
    if (!this.dialog.open) this.dialog.showModal();
  }
}

function kv(label: string, value: Child): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, value)];
}

/** Everything recorded about one decision, as the detail dialog shows it (without its buttons). */
function detailContent(d: DecisionDetail): HTMLElement[] {
  const r = d.record;
  const u = r.usage;
  return [
    h('h2', { id: 'detail-h' }, `${d.tierLabel} · ${d.model}`),
    h(
      'dl',
      { class: 'kv' },
      ...kv('When', dateTime(r.time)),
      ...kv('Source', r.source),
      ...kv('Status', r.status + (r.error ? ` — ${r.error}` : '')),
      ...kv('Chosen model', r.model),
      ...kv('Answered by', r.answeredModel ?? '—'),
      ...kv(
        'Classification',
        `${r.complexity} / ${r.category}, score ${r.score.toFixed(3)}, confidence ${r.confidence.toFixed(2)}${r.highStakes ? ', high stakes' : ''}`,
      ),
      ...kv('Override', r.override ?? 'none'),
      ...kv('Cost', usd(r.costUsd)),
      ...kv('On top tier', usd(r.baselineCostUsd)),
      ...kv('Estimated beforehand', `${usd(r.estCostUsd)} (top tier ${usd(r.baselineEstCostUsd)})`),
      ...kv(
        'Tokens',
        u
          ? `${int(u.inputTokens)} in, ${int(u.outputTokens)} out, ${int(u.cacheWriteTokens)} cache write, ${int(u.cacheReadTokens)} cache read`
          : '—',
      ),
      ...kv(
        'Latency',
        r.latencyMs !== null
          ? `${int(r.latencyMs)} ms (first token ${r.ttftMs !== null ? int(r.ttftMs) + ' ms' : '—'})`
          : '—',
      ),
      ...kv('Adjustments applied', r.adjustments.length ? r.adjustments.join(', ') : 'none'),
      ...kv(
        'Feedback',
        d.feedbackHistory.length
          ? d.feedbackHistory
              .map(
                (f) => `${f.thumb ?? 'auto'}${f.autoQuality !== null ? ` (quality ${f.autoQuality.toFixed(2)})` : ''}`,
              )
              .join(', ')
          : 'none',
      ),
      ...kv('Id', r.id),
    ),
    h('h3', {}, 'Why this tier'),
    h('ul', {}, ...r.reasons.map((x) => h('li', {}, x))),
    h('h3', {}, 'Prompt'),
    h('pre', { class: 'prompt-full', 'data-testid': 'detail-prompt' }, r.prompt ?? '(prompt not kept)'),
  ];
}
