// The simple sections of the panel, redrawn from each state: the headline figures, the welcome, quality by tier.
import { button, gridTable, h, icon } from './dom';
import type { PanelContext } from './context';
import { int, pct, usd } from './format';
import { OpenChat, SetApiKey, type ViewModel } from './protocol';

function figure(key: string, label: string, value: string, sub?: string, title?: string): HTMLElement {
  return h(
    'div',
    { class: 'figure', 'data-figure': key, title },
    h('div', { class: 'figure-label' }, label),
    h('div', { class: 'figure-value', 'data-value': '' }, value),
    sub ? h('div', { class: 'figure-sub' }, sub) : null,
  );
}

/** What the spend leaves out: unpriced requests, and interrupted calls (cost unknown, their worst case held). */
function spendNote(x: ViewModel['headline']): string | undefined {
  const notes = [
    x.unpriced ? `${int(x.unpriced)} unpriced` : '',
    x.interrupted ? `${int(x.interrupted)} interrupted (${usd(x.interruptedHeldUsd)} held)` : '',
  ].filter(Boolean);
  return notes.length ? notes.join(' · ') : undefined;
}

export function renderFigures(el: HTMLElement, v: Pick<ViewModel, 'headline' | 'tiers'>): void {
  const x = v.headline;
  el.replaceChildren(
    figure('spend', 'Spend', usd(x.spendUsd), spendNote(x), `${x.spendUsd}`),
    figure(
      'baseline',
      `All on ${v.tiers[v.tiers.length - 1]?.label ?? 'top tier'}`,
      usd(x.baselineUsd),
      'same requests, top tier',
      `${x.baselineUsd}`,
    ),
    figure('saved', 'Saved', usd(x.savedUsd), pct(x.savedPct), `${x.savedUsd}`),
    figure('requests', 'Requests', int(x.requests), `${int(x.decisions)} decisions`),
    figure('avg', 'Average per request', usd(x.avgCostUsd), undefined, `${x.avgCostUsd}`),
  );
}

/** The headline figures as the user reads them ({ spend: '$0.0123', … }), read back from the page. */
export function shownFigures(el: HTMLElement): Record<string, string> {
  const shown: Record<string, string> = {};
  el.querySelectorAll<HTMLElement>('[data-figure]').forEach((f) => {
    shown[f.dataset.figure!] = f.querySelector('.figure-value')?.textContent ?? '';
  });
  return shown;
}

export function renderWelcome(el: HTMLElement, v: Pick<ViewModel, 'empty' | 'hasKey'>, ctx: PanelContext): void {
  el.hidden = !v.empty;
  if (!v.empty) {
    el.replaceChildren();
    return;
  }
  el.replaceChildren(
    h('h2', { id: 'welcome-h' }, 'Welcome to LLM Router'),
    h(
      'p',
      {},
      'Each prompt goes to the cheapest Claude model that can answer it well. This panel shows what you spend and what you save against sending everything to the top tier.',
    ),
    h(
      'ol',
      {},
      h(
        'li',
        {},
        v.hasKey
          ? 'Your Anthropic API key is set. '
          : "Set your Anthropic API key (kept in the editor's secret storage). ",
        v.hasKey
          ? icon('check')
          : button('Set API key', { icon: 'key', testid: 'set-key' }, () => ctx.endpoint.send(SetApiKey, {})),
      ),
      h(
        'li',
        {},
        'Ask something in the chat with ',
        h('code', {}, '@router'),
        '. ',
        button('Open chat', { icon: 'comment-discussion', secondary: true, testid: 'open-chat' }, () =>
          ctx.endpoint.send(OpenChat, {}),
        ),
      ),
      h('li', {}, 'Come back here to see the cost of each answer and the savings.'),
    ),
  );
}

/** One line of backend health under the quality table: "openrouter/gpt-4o-mini paused (retry in 20 s) · …". */
function backendLine(v: ViewModel): HTMLElement | null {
  const b = v.backends ?? [];
  if (!b.length) return null;
  const one = (x: NonNullable<ViewModel['backends']>[number]) =>
    `${x.id} ${x.state === 'closed' ? 'ok' : x.state === 'open' ? 'paused' : 'probing'} (${x.errorRate === null ? 'no calls' : `${pct(x.errorRate)} errors`}${x.p50LatencyMs === null ? '' : `, p50 ${int(x.p50LatencyMs)} ms`})`;
  return h('p', { class: 'figure-sub', 'data-testid': 'backend-health' }, `Backends: ${b.map(one).join(' · ')}`);
}

export function renderQuality(el: HTMLElement, v: ViewModel): void {
  el.replaceChildren(
    gridTable(
      'Thumbs-up rate and automatic quality per tier, with the number of ratings behind each',
      ['Tier', 'Thumbs up', 'Automatic quality'],
      v.quality.map((q) =>
        h(
          'tr',
          { 'data-tier': q.tier },
          h('th', { scope: 'row' }, q.label),
          h('td', {}, q.upRate === null ? 'no ratings' : `${pct(q.upRate)} (${int(q.up)} up, ${int(q.down)} down)`),
          h('td', {}, q.autoQuality === null ? 'no data' : `${q.autoQuality.toFixed(2)} (${int(q.autoCount)} answers)`),
        ),
      ),
    ),
    ...[backendLine(v)].filter((x): x is HTMLElement => x !== null),
  );
}
