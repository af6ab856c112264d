// The commands that handle the key or write or destroy data: Set API Key, Clear API Key, Export Decisions, Reset
// Statistics. They take no arguments (any extension or command link can run a command), so they always ask the
// person; tests reach the steps behind them through `CommandHooks`, exposed only in test mode.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { exportText } from '../core/export';
import type { Runtime } from './runtime';
import { maskKey } from './secrets';

/** The steps behind the always-confirmed commands, without their questions: for the integration tests only. */
export interface CommandHooks {
  /** Stores a key (as if typed into Set API Key); true when stored. */
  setApiKey(key: string): Promise<boolean>;
  /** Stores an endpoint's key under its key name (as if typed into Set Endpoint Key); true when stored. */
  setEndpointKey(keyName: string, key: string): Promise<boolean>;
  /** Writes the export to this file (as if chosen in the save dialog). */
  exportDecisions(target: vscode.Uri | string, format?: 'csv' | 'json'): Promise<vscode.Uri>;
  /** Deletes every decision, feedback and adjustment (as if Reset was confirmed). */
  resetStatistics(): Promise<boolean>;
}

/** Stores a key in SecretStorage; says why not when it does not look like one. */
async function storeApiKey(rt: Runtime, key: string): Promise<boolean> {
  const problem = await rt.keys.set(key);
  if (problem) {
    void vscode.window.showErrorMessage(`LLM Router: key not saved. ${problem}`);
    return false;
  }
  rt.log.addSecret(key.trim());
  rt.log.info(`API key saved in secret storage (${maskKey(key.trim())})`);
  void vscode.window.showInformationMessage('LLM Router: API key saved in secret storage.');
  return true;
}

/** Stores an OpenAI-compatible endpoint's key under its key name; says why not when it does not look like one. */
async function storeEndpointKey(rt: Runtime, keyName: string, key: string): Promise<boolean> {
  const problem = await rt.endpointKeys.set(keyName, key);
  if (problem) {
    void vscode.window.showErrorMessage(`LLM Router: key not saved. ${problem}`);
    return false;
  }
  rt.log.addSecret(key.trim());
  rt.log.info(`endpoint key "${keyName}" saved in secret storage (${maskKey(key.trim())})`);
  void vscode.window.showInformationMessage(`LLM Router: key "${keyName}" saved in secret storage.`);
  return true;
}

/** Set Endpoint Key: pick one of the key names llmRouter.endpoints uses, then type the key. */
async function askEndpointKey(rt: Runtime): Promise<boolean> {
  const names = [...new Set(rt.settings.endpoints.flatMap((e) => (e.keyName ? [e.keyName] : [])))];
  if (!names.length) {
    const pick = await vscode.window.showInformationMessage(
      'LLM Router: no endpoint in llmRouter.endpoints has a keyName yet. Define the endpoint (name, baseUrl, keyName) in your user settings first.',
      'Open Settings',
    );
    if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'llmRouter.endpoints');
    return false;
  }
  const keyName =
    names.length === 1
      ? names[0]
      : await vscode.window
          .showQuickPick(
            names.map((n) => ({
              label: n,
              description: rt.settings.endpoints
                .filter((e) => e.keyName === n)
                .map((e) => `${e.name} (${e.baseUrl})`)
                .join(', '),
            })),
            { title: 'LLM Router: Set Endpoint Key', placeHolder: 'Which key?' },
          )
          .then((p) => p?.label);
  if (!keyName) return false;
  const key = await vscode.window.showInputBox({
    title: `LLM Router: Set Endpoint Key (${keyName})`,
    prompt: `The key for ${rt.settings.endpoints
      .filter((e) => e.keyName === keyName)
      .map((e) => e.name)
      .join(', ')}. Kept in VS Code's secret storage, never in settings; sent only to that endpoint's base URL.`,
    password: true,
    ignoreFocusOut: true,
  });
  return key === undefined ? false : storeEndpointKey(rt, keyName, key);
}

