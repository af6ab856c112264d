// The host half of the cost panel, without `vscode`: answers the webview's commands and requests from the real
// store and service, and pushes the view model (throttled) whenever the store changes. src/vscode/panel.ts wires it
// to a WebviewView; the Chromium harness and the benchmark wire it to an HTTP page. Same code, same numbers.
import {
  HostEndpoint,
  SetPeriod,
  SetApiKey,
  OpenChat,
  Rendered,
  State,
  Headline,
  Notice,
  isPeriod,
  DEFAULT_PERIOD,
  type Period,
  type ViewModel,
  type RenderedInfo,
  type Summary,
  type WireMessage,
  type WireReply,
} from '../../webview/protocol';
import { buildSummary, buildViewModel, type SummaryBasis } from './viewModel';
import { wireHandlers } from './handlers';
import type { DecisionStore } from '../core/store/api';
import type { RouterService } from '../core/service-api';

export interface PanelHostDeps {
  /** Read on every use (a getter is fine): the host may rebuild the service, or reopen the store, on settings changes. */
  service: RouterService;
  /** Defaults to service.store (read on every use; the panel follows a reopened store). */
  store?: DecisionStore;
  /** Resolves when service and store can be used (the database opens in the background); rejects if it cannot open. */
  ready?: Promise<unknown>;
  /** Whether `ready` has resolved already, known at once (so the page's HTML can carry the headline). */
  isReady?(): boolean;
  /** Ask the user for the API key (the host stores it in SecretStorage). */
  onSetApiKey?(): unknown;
  /** Open the chat with @router. */
  onOpenChat?(): unknown;
  /** Whether a key is set; shown in the welcome. */
  hasApiKey?(): boolean | Promise<boolean>;
  /** Where the chosen period is remembered across sessions (VS Code globalState; memory in the harness). */
  loadPeriod?(): Period | undefined;
  savePeriod?(p: Period): unknown;
  log?(message: string): void;
  /** Minimum time between two state pushes caused by store changes (default 250 ms; the first is immediate). */
  throttleMs?: number;
  now?(): number;
}

export class PanelController {
  readonly endpoint: HostEndpoint;
  private period: Period;
  private watched: { store: DecisionStore; off: () => void } | undefined;
  private readonly ready: Promise<boolean>;
  private isOpen = false;
  private lastPush = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private disposed = false;
  private hidden = false;
  private computing = false;
  private lastError: string | undefined;
  private hasKey: boolean | null = null;
  /** What summaryNow() read, reused by the next push unless the store changed or the period did meanwhile. */
  private carried: SummaryBasis | undefined;
  private lastModel: ViewModel | undefined;
  private readonly renderWaiters: ((vm: ViewModel) => void)[] = [];
  private lastShown: RenderedInfo | undefined;
  private readonly shownWaiters: { pred: (r: RenderedInfo) => boolean; resolve: (r: RenderedInfo) => void }[] = [];
  /** Called after each state push with the model sent (for tests in the real editor and the benchmark). */
  onDidPush: ((vm: ViewModel, computeMs: number) => void) | undefined;

