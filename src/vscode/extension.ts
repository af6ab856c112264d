// Entry point of the extension. Activation registers everything at once and returns; the decision database opens in
// the background (`api.ready`), and every handler waits for it.
import * as vscode from 'vscode';
import { registerChat, type ChatEvents } from './chat';
import { commandHooks, registerCommands, type CommandHooks } from './commands';
import { registerEndpoint } from './endpoint';
import { createLog } from './log';
import { registerModelProvider } from './lmProvider';
import { registerCostPanel, type CostPanel } from './panel';
import { Runtime } from './runtime';
import { registerSetup, type SetupHooks } from './setup';
import { registerStatusBar } from './statusBar';

/** What `activate` returns (`vscode.extensions.getExtension('llm-router.llm-router').exports`) when the extension runs
 *  in test mode (the integration tests and the in-host benchmarks); otherwise nothing: another extension gets no
 *  handle on the runtime, the key or the steps behind the confirmed commands. */
export interface LlmRouterApi {
  readonly ready: Promise<void>;
  /** Time spent inside activate(), ms. */
  readonly activateMs: number;
  /** Where that time went, ms per step. */
  readonly activatePhases: Record<string, number>;
  /** Time from activate() to the database being open, ms (set once ready). */
  readyMs: number | undefined;
  readonly runtime: Runtime;
  readonly chat: ChatEvents;
  readonly panel: CostPanel;
  readonly statusBar: vscode.StatusBarItem;
  /** Set API Key, Export Decisions and Reset Statistics without their questions. */
  readonly commands: CommandHooks;
  /** Set Up's steps without its questions. */
  readonly setup: SetupHooks;
}

let runtime: Runtime | undefined;

export function activate(context: vscode.ExtensionContext): LlmRouterApi | undefined {
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  let mark = t0;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = now - mark;
    mark = now;
  };
  const log = createLog();
  context.subscriptions.push(log);
  phase('log');
  const rt = new Runtime(context, log);
  runtime = rt;
  context.subscriptions.push(rt);
  phase('settings');

  const panel = registerCostPanel(context, {
    service: () => rt.service,
    ready: rt.ready,
    log: (m) => log.info(`cost panel: ${m}`),
    onSetApiKey: () => vscode.commands.executeCommand('llm-router.setApiKey'),
    hasApiKey: () => rt.keys.has(),
  });
  phase('panel');
  const testMode = context.extensionMode === vscode.ExtensionMode.Test;
  const chat = registerChat(rt, testMode);
  phase('chat');
  const endpoint = registerEndpoint(rt);
  const status = registerStatusBar(rt, endpoint);
  phase('statusBar');
  context.subscriptions.push(chat, status, endpoint, registerModelProvider(rt));
  phase('modelProvider');
  const setup = registerSetup(rt, testMode);
  context.subscriptions.push(...setup.disposables);
  context.subscriptions.push(
    ...registerCommands({ rt, showPanel: () => panel.reveal() }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('llmRouter')) return;
      void rt.reload().catch((err) => log.error(`settings not applied: ${(err as Error).message}`));
    }),
  );
  phase('commands');

  const activateMs = performance.now() - t0;
  const api: LlmRouterApi = {
    ready: rt.ready,
    activateMs,
    activatePhases: phases,
    readyMs: undefined,
    runtime: rt,
    chat,
    panel,
    statusBar: status.item,
    commands: commandHooks(rt),
    setup: setup.hooks,
  };
  void rt.ready.then(
    () => {
      api.readyMs = performance.now() - t0;
      log.info(`activated in ${activateMs.toFixed(1)} ms; database ready after ${api.readyMs.toFixed(1)} ms`);
    },
    () => undefined,
  );
  return testMode ? api : undefined;
}

/** VS Code shutting down (or the extension disabled): answers under way are stopped and what they received is
 *  recorded (cancelled, with its tokens and cost) and saved before the database closes (Runtime.close). */
export async function deactivate(): Promise<void> {
  const rt = runtime;
  runtime = undefined;
  await rt?.close();
}
