// The sidebar cost panel: a WebviewViewProvider for the view `llm-router.costPanel` (activity-bar container
// `llm-router`). Thin glue: the page comes from src/panel/html.ts, the protocol from webview/protocol.ts, and all the
// logic (view model, handlers, throttled live updates) from src/panel/host.ts, which the Chromium tests exercise too.
// What the panel needs is CostPanelDeps (extension.ts passes them); what it gives back is CostPanel, whose
// `whenRendered` lets the tests in the real editor wait for what the webview reports having drawn.
import * as vscode from 'vscode';
import type { PanelController } from '../panel/host';
import { panelHtml, makeNonce } from '../panel/html';
import { readPageAssets } from '../panel/assets';
import { isPeriod, type Period, type RenderedInfo, type ViewModel } from '../../webview/protocol';
import type { RouterService } from '../core/service-api';
import type { DecisionStore } from '../core/store/api';

// The host half comes with the engine (see runtime.ts): required when the view is first resolved, after activation.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = () => require('./heavyModules') as typeof import('./heavyModules');

export const COST_PANEL_VIEW_ID = 'llm-router.costPanel';
const PERIOD_KEY = 'llm-router.costPanel.period';

export interface CostPanelDeps {
  /** The RouterService, or a getter read on every use (the service is rebuilt when settings change). */
  service: RouterService | (() => RouterService);
  /** The panel's data; default: the service's store, read on every use. */
  store?: DecisionStore;
  /** Resolves once `service` (and its store) can be used; the panel shows its figures only after that, and why not
   *  if it rejects. */
  ready?: PromiseLike<unknown>;
  /** "Set API key" in the welcome (the prompt and SecretStorage live in the extension). */
  onSetApiKey(): unknown;
  /** Whether a key is set already (the welcome says so). */
  hasApiKey?(): boolean | Thenable<boolean>;
  /** "Open chat"; default opens the chat with "@router ". */
  onOpenChat?(): unknown;
  /** One line per problem (a malformed message, a failed action). */
  log?(message: string): void;
}

export interface CostPanel extends vscode.Disposable {
  readonly viewId: string;
  /** The last view model sent to the webview (undefined until the view was opened). */
  lastViewModel(): ViewModel | undefined;
  /** What the webview last reported drawing. */
  lastRendered(): RenderedInfo | undefined;
  /** Resolves when the webview reports a drawn state that satisfies `pred` (the view must be open: see reveal()). */
  whenRendered(pred?: (r: RenderedInfo) => boolean): Promise<RenderedInfo>;
  /** When VS Code last asked for the view's page (Date.now()), for the benchmark; undefined before. */
  resolvedAt(): number | undefined;
  /** Opens the view (runs `<viewId>.focus`). */
  reveal(): Thenable<unknown>;
  /** Recomputes and sends the state now (no-op while the view was never opened). */
  refresh(): Promise<void>;
}

export function registerCostPanel(context: vscode.ExtensionContext, deps: CostPanelDeps): CostPanel {
  const getService = () => (typeof deps.service === 'function' ? deps.service() : deps.service);
  // Known at once when the view opens (the database opens in the background at activation).
  let dbReady = !deps.ready;
  Promise.resolve(deps.ready).then(
    () => {
      dbReady = true;
    },
    () => undefined,
  );
  let controller: PanelController | undefined;
  let resolvedAt: number | undefined;
  // The page carries its entry module and stylesheet (no fetch before the headline is drawn).
  const inlineAssets = (base: string) => {
    const a = readPageAssets(vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath);
    return a && { ...a, base: `${base}/` };
  };
  const waiters: { pred: (r: RenderedInfo) => boolean; resolve: (r: RenderedInfo) => void }[] = [];

  const provider: vscode.WebviewViewProvider = {
    resolveWebviewView(view: vscode.WebviewView): void {
      resolvedAt = Date.now();
      const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
      const media = vscode.Uri.joinPath(context.extensionUri, 'media');
      view.webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
      controller?.dispose();
      const c = new (engine().PanelController)(
        {
          get service() {
            return getService();
          },
          store: deps.store,
          ready: deps.ready ? Promise.resolve(deps.ready) : undefined,
          isReady: () => dbReady,
          onSetApiKey: () => deps.onSetApiKey(),
          onOpenChat: () =>
            deps.onOpenChat
              ? deps.onOpenChat()
              : vscode.commands.executeCommand('workbench.action.chat.open', { query: '@router ' }),
          hasApiKey: deps.hasApiKey ? async () => !!(await deps.hasApiKey!()) : undefined,
          loadPeriod: () => {
            const p = context.globalState.get<string>(PERIOD_KEY);
            return isPeriod(p) ? p : undefined;
          },
          savePeriod: (p: Period) => context.globalState.update(PERIOD_KEY, p),
          log: deps.log,
        },
        (msg) => view.webview.postMessage(msg),
      );
      controller = c;
      const forward = (r: RenderedInfo) => {
        for (let i = waiters.length - 1; i >= 0; i--)
          if (waiters[i].pred(r)) {
            waiters[i].resolve(r);
            waiters.splice(i, 1);
          }
      };
      const subs: vscode.Disposable[] = [
        view.webview.onDidReceiveMessage(async (m) => {
          await c.receive(m);
          const r = c.lastRendered;
          if (r) forward(r);
        }),
        // The page is kept while hidden (retainContextWhenHidden): shown again, it still has what it drew and gets
        // fresh figures at once, instead of loading the page anew. While hidden the host computes nothing.
        view.onDidChangeVisibility(() => c.setVisible(view.visible)),
      ];
      view.onDidDispose(() => {
        subs.forEach((s) => s.dispose());
        c.dispose();
        if (controller === c) controller = undefined;
      });
      const nonce = makeNonce((n) => {
        const a = new Uint8Array(n);
        globalThis.crypto.getRandomValues(a);
        return a;
      });
      view.webview.html = panelHtml({
        cspSource: view.webview.cspSource,
        nonce,
        scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
        styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
        codiconUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicon.css')).toString(),
        inline: inlineAssets(view.webview.asWebviewUri(dist).toString()),
        testMode: context.extensionMode === vscode.ExtensionMode.Test,
        summary: c.summaryNow(),
      });
      c.setPolling(view.visible);
      if (!view.visible) c.setVisible(false);
    },
  };

  const registration = vscode.window.registerWebviewViewProvider(COST_PANEL_VIEW_ID, provider, {
    webviewOptions: { retainContextWhenHidden: true },
  });
  const panel: CostPanel = {
    viewId: COST_PANEL_VIEW_ID,
    lastViewModel: () => controller?.lastViewModel,
    lastRendered: () => controller?.lastRendered,
    resolvedAt: () => resolvedAt,
    whenRendered(pred = () => true) {
      const last = controller?.lastRendered;
      if (last && pred(last)) return Promise.resolve(last);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    reveal: () => vscode.commands.executeCommand(`${COST_PANEL_VIEW_ID}.focus`),
    refresh: async () => {
      await controller?.pushState();
    },
    dispose() {
      registration.dispose();
      controller?.dispose();
      controller = undefined;
    },
  };
  context.subscriptions.push(panel);
  return panel;
}
