// The cost panel (bundled to dist/webview.js, runs inside the VS Code webview). Draws the ViewModel the host sends
// and turns clicks into protocol messages. Every string that came from a prompt or a model is put in the page as
// TEXT (textContent / text nodes) — this file never assigns innerHTML or inserts HTML.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import './styles.css';
import {
  WebviewEndpoint, Ready, SetPeriod, RetrainNow, FineTuneNow, ResetFineTune, UndoAdjustment, SetBudget, GiveFeedback, ShowDecision, SetApiKey,
  OpenChat, RequestPage, Rendered, State, Notice, PERIODS, PERIOD_LABELS, PAGE_SIZE, isPeriod, type WireMessage, type Period, type ViewModel,
  type DecisionRow, type DecisionDetail,
} from './protocol';
import { usd, pct, int, dateTime, ago } from './format';
import { Charts } from './charts';

performance.mark('panel-start');

interface VsCodeApi { postMessage(msg: unknown): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

interface SavedState { period?: Period }
const saved = (vscode.getState() ?? {}) as SavedState;

const endpoint = new WebviewEndpoint((m: WireMessage) => vscode.postMessage(m));
window.addEventListener('message', (ev: MessageEvent) => endpoint.receive(ev.data));

// ---------------------------------------------------------------------------------------------------------------
// Small DOM helpers: strings always become text nodes.

type Child = Node | string | number | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string | number | boolean | null | undefined>, ...children: Child[]): HTMLElementTagNameMap[K];
function h(tag: string, attrs?: Record<string, string | number | boolean | null | undefined>, ...children: Child[]): HTMLElement;
function h(tag: string, attrs: Record<string, string | number | boolean | null | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}
function icon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}
function button(label: string, opts: { icon?: string; secondary?: boolean; aria?: string; pressed?: boolean; testid?: string } = {}, onClick?: (ev: Event) => void): HTMLElement {
  const b = h('vscode-button', {
    icon: opts.icon, secondary: opts.secondary, 'aria-label': opts.aria, 'aria-pressed': opts.pressed === undefined ? undefined : String(opts.pressed),
    'data-testid': opts.testid,
  }, label);
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

// ---------------------------------------------------------------------------------------------------------------
// Page skeleton

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
app.replaceChildren();

const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', 'data-testid': 'status' });
const periodBar = h('div', { class: 'period hide-when-empty', role: 'group', 'aria-label': 'Period' });
const welcome = h('section', { class: 'welcome', 'aria-labelledby': 'welcome-h', hidden: true, 'data-testid': 'welcome' });
const figures = h('section', { class: 'figures hide-when-empty', 'aria-label': 'Headline figures', 'data-testid': 'figures' });
const tierCanvas = h('canvas', { role: 'img', 'aria-label': 'Decisions and spend per tier' });
const dayCanvas = h('canvas', { role: 'img', 'aria-label': 'Spend per day by tier' });
const charts = new Charts(tierCanvas, dayCanvas);
const daysTitle = h('h2', { id: 'days-h' }, 'Spend per day');
const quality = h('div', { 'data-testid': 'quality' });
const budget = h('div', { 'data-testid': 'budget' });
const retrain = h('div', { 'data-testid': 'retrain' });
const recent = h('div', { 'data-testid': 'recent' });
const dialog = h('dialog', { class: 'detail', 'aria-labelledby': 'detail-h', 'data-testid': 'detail' });

const main = h('main', { 'aria-busy': 'true' },
  h('header', { class: 'top' }, h('h1', { class: 'sr-only' }, 'LLM Router: cost'), periodBar),
  status,
  welcome,
  figures,
  h('section', { 'aria-labelledby': 'tiers-h', class: 'card hide-when-empty' }, h('h2', { id: 'tiers-h' }, 'Tiers'),
    h('div', { class: 'chart chart-small' }, tierCanvas)),
  h('section', { 'aria-labelledby': 'days-h', class: 'card hide-when-empty' }, daysTitle,
    h('div', { class: 'chart' }, dayCanvas)),
  h('section', { 'aria-labelledby': 'quality-h', class: 'card hide-when-empty' }, h('h2', { id: 'quality-h' }, 'Quality by tier'), quality),
  h('section', { 'aria-labelledby': 'budget-h', class: 'card' }, h('h2', { id: 'budget-h' }, 'Budget'), budget),
  h('section', { 'aria-labelledby': 'retrain-h', class: 'card hide-when-empty' }, h('h2', { id: 'retrain-h' }, 'Retraining'), retrain),
  h('section', { 'aria-labelledby': 'recent-h', class: 'card hide-when-empty' }, h('h2', { id: 'recent-h' }, 'Recent decisions'), recent),
);
app.append(main, dialog);

let vm: ViewModel | undefined;

/** Work that can wait until the first state is on screen (or, if none comes, a moment after start-up). */
const deferred: (() => void)[] = [];
function afterFirstPaint(fn: () => void): void { deferred.push(fn); }
function runDeferred(): void { for (const fn of deferred.splice(0)) fn(); }
const deferredFallback = setTimeout(runDeferred, 1000);
let period: Period = isPeriod(saved.period) ? saved.period : '7d';
let page = 0;
let pageRows: { rows: DecisionRow[]; total: number } | undefined;

function say(message: string, level: 'info' | 'warning' | 'error' = 'info'): void {
  status.textContent = message;
  status.dataset.level = level;
}

// ---------------------------------------------------------------------------------------------------------------
// Period

function renderPeriod(): void {
  // A compact segmented control (native buttons: light, and they fit one line of a narrow sidebar).
  periodBar.replaceChildren(...PERIODS.map((p) => {
    const b = h('button', { type: 'button', class: 'seg', 'aria-pressed': String(p === period), 'data-testid': `period-${p}` }, PERIOD_LABELS[p]);
    b.addEventListener('click', () => choosePeriod(p));
    return b;
  }));
}
function choosePeriod(p: Period): void {
  if (p === period && vm?.period === p) return;
  period = p;
  vscode.setState({ ...(vscode.getState() as SavedState ?? {}), period: p });
  renderPeriod();
  main.setAttribute('aria-busy', 'true');
  endpoint.send(SetPeriod, { period: p });
}

// ---------------------------------------------------------------------------------------------------------------
// Sections

function figure(key: string, label: string, value: string, sub?: string, title?: string): HTMLElement {
  return h('div', { class: 'figure', 'data-figure': key, title },
    h('div', { class: 'figure-label' }, label),
    h('div', { class: 'figure-value', 'data-value': '' }, value),
    sub ? h('div', { class: 'figure-sub' }, sub) : null);
}

function renderFigures(v: ViewModel): void {
  const x = v.headline;
  figures.replaceChildren(
    figure('spend', 'Spend', usd(x.spendUsd), x.unpriced ? `${int(x.unpriced)} unpriced` : undefined, `${x.spendUsd}`),
    figure('baseline', `All on ${v.tiers[v.tiers.length - 1]?.label ?? 'top tier'}`, usd(x.baselineUsd), 'same requests, top tier', `${x.baselineUsd}`),
    figure('saved', 'Saved', usd(x.savedUsd), pct(x.savedPct), `${x.savedUsd}`),
    figure('requests', 'Requests', int(x.requests), `${int(x.decisions)} decisions`),
    figure('avg', 'Average per request', usd(x.avgCostUsd), undefined, `${x.avgCostUsd}`),
  );
}

function renderWelcome(v: ViewModel): void {
  welcome.hidden = !v.empty;
  if (!v.empty) { welcome.replaceChildren(); return; }
  welcome.replaceChildren(
    h('h2', { id: 'welcome-h' }, 'Welcome to LLM Router'),
    h('p', {}, 'Each prompt goes to the cheapest Claude model that can answer it well. This panel shows what you spend and what you save against sending everything to the top tier.'),
    h('ol', {},
      h('li', {}, v.hasKey ? 'Your Anthropic API key is set. ' : 'Set your Anthropic API key (kept in the editor\'s secret storage). ',
        v.hasKey ? icon('check') : button('Set API key', { icon: 'key', testid: 'set-key' }, () => endpoint.send(SetApiKey, {}))),
      h('li', {}, 'Ask something in the chat with ', h('code', {}, '@router'), '. ',
        button('Open chat', { icon: 'comment-discussion', secondary: true, testid: 'open-chat' }, () => endpoint.send(OpenChat, {}))),
      h('li', {}, 'Come back here to see the cost of each answer and the savings.')),
  );
}

function renderQuality(v: ViewModel): void {
  quality.replaceChildren(h('table', { class: 'grid' },
    h('caption', { class: 'sr-only' }, 'Thumbs-up rate and automatic quality per tier, with the number of ratings behind each'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Tier'), h('th', { scope: 'col' }, 'Thumbs up'), h('th', { scope: 'col' }, 'Automatic quality'))),
    h('tbody', {}, ...v.quality.map((q) => h('tr', { 'data-tier': q.tier },
      h('th', { scope: 'row' }, q.label),
      h('td', {}, q.upRate === null ? 'no ratings' : `${pct(q.upRate)} (${int(q.up)} up, ${int(q.down)} down)`),
      h('td', {}, q.autoQuality === null ? 'no data' : `${q.autoQuality.toFixed(2)} (${int(q.autoCount)} answers)`),
    ))),
  ));
}

// The budget form is built once (the select is costly to build) and its values refreshed on each state, except
// while the user is editing it.
let budgetDirty = false;
type Field = HTMLElement & { value: string; label: string };
const gaugeFill = h('div', { class: 'gauge-fill' });
const gauge = h('div', { class: 'gauge', role: 'meter', 'aria-label': 'Budget used', 'aria-valuemin': 0, 'aria-valuemax': 100 }, gaugeFill);
const budgetState = h('span', { class: 'state-label', 'data-testid': 'budget-state' });
const budgetUsed = h('p', { class: 'muted', 'data-testid': 'budget-used' });
const dailyField = h('vscode-textfield', { id: 'budget-daily', placeholder: 'no limit', 'data-testid': 'budget-daily' }) as Field;
const monthlyField = h('vscode-textfield', { id: 'budget-monthly', placeholder: 'no limit', 'data-testid': 'budget-monthly' }) as Field;
dailyField.label = 'Daily limit in dollars';
monthlyField.label = 'Monthly limit in dollars';
const modeField = h('vscode-single-select', { id: 'budget-mode', 'aria-label': 'When the budget is used up', 'data-testid': 'budget-mode' },
  h('vscode-option', { value: 'block' }, 'Refuse requests'),
  h('vscode-option', { value: 'cheapest' }, 'Use the cheapest tier only')) as HTMLElement & { value: string };
for (const el of [dailyField, monthlyField, modeField]) {
  el.addEventListener('input', () => { budgetDirty = true; });
  el.addEventListener('change', () => { budgetDirty = true; });
}
const saveBudget = button('Save budget', { icon: 'save', testid: 'budget-save' }, async () => {
  const parse = (raw: string, name: string): number | null | string => {
    const t = raw.trim().replace(/^\$/, '');
    if (t === '') return null;
    const n = Number(t);
    return Number.isFinite(n) && n >= 0 ? n : `${name} must be an amount in dollars (0 or more), or empty for no limit.`;
  };
  const d = parse(dailyField.value, 'Daily limit');
  const m = parse(monthlyField.value, 'Monthly limit');
  if (typeof d === 'string' || typeof m === 'string') { say(typeof d === 'string' ? d : m as string, 'error'); return; }
  budgetDirty = false; // the state that follows the save redraws the form with what was saved
  try {
    const r = await endpoint.request(SetBudget, { dailyLimitUsd: d, monthlyLimitUsd: m, onExhausted: modeField.value === 'block' ? 'block' : 'cheapest' });
    say(r.message, r.ok ? 'info' : 'error');
    if (!r.ok) budgetDirty = true;
  } catch (e) { budgetDirty = true; say(`Saving the budget failed: ${(e as Error).message}`, 'error'); }
});
budget.append(h('div', { class: 'gauge-row' }, gauge, budgetState), budgetUsed);
// The form's web components render themselves when attached (~100 ms of lit updates for the select and fields):
// attached once the first state is painted, so they do not hold up the figures and charts.
afterFirstPaint(() => budget.append(
  h('div', { class: 'form' },
    h('label', { for: 'budget-daily' }, 'Daily limit ($)'), dailyField,
    h('label', { for: 'budget-monthly' }, 'Monthly limit ($)'), monthlyField,
    h('label', { for: 'budget-mode' }, 'When used up'), modeField),
  saveBudget,
));

function renderBudget(v: ViewModel): void {
  const b = v.budget;
  const s = b.state;
  const used = s ? s.usedFraction : 0;
  const stateName = s?.state ?? (b.dailyLimitUsd === null && b.monthlyLimitUsd === null ? 'no limit' : 'normal');
  const cls = `state-${stateName.replace(/\s/g, '-')}`;
  gaugeFill.style.width = `${Math.min(100, Math.round(used * 100))}%`;
  gauge.className = `gauge ${cls}`;
  gauge.setAttribute('aria-valuenow', String(Math.round(used * 100)));
  gauge.setAttribute('aria-valuetext', `${pct(used)} used, ${stateName}`);
  budgetState.className = `state-label ${cls}`;
  budgetState.textContent = stateName;
  budgetUsed.textContent = `Today ${usd(s?.spentTodayUsd ?? b.spentTodayUsd)}${b.dailyLimitUsd !== null ? ` of ${usd(b.dailyLimitUsd)}` : ''}`
    + ` · this month ${usd(s?.spentMonthUsd ?? b.spentMonthUsd)}${b.monthlyLimitUsd !== null ? ` of ${usd(b.monthlyLimitUsd)}` : ''}`;
  if (budgetDirty) return; // keep what the user is typing
  const dv = b.dailyLimitUsd === null ? '' : String(b.dailyLimitUsd);
  const mv = b.monthlyLimitUsd === null ? '' : String(b.monthlyLimitUsd);
  if (dailyField.value !== dv) dailyField.value = dv;
  if (monthlyField.value !== mv) monthlyField.value = mv;
  if (modeField.value !== b.onExhausted) modeField.value = b.onExhausted;
}

function renderRetrain(v: ViewModel): void {
  const run = button('Retrain now', { icon: 'sync', testid: 'retrain-now' }, async () => {
    say('Retraining…');
    try {
      const r = await endpoint.request(RetrainNow, {});
      say(r.message, r.ok ? 'info' : 'error');
    } catch (e) { say(`Retraining failed: ${(e as Error).message}`, 'error'); }
  });
  const list = v.retrain.adjustments.length
    ? h('ul', { class: 'adjustments', 'data-testid': 'adjustments' }, ...v.retrain.adjustments.map((a) => h('li', { 'data-adjustment': a.id, class: a.revertedAt ? 'reverted' : '' },
      h('div', {}, h('strong', {}, `${a.group}`), ` → ${a.kind === 'raise' ? 'at least' : 'at most'} ${a.tierLabel}`,
        a.revertedAt ? h('span', { class: 'muted' }, ` · undone ${ago(a.revertedAt)}`) : ''),
      h('div', { class: 'muted' }, a.reason, ` (${int(a.samples)} samples, ${dateTime(a.createdAt)})`),
      a.revertedAt ? null : button('Undo', { icon: 'discard', secondary: true, aria: `Undo adjustment for ${a.group}`, testid: 'undo' }, async () => {
        const r = await endpoint.request(UndoAdjustment, { id: a.id });
        say(r.message, r.ok ? 'info' : 'error');
      }))))
    : h('p', { class: 'muted' }, 'No adjustments yet: retraining changes routing only when feedback shows a tier answers a group of prompts badly (or more than well enough).');
  retrain.replaceChildren(
    h('div', { class: 'row' }, run, h('span', { class: 'muted', 'data-testid': 'retrain-last' }, `Last run: ${v.retrain.lastRun ? `${dateTime(v.retrain.lastRun)} (${ago(v.retrain.lastRun)})` : 'never'}`)),
    list,
    fineTuneBlock(v),
  );
}

/** The last fine-tune of the classifier on the user's feedback: when, rows, held-back accuracy before → after, kept. */
function fineTuneBlock(v: ViewModel): HTMLElement {
  const ft = v.retrain.fineTune;
  const inUse = v.retrain.fineTunedInUse;
  const tune = button('Fine-tune on my feedback', { icon: 'beaker', secondary: true, testid: 'finetune-now' }, async () => {
    say('Fine-tuning the classifier on your feedback…');
    try {
      const r = await endpoint.request(FineTuneNow, {});
      say(r.message, r.ok ? 'info' : 'warning');
    } catch (e) { say(`Fine-tuning failed: ${(e as Error).message}`, 'error'); }
  });
  const reset = inUse ? button('Use the shipped model', { icon: 'discard', secondary: true, testid: 'finetune-reset' }, async () => {
    try {
      const r = await endpoint.request(ResetFineTune, {});
      say(r.message, r.ok ? 'info' : 'warning');
    } catch (e) { say(`Removing the fine-tuned model failed: ${(e as Error).message}`, 'error'); }
  }) : null;
  const using = inUse ? 'routing uses a fine-tuned model' : 'routing uses the shipped model';
  const body: Child[] = ft ? [
    h('p', { 'data-testid': 'finetune-last' }, `Last fine-tune: ${dateTime(ft.at)} (${ago(ft.at)}) · ${int(ft.trainRows)} rows trained on, ${int(ft.heldBack)} held back`),
    h('p', { 'data-testid': 'finetune-accuracy' },
      `Held-back accuracy: ${pct(ft.accuracyBefore)} → ${pct(ft.accuracyAfter)}`,
      h('span', { class: 'muted' }, ` (${ft.rightBefore ?? 0} → ${ft.rightAfter ?? 0} of ${int(ft.heldBack)} routed as rated; before: ${ft.before === 'shipped' ? 'the shipped model' : 'the fine-tuned model then in use'})`)),
    h('p', { 'data-testid': 'finetune-kept' }, ft.kept
      ? (ft.removedAt !== null ? `Kept, then removed ${dateTime(ft.removedAt)}: ${using}.` : inUse ? 'Kept: routing uses it now.' : `Kept; ${using}.`)
      : `Not kept: it did worse on the held-back answers; ${using}.`),
  ] : [h('p', { class: 'muted', 'data-testid': 'finetune-last' }, `Not fine-tuned yet (${using}). Fine-tuning learns from answers you rated (prompts stored in full); a quarter of them are held back to check that it helps.`)];
  return h('div', { class: 'finetune', 'data-testid': 'finetune' },
    h('h3', {}, 'Classifier fine-tuned on your feedback'),
    ...body,
    h('div', { class: 'row' }, tune, reset));
}

function thumbs(row: DecisionRow): HTMLElement {
  const give = (thumb: 'up' | 'down') => async (ev: Event) => {
    ev.stopPropagation();
    try {
      const r = await endpoint.request(GiveFeedback, { decisionId: row.id, thumb });
      say(r.message, r.ok ? 'info' : 'error');
      if (dialog.open && dialog.dataset.id === row.id) await showDecision(row.id); // the detail shows the new thumb
    } catch (e) { say(`Feedback failed: ${(e as Error).message}`, 'error'); }
  };
  return h('span', { class: 'thumbs' },
    button('', { icon: 'thumbsup', secondary: row.feedback !== 'up', pressed: row.feedback === 'up', aria: 'Good answer', testid: 'thumb-up' }, give('up')),
    button('', { icon: 'thumbsdown', secondary: row.feedback !== 'down', pressed: row.feedback === 'down', aria: 'Bad answer', testid: 'thumb-down' }, give('down')));
}

/** Rows already drawn, by decision id, with the data they were drawn from: unchanged rows are reused as they are. */
const rowCache = new Map<string, { key: string; li: HTMLElement }>();

function decisionItem(r: DecisionRow): HTMLElement {
  const key = JSON.stringify(r);
  const hit = rowCache.get(r.id);
  if (hit && hit.key === key) return hit.li;
  const open = h('button', { class: 'decision-open', type: 'button', 'aria-label': `Show decision: ${r.tierLabel}, ${r.model}, ${usd(r.costUsd)}` },
    h('span', { class: 'decision-head' },
      h('vscode-badge', { class: `tier tier-${r.tier}` }, r.tierLabel),
      h('span', { class: 'model' }, r.model),
      h('span', { class: 'cost', 'data-cost': '' }, r.status === 'ok' || r.costUsd !== null ? usd(r.costUsd) : r.status)),
    h('span', { class: 'prompt', 'data-prompt': '' }, r.prompt ?? '(prompt not kept)'),
    h('span', { class: 'muted reasons' }, h('span', { 'data-time': r.time }, ago(r.time)), ` · ${r.complexity} / ${r.category} · ${r.reasons.join('; ')}`));
  open.addEventListener('click', () => void showDecision(r.id));
  const li = h('li', { class: 'decision', 'data-decision': r.id }, open, thumbs(r));
  rowCache.set(r.id, { key, li });
  return li;
}

function renderRecent(rows: DecisionRow[], total: number): void {
  if (!rows.length) { recent.replaceChildren(h('p', { class: 'muted' }, 'No decisions yet.')); return; }
  const items = rows.map(decisionItem);
  const shown = new Set(rows.map((r) => r.id));
  for (const id of rowCache.keys()) if (!shown.has(id)) rowCache.delete(id);
  // "2 h ago" moves on even when the row did not change.
  for (const el of recent.querySelectorAll<HTMLElement>('[data-time]')) el.textContent = ago(Number(el.dataset.time));
  const list = h('ul', { class: 'decisions' }, ...items);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const nav = h('div', { class: 'row pager' },
    page > 0 ? button('Newer', { icon: 'arrow-left', secondary: true, testid: 'page-newer' }, () => void loadPage(page - 1)) : null,
    h('span', { class: 'muted' }, `Page ${page + 1} of ${int(pages)} · ${int(total)} decisions`),
    page + 1 < pages ? button('Older', { icon: 'arrow-right', secondary: true, testid: 'page-older' }, () => void loadPage(page + 1)) : null);
  recent.replaceChildren(list, nav);
}

async function loadPage(p: number): Promise<void> {
  const r = await endpoint.request(RequestPage, { offset: p * PAGE_SIZE, limit: PAGE_SIZE });
  page = Math.floor(r.offset / PAGE_SIZE);
  pageRows = page === 0 ? undefined : { rows: r.rows, total: r.total };
  renderRecent(r.rows, r.total);
}

function kv(label: string, value: Child): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, value)];
}

