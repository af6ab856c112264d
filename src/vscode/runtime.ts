// What the chat participant, the model provider, the commands and the status bar share: the current settings, the
// decision store, the routing service (rebuilt when settings change) and a model client built from the API key.
//
// Activation must stay fast (≤ 30 ms), so the heavy modules (the Anthropic SDK, sql.js and the store, the service,
// zod for the settings) live in ./heavyModules, required on first use after activate() has returned. Bundled into
// dist/extension.js, esbuild evaluates them only when first required; built as its own dist/heavyModules.js (esbuild
// entry src/vscode/heavyModules.ts, and './heavyModules' external for the extension), they are not even parsed at activation.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultConfig } from '../core/config';
import type { ClientFor, ModelClient } from '../core/provider/api';
import type { RouterService } from '../core/service-api';
import type { DecisionStore } from '../core/store/api';
import type { TierConfig } from '../core/types';
import type { Log } from './log';
import { ApiKeys, EndpointKeys } from './secrets';
import type { Settings } from './settings';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = () => require('./heavyModules') as typeof import('./heavyModules');
const lazy = { settings: engine, store: engine, service: engine, anthropic: engine };

/** Settings before the real ones are read (the first moments after activation): the defaults. */
function defaultSettings(): Settings {
  return {
    config: defaultConfig(),
    promptStorage: 'preview',
    baseUrl: undefined,
    maxRetries: 2,
    maxRetryWaitSeconds: 30,
    budget: { dailyLimitUsd: null, monthlyLimitUsd: null, onExhausted: 'block', configured: false },
    cascade: false,
    retrainEvery: 20,
    allowStepDown: false,
    retention: { maxDays: 365, maxRows: 100_000 },
    endpoints: [],
    pool: { alternates: {}, failureThreshold: 5, cooldownMs: 30_000 },
    cache: { enabled: false, ttlMs: 3_600_000, maxEntries: 500, similarity: 0, acrossWorkspaces: false },
    telemetry: { enabled: false, endpoint: 'http://localhost:4318', includePrompt: false },
    problems: [],
    judge: { sampleRate: 0, maxBudgetShare: 0.05, tier: null, mode: 'compare' },
    neighbours: false,
  };
}

export const DB_FILE = 'decisions.sqlite';

/** The open workspace: a multi-root workspace by its file, else its first folder; null with none open. */
function currentWorkspace(tag: (folder: string) => { name: string; id: string }): { name: string; id: string } | null {
  const file = vscode.workspace.workspaceFile;
  if (file?.scheme === 'file')
    return { ...tag(file.fsPath), name: vscode.workspace.name ?? path.basename(file.fsPath) };
  const f = vscode.workspace.workspaceFolders?.[0];
  return f && f.uri.scheme === 'file' ? tag(f.uri.fsPath) : null;
}