  constructor(
    private readonly deps: PanelHostDeps,
    post: (msg: WireMessage | WireReply) => unknown,
  ) {
    this.endpoint = new HostEndpoint(post, deps.log);
    const saved = deps.loadPeriod?.();
    this.period = isPeriod(saved) ? saved : DEFAULT_PERIOD;
    this.wire();
    if (deps.ready === undefined || deps.isReady?.()) this.isOpen = true;
    this.ready = Promise.resolve(deps.ready).then(
      () => {
        this.isOpen = true;
        return true;
      },
      (e: unknown) => {
        const message = `The decision database could not be opened: ${e instanceof Error ? e.message : String(e)}`;
        this.deps.log?.(`cost panel: ${message}`);
        this.endpoint.notify(Notice, { level: 'error', message });
        return false;
      },
    );
    // Compute the first state while the webview is still loading; it is held until the webview says ready.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pushState();
    }, 0);
  }

  /** The store in use now; (re)subscribes to its changes when the host swapped it. */
  private get store(): DecisionStore {
    const s = this.deps.store ?? this.deps.service.store;
    if (this.watched?.store !== s && !this.disposed) {
      this.watched?.off();
      this.watched = {
        store: s,
        off: s.onDidChange(() => {
          this.carried = undefined;
          this.scheduleUpdate();
        }),
      };
    }
    return s;
  }

  get currentPeriod(): Period {
    return this.period;
  }
  /** The last view model sent to the webview. */
  get lastViewModel(): ViewModel | undefined {
    return this.lastModel;
  }
  /** Resolves with the next view model sent (or the last one, when one was already sent). */
  whenPushed(fresh = false): Promise<ViewModel> {
    if (this.lastModel && !fresh) return Promise.resolve(this.lastModel);
    return new Promise((resolve) => this.renderWaiters.push(resolve));
  }

  /** What the webview last reported drawing (its figures as text, the decisions listed). */
  get lastRendered(): RenderedInfo | undefined {
    return this.lastShown;
  }
  /** Resolves when the webview reports a drawn state that satisfies `pred` (at once if the last one does). */
  whenRendered(pred: (r: RenderedInfo) => boolean = () => true): Promise<RenderedInfo> {
    if (this.lastShown && pred(this.lastShown)) return Promise.resolve(this.lastShown);
    return new Promise((resolve) => this.shownWaiters.push({ pred, resolve }));
  }

  /** The headline figures and the budget now, for the page's HTML: drawn before the page's first message round
   *  trip (undefined while the database is not open, or if they cannot be read: the Headline message brings them). */
  summaryNow(): Summary | undefined {
    if (!this.isOpen || this.disposed) return undefined;
    try {
      this.carried = buildSummary({
        store: this.store,
        service: this.deps.service,
        period: this.period,
        now: this.deps.now?.(),
        hasKey: this.hasKey,
      });
      return this.carried.summary;
    } catch {
      return undefined;
    }
  }

  /** Feed every message the webview posts here. */
  receive(raw: unknown): Promise<void> {
    return this.endpoint.receive(raw);
  }

  /** The webview was disposed or reloaded: hold messages until it says ready again. */
  webviewGone(): void {
    this.endpoint.reset();
  }

  /** The view was hidden or shown again with its page kept (retainContextWhenHidden): while hidden, store changes
   *  compute nothing and the polling stops; shown again, the page gets the figures of now at once. */
  setVisible(visible: boolean): void {
    if (this.disposed || this.hidden === !visible) return;
    this.hidden = !visible;
    this.setPolling(visible);
    if (!visible) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    void this.pushState();
  }

  /** While visible, re-read what other processes (the CLI, another window) wrote, every `ms`. */
  setPolling(on: boolean, ms = 5000): void {
    if (this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
    if (!on || this.disposed) return;
    this.pollTimer = setInterval(() => {
      if (!this.isOpen) return;
      this.store
        .refresh()
        .catch((e) => this.deps.log?.(`cost panel: refresh failed: ${e instanceof Error ? e.message : e}`));
    }, ms);
  }

  /** Computes and sends the view model now. */
  async pushState(): Promise<void> {
    if (this.disposed) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.lastPush = Date.now();
    this.computing = true;
    if (!(await this.ready) || this.disposed) {
      this.computing = false;
      return;
    }
    // Whether a key is set is asked of the editor (SecretStorage, a round trip) while the summary is read.
    const keyRead = this.readKey();
    const t0 = performance.now();
    let vm: ViewModel;
    let computed = 0;
    try {
      const input = {
        store: this.store,
        service: this.deps.service,
        period: this.period,
        now: this.deps.now?.(),
        hasKey: this.hasKey,
      };
      // The headline figures and the budget go first, so the panel shows them before it draws the charts.
      const carried = this.carried?.summary.period === this.period ? this.carried : undefined;
      this.carried = undefined;
      const read = carried ?? buildSummary(input);
      let waited = 0;
      if (keyRead) {
        const w = performance.now();
        this.hasKey = await keyRead;
        waited = performance.now() - w;
        if (this.disposed) {
          this.computing = false;
          return;
        }
      }
      const basis = { ...read, summary: { ...read.summary, hasKey: this.hasKey } };
      this.endpoint.dropQueued(Headline);
      this.endpoint.notify(Headline, { summary: basis.summary });
      vm = buildViewModel({ ...input, hasKey: this.hasKey }, basis);
      computed = performance.now() - t0 - waited;
    } catch (e) {
      this.computing = false;
      // E.g. the host's service is not there yet: say so, and try again shortly.
      const text = e instanceof Error ? e.message : String(e);
      if (text !== this.lastError) {
        this.lastError = text;
        this.deps.log?.(`cost panel: could not read the statistics: ${text}`);
        this.endpoint.notify(Notice, { level: 'warning', message: text });
      }
      if (!this.disposed && !this.timer)
        this.timer = setTimeout(() => {
          this.timer = undefined;
          void this.pushState();
        }, 1000);
      return;
    }
    this.lastError = undefined;
    this.computing = false;
    const ms = computed;
    this.lastModel = vm;
    // A newer state replaces one still waiting for the webview to be ready.
    this.endpoint.dropQueued(State);
    this.endpoint.notify(State, { state: vm });
    this.onDidPush?.(vm, ms);
    for (const w of this.renderWaiters.splice(0)) w(vm);
  }

  /** Asks whether a key is set (null when that cannot be told); undefined when the host cannot say. */
  private readKey(): Promise<boolean | null> | undefined {
    const has = this.deps.hasApiKey;
    if (!has) return undefined;
    try {
      // Asked now (not in a later microtask), so the editor answers while the summary is being read.
      return Promise.resolve(has()).then(
        (v) => v,
        () => null,
      );
    } catch {
      return Promise.resolve(null);
    }
  }

  /** Throttled push: immediate when the last one was long enough ago, otherwise once at the end of the window. */
  scheduleUpdate(): void {
    if (this.disposed || this.hidden || this.timer) return;
    const wait = Math.max(0, (this.deps.throttleMs ?? 250) - (Date.now() - this.lastPush));
    if (wait === 0) {
      void this.pushState();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pushState();
    }, wait);
  }

  dispose(): void {
    this.disposed = true;
    this.watched?.off();
    this.watched = undefined;
    this.setPolling(false);
    if (this.timer) clearTimeout(this.timer);
    this.endpoint.dispose();
  }

  private wire(): void {
    const e = this.endpoint;
    // The actions and reads (src/panel/handlers.ts) read deps.service on every use: the host may replace the service
    // when settings change. Requests wait for the database; if it could not open, they fail with that reason.
    wireHandlers({
      endpoint: e,
      service: () => this.deps.service,
      store: () => this.store,
      opened: async () => {
        if (!(await this.ready)) throw new Error('The decision database is not open.');
      },
      push: () => void this.pushState(),
    });

    e.onReady((p, flushed) => {
      // What the webview remembered wins (it is the same view being restored); otherwise the saved choice.
      let changed = false;
      if (isPeriod(p.period) && p.period !== this.period) {
        this.period = p.period;
        void this.deps.savePeriod?.(p.period);
        changed = true;
      }
      // A state computed while the page loaded was just delivered: send another only if it is out of date.
      const fresh = flushed.includes(State.method) && !changed && !this.timer && !this.computing;
      if (!fresh) void this.pushState();
    });

    e.onCommand(SetPeriod, (p) => {
      if (!isPeriod(p.period)) {
        e.notify(Notice, { level: 'error', message: `Unknown period "${String(p.period)}"` });
        return;
      }
      this.period = p.period;
      void this.deps.savePeriod?.(p.period);
      void this.pushState();
    });

    e.onCommand(Rendered, (r) => {
      this.lastShown = r;
      for (let i = this.shownWaiters.length - 1; i >= 0; i--) {
        const w = this.shownWaiters[i];
        if (w.pred(r)) {
          this.shownWaiters.splice(i, 1);
          w.resolve(r);
        }
      }
    });

    e.onCommand(SetApiKey, async () => {
      await this.deps.onSetApiKey?.();
      void this.pushState();
    });
    e.onCommand(OpenChat, async () => {
      await this.deps.onOpenChat?.();
    });
  }
}

export { budgetProblem } from './handlers';
