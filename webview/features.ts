// The panel's A/B experiment card and its spend-by-workspace card (issue 13). Text only: names come from the user.
import { gridTable, h } from './dom';
import { int, pct, usd } from './format';
import type { ViewModel } from './protocol';

export function renderExperiment(el: HTMLElement, v: ViewModel): void {
  const e = v.features?.experiment ?? null;
  const card = el.closest('section');
  if (card) card.hidden = !e;
  if (!e) {
    el.replaceChildren();
    return;
  }
  el.replaceChildren(
    h('p', {}, `“${e.name}” · ${e.running ? 'running' : 'stopped'}`),
    gridTable(
      'The two arms of the experiment: requests, cost per request, thumbs-up rate and error rate',
      ['Arm', 'Requests', 'Cost / request', 'Thumbs up', 'Errors'],
      e.arms.map((a) =>
        h(
          'tr',
          { 'data-arm': a.arm },
          h('th', { scope: 'row', title: a.config }, `${a.arm} · ${a.config}`),
          h('td', {}, int(a.requests)),
          h('td', {}, a.costPerRequestUsd === null ? '—' : usd(a.costPerRequestUsd)),
          h('td', {}, a.thumbsUpRate === null ? 'no ratings' : `${pct(a.thumbsUpRate)} of ${int(a.thumbs)}`),
          h('td', {}, pct(a.errorRate)),
        ),
      ),
    ),
    h(
      'ul',
      { class: 'verdicts', 'data-testid': 'experiment-verdicts' },
      ...e.verdicts.map((x) => h('li', { 'data-meaningful': String(x.meaningful) }, x.text)),
    ),
  );
}

export function renderWorkspaces(el: HTMLElement, v: ViewModel): void {
  const rows = v.features?.workspaces ?? [];
  const card = el.closest('section');
  if (card) card.hidden = !rows.length;
  if (!rows.length) {
    el.replaceChildren();
    return;
  }
  const total = rows.reduce((s, r) => s + r.spendUsd, 0);
  el.replaceChildren(
    gridTable(
      'Spend in the period per workspace',
      ['Workspace', 'Requests', 'Spend', 'Saved'],
      rows.map((r) =>
        h(
          'tr',
          { 'data-workspace': r.id ?? '' },
          h('th', { scope: 'row' }, r.name ?? '(no workspace)'),
          h('td', {}, int(r.requests)),
          h('td', {}, `${usd(r.spendUsd)} (${pct(total > 0 ? r.spendUsd / total : 0)})`),
          h('td', {}, usd(r.savedUsd)),
        ),
      ),
    ),
  );
}