async function showDecision(id: string): Promise<void> {
  const { decision: d } = await endpoint.request(ShowDecision, { id });
  if (!d) { say('That decision no longer exists.', 'warning'); return; }
  renderDetail(d);
  dialog.dataset.id = d.id;
  if (!dialog.open) dialog.showModal();
}

function renderDetail(d: DecisionDetail): void {
  const r = d.record;
  const u = r.usage;
  const close = button('Close', { icon: 'close', secondary: true, testid: 'detail-close' }, () => dialog.close());
  dialog.replaceChildren(
    h('h2', { id: 'detail-h' }, `${d.tierLabel} · ${d.model}`),
    h('dl', { class: 'kv' },
      ...kv('When', dateTime(r.time)),
      ...kv('Source', r.source),
      ...kv('Status', r.status + (r.error ? ` — ${r.error}` : '')),
      ...kv('Chosen model', r.model),
      ...kv('Answered by', r.answeredModel ?? '—'),
      ...kv('Classification', `${r.complexity} / ${r.category}, score ${r.score.toFixed(3)}, confidence ${r.confidence.toFixed(2)}${r.highStakes ? ', high stakes' : ''}`),
      ...kv('Override', r.override ?? 'none'),
      ...kv('Cost', usd(r.costUsd)),
      ...kv('On top tier', usd(r.baselineCostUsd)),
      ...kv('Estimated beforehand', `${usd(r.estCostUsd)} (top tier ${usd(r.baselineEstCostUsd)})`),
      ...kv('Tokens', u ? `${int(u.inputTokens)} in, ${int(u.outputTokens)} out, ${int(u.cacheWriteTokens)} cache write, ${int(u.cacheReadTokens)} cache read` : '—'),
      ...kv('Latency', r.latencyMs !== null ? `${int(r.latencyMs)} ms (first token ${r.ttftMs !== null ? int(r.ttftMs) + ' ms' : '—'})` : '—'),
      ...kv('Adjustments applied', r.adjustments.length ? r.adjustments.join(', ') : 'none'),
      ...kv('Feedback', d.feedbackHistory.length ? d.feedbackHistory.map((f) => `${f.thumb ?? 'auto'}${f.autoQuality !== null ? ` (quality ${f.autoQuality.toFixed(2)})` : ''}`).join(', ') : 'none'),
      ...kv('Id', r.id)),
    h('h3', {}, 'Why this tier'),
    h('ul', {}, ...r.reasons.map((x) => h('li', {}, x))),
    h('h3', {}, 'Prompt'),
    h('pre', { class: 'prompt-full', 'data-testid': 'detail-prompt' }, r.prompt ?? '(prompt not kept)'),
    h('div', { class: 'row' }, thumbs(d), close),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// State from the host

/** What the panel exposes about its own drawing, for the Chromium tests and the benchmark. */
interface PanelProbe {
  renders: number;
  lastState?: ViewModel;
  /** Time spent drawing the last state, and per section. */
  lastRenderMs?: number;
  timings?: Record<string, number>;
  /** Date.now() when the last state arrived and when it was drawn. */
  receivedAt?: number;
  renderedAt?: number;
  charts: Charts;
}
declare global { interface Window { __panel?: PanelProbe } }
window.__panel = { renders: 0, charts };

function render(v: ViewModel): void {
  const t0 = performance.now();
  vm = v;
  if (v.period !== period) {
    period = v.period;
    vscode.setState({ ...(vscode.getState() as SavedState ?? {}), period });
  }
  const step = (name: string, fn: () => void) => { const a = performance.now(); fn(); timings[name] = performance.now() - a; };
  const timings: Record<string, number> = {};
  step('period', renderPeriod);
  step('welcome', () => renderWelcome(v));
  step('figures', () => renderFigures(v));
  daysTitle.textContent = v.days.unit === 'week' ? 'Spend per week' : 'Spend per day';
  step('charts', () => charts.update(v));
  step('quality', () => renderQuality(v));
  step('budget', () => renderBudget(v));
  step('retrain', () => renderRetrain(v));
  step('recent', () => { if (page === 0 || !pageRows) renderRecent(v.recent.rows, v.recent.total); else void loadPage(page); });
  window.__panel!.timings = timings;
  main.classList.toggle('is-empty', v.empty);
  main.setAttribute('aria-busy', 'false');
  main.dataset.period = v.period;
  document.body.dataset.rendered = String((window.__panel!.renders += 1));
  const t1 = performance.now();
  window.__panel!.lastState = v;
  window.__panel!.lastRenderMs = t1 - t0;
  window.__panel!.renderedAt = Date.now();
  if (window.__panel!.renders === 1) {
    performance.mark('first-render'); performance.measure('open-to-first-render', 'panel-start', 'first-render');
    clearTimeout(deferredFallback);
    requestAnimationFrame(() => setTimeout(runDeferred, 0)); // after the frame that shows this state
  }
  const shown: Record<string, string> = {};
  figures.querySelectorAll<HTMLElement>('[data-figure]').forEach((f) => {
    shown[f.dataset.figure!] = f.querySelector('.figure-value')?.textContent ?? '';
  });
  endpoint.send(Rendered, {
    renders: window.__panel!.renders, period: v.period, generatedAt: v.generatedAt, figures: shown, empty: v.empty,
    decisionIds: Array.from(recent.querySelectorAll<HTMLElement>('[data-decision]'), (e) => e.dataset.decision!),
  });
}

endpoint.on(State, (p) => {
  window.__panel!.receivedAt = Date.now();
  if (noticeShown) { noticeShown = false; say(''); } // a state arrived: the host's earlier problem is over
  performance.mark('state-received');
  render(p.state);
});
let noticeShown = false;
endpoint.on(Notice, (p) => { say(p.message, p.level); noticeShown = true; });

// Theme changes: VS Code swaps the body class and the --vscode-* variables on <html>; redraw charts with new colours.
let themeKey = document.body.className + '|' + (document.documentElement.getAttribute('style') ?? '');
new MutationObserver(() => {
  const k = document.body.className + '|' + (document.documentElement.getAttribute('style') ?? '');
  if (k !== themeKey) { themeKey = k; charts.redraw(); }
}).observe(document.documentElement, { attributes: true, subtree: false, attributeFilter: ['class', 'style'] });
new MutationObserver(() => {
  const k = document.body.className + '|' + (document.documentElement.getAttribute('style') ?? '');
  if (k !== themeKey) { themeKey = k; charts.redraw(); }
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

renderPeriod();
performance.mark('ready-sent');
endpoint.send(Ready, { period: isPeriod(saved.period) ? saved.period : undefined });