async function writeExport(rt: Runtime, target: vscode.Uri | string, fmt?: 'csv' | 'json'): Promise<vscode.Uri> {
  await rt.ready;
  const uri = typeof target === 'string' ? vscode.Uri.file(target) : target;
  const format = fmt ?? (uri.path.toLowerCase().endsWith('.json') ? 'json' : 'csv');
  const { text, count } = exportText(rt.store, format);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  rt.log.info(`exported ${count} decisions to ${uri.fsPath}`);
  void vscode.window
    .showInformationMessage(`LLM Router: exported ${count} decision${count === 1 ? '' : 's'} to ${uri.fsPath}.`, 'Open')
    .then((p) => {
      if (p) void vscode.window.showTextDocument(uri);
    });
  return uri;
}

async function resetStore(rt: Runtime): Promise<boolean> {
  await rt.ready;
  rt.store.reset();
  await rt.store.flush();
  rt.log.info('statistics reset');
  void vscode.window.showInformationMessage('LLM Router: statistics reset.');
  return true;
}

export function commandHooks(rt: Runtime): CommandHooks {
  return {
    setApiKey: (key) => storeApiKey(rt, key),
    setEndpointKey: (keyName, key) => storeEndpointKey(rt, keyName, key),
    exportDecisions: (target, format) => writeExport(rt, target, format),
    resetStatistics: () => resetStore(rt),
  };
}

export function registerConfirmedCommands(rt: Runtime): vscode.Disposable[] {
  const reg = (id: string, fn: () => unknown) => vscode.commands.registerCommand(`llm-router.${id}`, fn);
  return [
    /** Set API Key → asks for the key (never taken as an argument), stored in SecretStorage. True when stored. */
    reg('setApiKey', async (): Promise<boolean> => {
      const key = await vscode.window.showInputBox({
        title: 'LLM Router: Set API Key',
        prompt:
          "Your Anthropic API key (console.anthropic.com → API keys). Kept in VS Code's secret storage, never in settings.",
        password: true,
        ignoreFocusOut: true,
        placeHolder: 'sk-ant-…',
        validateInput: (v) =>
          v ? (v.trim().length < 8 || /\s/.test(v.trim()) ? 'That does not look like an API key.' : null) : null,
      });
      return key === undefined ? false : storeApiKey(rt, key);
    }),

    /** Set Endpoint Key → asks which key and the key itself (never arguments). True when stored. */
    reg('setEndpointKey', () => askEndpointKey(rt)),

    reg('clearApiKey', async (): Promise<void> => {
      await rt.keys.clear();
      rt.log.info('API key removed from secret storage');
      const env = process.env.ANTHROPIC_API_KEY ? ' ANTHROPIC_API_KEY from the environment is still used.' : '';
      void vscode.window.showInformationMessage(`LLM Router: API key removed.${env}`);
    }),

    /** Export Decisions → the file chosen in the save dialog (never an argument), or undefined when cancelled. */
    reg('exportDecisions', async (): Promise<vscode.Uri | undefined> => {
      await rt.ready;
      const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
      const uri = await vscode.window.showSaveDialog({
        title: 'LLM Router: Export Decisions',
        defaultUri: vscode.Uri.joinPath(base, `llm-router-decisions-${new Date().toISOString().slice(0, 10)}.csv`),
        filters: { CSV: ['csv'], JSON: ['json'] },
      });
      return uri ? writeExport(rt, uri) : undefined;
    }),

    /** Reset Statistics → always after a modal confirmation, whatever the arguments. True when done. */
    reg('resetStatistics', async (): Promise<boolean> => {
      await rt.ready;
      const n = rt.store.stats().decisions;
      const pick = await vscode.window.showWarningMessage(
        'Reset LLM Router statistics?',
        {
          modal: true,
          detail: `This deletes all ${n} recorded decisions, their feedback and the learned routing adjustments. Export them first if you want to keep them. This cannot be undone.`,
        },
        'Reset',
      );
      return pick === 'Reset' ? resetStore(rt) : false;
    }),
  ];
}
