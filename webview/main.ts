// The cost panel (bundled to dist/webview.js, runs inside the VS Code webview). Draws the ViewModel the host sends
// and turns clicks into protocol messages. Every string that came from a prompt or a model is put in the page as
// TEXT (textContent / text nodes): no file of the panel assigns innerHTML or inserts HTML.
import './start';
import './styles.css';
import { PanelContext, type VsCodeApi } from './context';
import { h } from './dom';
import { Panel } from './panel';
import { Headline, Notice, Ready, State, isPeriod, type Summary } from './protocol';
import { watchTheme } from './theme';

performance.mark('panel-start');

declare function acquireVsCodeApi(): VsCodeApi;

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', 'data-testid': 'status' });
const ctx = new PanelContext(acquireVsCodeApi(), status);
const saved = ctx.saved;
window.addEventListener('message', (ev: MessageEvent) => ctx.endpoint.receive(ev.data));

const panel = new Panel(ctx, app, status);

/** After the next frame is on screen. */
const afterPaint = (fn: () => void) => requestAnimationFrame(() => setTimeout(fn, 0));

// The web components (buttons, fields, the select) are defined once the headline is on screen, or after a second.
let elements: Promise<unknown> | undefined;
const loadElements = () => {
  // The codicons' stylesheet waited (media="print" in the page's HTML) so it did not hold up the headline.
  document.getElementById('vscode-codicon-stylesheet')?.removeAttribute('media');
  elements ??= import('./elements');
};
setTimeout(loadElements, 1000);

// The headline figures and the budget come first and are drawn at once; the whole state (charts, lists) follows.
// The page's HTML may carry them already (src/panel/html.ts): drawn now, before the first message round trip, when
// they are for the period this view shows.
const carried = readSummary();
if (carried && (!isPeriod(saved.period) || saved.period === carried.period)) {
  performance.mark('headline-received');
  panel.renderSummary(carried);
  afterPaint(loadElements);
}
/** A Headline was drawn since the last State arrived. */
let headlineDrawn = false;
ctx.endpoint.on(Headline, (p) => {
  ctx.clearNotice();
  if (!performance.getEntriesByName('headline-received').length) performance.mark('headline-received');
  panel.renderSummary(p.summary);
  headlineDrawn = true;
  afterPaint(loadElements);
});
ctx.endpoint.on(State, (p) => {
  panel.probe.receivedAt = Date.now();
  ctx.clearNotice();
  if (!performance.getEntriesByName('state-received').length) performance.mark('state-received');
  // The headline just drawn reaches the screen (and the host hears of it) before the charts take the main thread.
  if (panel.probe.renders === 0 || headlineDrawn) afterPaint(() => void panel.render(p.state));
  else void panel.render(p.state);
  headlineDrawn = false;
});
ctx.endpoint.on(Notice, (p) => ctx.notice(p.message, p.level));

watchTheme(() => panel.themeChanged());

performance.mark('ready-sent');
ctx.endpoint.send(Ready, { period: isPeriod(saved.period) ? saved.period : undefined });

/** The summary in the page's <script type="application/json" id="summary">, if there is one that reads. */
function readSummary(): Summary | undefined {
  const text = document.getElementById('summary')?.textContent;
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as Summary;
    return s && typeof s === 'object' && isPeriod(s.period) && s.headline && s.budget && Array.isArray(s.tiers)
      ? s
      : undefined;
  } catch {
    return undefined;
  }
}
