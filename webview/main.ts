// The cost panel (bundled to dist/webview.js, runs inside the VS Code webview). Draws the ViewModel the host sends
// and turns clicks into protocol messages. Every string that came from a prompt or a model is put in the page as
// TEXT (textContent / text nodes): no file of the panel assigns innerHTML or inserts HTML.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import './styles.css';
import { PanelContext, type VsCodeApi } from './context';
import { h } from './dom';
import { Panel } from './panel';
import { Notice, Ready, State, isPeriod } from './protocol';
import { watchTheme } from './theme';

performance.mark('panel-start');

declare function acquireVsCodeApi(): VsCodeApi;

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', 'data-testid': 'status' });
const ctx = new PanelContext(acquireVsCodeApi(), status);
const saved = ctx.saved;
window.addEventListener('message', (ev: MessageEvent) => ctx.endpoint.receive(ev.data));

const panel = new Panel(ctx, app, status);

ctx.endpoint.on(State, (p) => {
  panel.probe.receivedAt = Date.now();
  ctx.clearNotice();
  performance.mark('state-received');
  panel.render(p.state);
});
ctx.endpoint.on(Notice, (p) => ctx.notice(p.message, p.level));

watchTheme(() => panel.themeChanged());

performance.mark('ready-sent');
ctx.endpoint.send(Ready, { period: isPeriod(saved.period) ? saved.period : undefined });