export class Runtime implements vscode.Disposable {
  settings: Settings;
  readonly keys: ApiKeys;
  /** Keys of the OpenAI-compatible endpoints (llmRouter.endpoints), by key name. */
  readonly endpointKeys: EndpointKeys;
  /** Resolves once the store is open and the service built (activation does not wait for it). */
  readonly ready: Promise<void>;
  private _store: DecisionStore | undefined;
  private _service: RouterService | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the service was rebuilt (settings) or the store changed (a decision, feedback, another process). */
  readonly onDidChange = this.changed.event;
  private readonly settingsChanged = new vscode.EventEmitter<void>();
  /** Fires after the settings were read and the service (re)built: not for each decision, unlike onDidChange. */
  readonly onDidChangeSettings = this.settingsChanged.event;
  private unsubscribeStore: (() => void) | undefined;
  private neighbours: { dispose(): void } | null = null;
  private cachedClient:
    | { key: string; baseUrl: string | undefined; maxRetries: number; maxRetryWaitSeconds: number; client: ModelClient }
    | undefined;
  private telemetry: { shutdown(): Promise<void> } | null = null;
  private cachedClientFor:
    { key: string; anthropic: ModelClient | null; store: DecisionStore | undefined; clientFor: ClientFor } | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: Log,
  ) {
    this.settings = defaultSettings();
    this.keys = new ApiKeys(context.secrets);
    this.endpointKeys = new EndpointKeys(context.secrets);
    this.disposables.push(this.endpointKeys);
    this.disposables.push(this.keys);
    this.ready = this.open();
    // A failed open is reported here; callers awaiting `ready` see the error too.
    this.ready.catch((e) => this.log.error(`could not open the decision database: ${(e as Error).message}`));
  }

  get dbPath(): string {
    return path.join(this.context.globalStorageUri.fsPath, DB_FILE);
  }

  /** Reads the settings now (loads the settings module on first use). */
  loadSettings(): Settings {
    return lazy.settings().loadSettings();
  }

  private async open(): Promise<void> {
    await vscode.workspace.fs.createDirectory(this.context.globalStorageUri);
    const s = (this.settings = this.loadSettings());
    this.reportProblems(s);
    this._store = await lazy.store().openStore({
      path: this.dbPath,
      promptStorage: s.promptStorage,
      retention: s.retention,
      saveInBackground: true, // saves in a worker thread (dist/store-saver.js): the extension host never waits for one
      onNotice: (m) => {
        this.log.warn(m);
        void vscode.window.showWarningMessage(`LLM Router: ${m}`);
      },
    });
    this.unsubscribeStore = this._store.onDidChange(() => this.changed.fire());
    this.applyBudget(s);
    this._service = this.build(s);
    this.log.info(`decision database: ${this.dbPath}`);
    this.settingsChanged.fire();
    this.changed.fire();
  }

  private build(s: Settings): RouterService {
    const h = lazy.service();
    // Opt-in OpenTelemetry export: the store the service writes to hands each finished decision to the exporter.
    void this.telemetry?.shutdown();
    const version = (this.context.extension?.packageJSON as { version?: string } | undefined)?.version;
    const t = h.withTelemetry(s, this.store, s.config, {
      ...(version ? { serviceVersion: version } : {}),
      onError: (m) => this.log.warn(m),
    });
    this.telemetry = t.exporter;
    // Similar past prompts (llmRouter.neighbours.enabled) need stored prompts; the judge samples when its rate is > 0.
    this.neighbours?.dispose();
    const nb = (this.neighbours = s.neighbours && s.promptStorage !== 'none' ? h.neighbourAdjuster(this.store) : null);
    const judge =
      s.judge.sampleRate > 0
        ? h.liveJudge({
            store: this.store,
            settings: s.judge,
            onJudged: (r) =>
              this.log.info(
                `judge ${r.decisionId.slice(0, 8)}: ${r.skipped ?? (r.verdict?.kind === 'none' ? `no verdict (${r.verdict.why})` : r.verdict?.kind)}`,
              ),
            onError: (e) => this.log.warn(`judge: ${e instanceof Error ? e.message : String(e)}`),
          })
        : null;
    // A running A/B experiment (src/core/experiments) routes each conversation with its arm's configuration; every
    // request is recorded with the workspace it came from (src/core/projects: folder name and a hash, no path).
    const ex = h.experiments;
    return ex.withWorkspace(
      ex.createExperimentService(
        {
          config: s.config,
          store: t.store,
          cascade: s.cascade,
          retrainEvery: s.retrainEvery,
          allowStepDown: s.allowStepDown,
          adjustScore: nb?.adjust,
          afterAnswer: judge ? (...a) => void judge(...a) : undefined,
        },
        (m) => this.log.warn(m),
      ),
      () => currentWorkspace(ex.workspaceTag),
    );
  }

  /**
   * Budget settings, when the user set any, are written to the store (the CLI and the panel read and set it there too).
   * Removing them from the settings removes the limits they had set.
   */
  private applyBudget(s: Settings, prev?: Settings): void {
    if (!this._store) return;
    if (!s.budget.configured) {
      if (prev?.budget.configured)
        this._store.setBudget({ dailyLimitUsd: null, monthlyLimitUsd: null, onExhausted: s.budget.onExhausted });
      return;
    }
    const { dailyLimitUsd, monthlyLimitUsd, onExhausted } = s.budget;
    this._store.setBudget({ dailyLimitUsd, monthlyLimitUsd, onExhausted });
  }

  get store(): DecisionStore {
    if (!this._store) throw new Error('LLM Router is still opening its database; try again in a moment.');
    return this._store;
  }

  get service(): RouterService {
    if (!this._service) throw new Error('LLM Router is still opening its database; try again in a moment.');
    return this._service;
  }

  /** Settings changed: rebuild the service; reopen the store if prompt storage or retention changed. */
  async reload(): Promise<void> {
    await this.ready;
    const next = this.loadSettings();
    const prev = this.settings;
    this.settings = next;
    this.reportProblems(next);
    if (
      prev.promptStorage !== next.promptStorage ||
      JSON.stringify(prev.retention) !== JSON.stringify(next.retention)
    ) {
      this.unsubscribeStore?.();
      await this._store?.close();
      this._store = await lazy.store().openStore({
        path: this.dbPath,
        promptStorage: next.promptStorage,
        retention: next.retention,
        saveInBackground: true,
        onNotice: (m) => this.log.warn(m),
      });
      this.unsubscribeStore = this._store.onDidChange(() => this.changed.fire());
    }
    this.applyBudget(next, prev);
    this._service = this.build(next);
    this.log.info('settings reloaded');
    this.settingsChanged.fire();
    this.changed.fire();
  }

  private reportProblems(s: Settings): void {
    if (!s.problems.length) return;
    for (const p of s.problems) this.log.warn(`settings: ${p}`);
    void vscode.window
      .showWarningMessage(
        `LLM Router: ${s.problems.length === 1 ? s.problems[0] : `${s.problems.length} settings were ignored (${s.problems[0]}; …)`}.`,
        'Open Settings',
      )
      .then((pick) => {
        if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'llmRouter');
      });
  }

  /** A model client for the current key and base URL, or null when there is no key. */
  async client(): Promise<ModelClient | null> {
    const k = await this.keys.get();
    if (!k) return null;
    this.log.addSecret(k.key);
    // One client (and one SDK connection pool) per key, base URL and retry setting.
    const { baseUrl, maxRetries, maxRetryWaitSeconds } = this.settings;
    const c = this.cachedClient;
    if (
      c &&
      c.key === k.key &&
      c.baseUrl === baseUrl &&
      c.maxRetries === maxRetries &&
      c.maxRetryWaitSeconds === maxRetryWaitSeconds
    )
      return c.client;
    const client = new (lazy.anthropic().AnthropicClient)({
      apiKey: k.key,
      baseURL: baseUrl,
      maxRetries,
      maxRetryWaitMs: maxRetryWaitSeconds * 1000,
    });
    this.cachedClient = { key: k.key, baseUrl, maxRetries, maxRetryWaitSeconds, client };
    return client;
  }

  /** The client of each tier (tiers may mix Anthropic and OpenAI-compatible endpoints), keys read now. */
  /** `vscodeTier` serves tiers with provider "vscode" (VS Code language models). */
  async clientFor(vscodeTier?: (tier: TierConfig) => ModelClient | null): Promise<ClientFor> {
    const anthropic = await this.client();
    const keys = new Map<string, string | null>();
    for (const ep of this.settings.endpoints) {
      if (!ep.keyName || keys.has(ep.keyName)) continue;
      const k = await this.endpointKeys.get(ep.keyName);
      if (k) this.log.addSecret(k);
      keys.set(ep.keyName, k);
    }
    const { endpoints, maxRetries, pool, cache } = this.settings;
    const key = `${JSON.stringify([endpoints, pool, cache])}|${maxRetries}|${[...keys.values()].join('|')}`;
    if (
      this.cachedClientFor?.key !== key ||
      this.cachedClientFor.anthropic !== anthropic ||
      this.cachedClientFor.store !== this._store
    ) {
      const m = lazy.anthropic();
      const made = m.createClientFor({
        endpoints,
        anthropic,
        maxRetries,
        endpointKey: (ep) => (ep.keyName ? (keys.get(ep.keyName) ?? null) : undefined),
      });
      // Pooled: a breaker and health per backend (kept in the database for the panel and `llm-router stats`).
      // Then identical requests in flight share one call, and the opt-in cache answers repeats (this workspace only).
      const workspace =
        vscode.workspace.workspaceFolders?.[0]?.uri.toString() ?? vscode.workspace.name ?? 'no-workspace';
      const layered = m.layerClients(m.createPool(this.settings, this._store).wrap(made), this.settings, workspace);
      this.cachedClientFor = { key, anthropic, store: this._store, clientFor: layered.clientFor };
    }
    const base = this.cachedClientFor.clientFor;
    return vscodeTier ? (t) => (t.provider === 'vscode' ? vscodeTier(t) : base(t)) : base;
  }

  /** The clients of the tiers (pooled, de-duplicated, cached when asked), or null when no tier can be reached (no
   *  key for any tier's provider): what the chat, the model provider and the commands route with. */
  async routeClients(vscodeTier?: (tier: TierConfig) => ModelClient | null): Promise<ClientFor | null> {
    const cf = await this.clientFor(vscodeTier);
    return this.settings.config.tiers.some((t) => cf(t) !== null) ? cf : null;
  }

  async flush(): Promise<void> {
    await this._store?.flush();
  }

  /** Shutting down (deactivate): answers under way are stopped and what they received is recorded, then saved. */
  async close(): Promise<void> {
    try {
      await this._service?.cancelAll();
    } finally {
      this.unsubscribeStore?.();
      await this._store?.close();
    }
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.changed.dispose();
    this.settingsChanged.dispose();
  }
}
