// The "LLM Router" commands. Prompts and decision ids may come as arguments (keybindings, the buttons under an
// answer). The commands that handle the key or destroy or write data (Set API Key, Export Decisions, Reset
// Statistics) take no arguments: any extension or command link can run a command, so they always ask the person.
// Tests reach the steps behind them through `CommandHooks`, which the extension exposes only in test mode.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { RouteError, type RouteOutcome } from '../core/service-api';
import { exportText } from '../core/export';
import type { Decision } from '../core/types';
import { explainMarkdown, outcomeLine, routedLine } from './format';
import type { Runtime } from './runtime';
import { maskKey } from './secrets';

export interface CommandDeps {
  rt: Runtime;
  showPanel(): Thenable<unknown>;
}

/** The steps behind the always-confirmed commands, without their questions: for the integration tests only. */
export interface CommandHooks {
  /** Stores a key (as if typed into Set API Key); true when stored. */
  setApiKey(key: string): Promise<boolean>;
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

async function writeExport(rt: Runtime, target: vscode.Uri | string, fmt?: 'csv' | 'json'): Promise<vscode.Uri> {
  await rt.ready;
  const uri = typeof target === 'string' ? vscode.Uri.file(target) : target;
  const format = fmt ?? (uri.path.toLowerCase().endsWith('.json') ? 'json' : 'csv');
  const { text, count } = exportText(rt.store, format);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  rt.log.info(`exported ${count} decisions to ${uri.fsPath}`);
  void vscode.window.showInformationMessage(`LLM Router: exported ${count} decision${count === 1 ? '' : 's'} to ${uri.fsPath}.`, 'Open').then((p) => {
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
    exportDecisions: (target, format) => writeExport(rt, target, format),
    resetStatistics: () => resetStore(rt),
  };
}

async function promptText(arg: unknown, title: string): Promise<string | undefined> {
  if (typeof arg === 'string' && arg.trim()) return arg;
  const ed = vscode.window.activeTextEditor;
  if (ed && !ed.selection.isEmpty) return ed.document.getText(ed.selection);
  const v = await vscode.window.showInputBox({ title, prompt: 'The prompt to route', placeHolder: 'e.g. Prove that the square root of 2 is irrational', ignoreFocusOut: true });
  return v?.trim() ? v : undefined;
}

/** Opens a Markdown document with this text (read by a person, not saved). */
async function showMarkdown(content: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(doc, { preview: true });
  return doc;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { rt } = deps;
  const reg = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(`llm-router.${id}`, fn);

  return [
    /** Classify Prompt [text] → the Decision, shown with its reasons (nothing recorded, no model call). */
    reg('classifyPrompt', async (arg?: unknown): Promise<Decision | undefined> => {
      const text = await promptText(arg, 'LLM Router: Classify Prompt');
      if (!text) return undefined;
      await rt.ready;
      const d = rt.service.decide({ prompt: text, override: null });
      rt.log.decision(d, 'classify');
      const config = rt.service.config;
      void vscode.window.showInformationMessage(`${routedLine(config, d)}. Why: ${d.reasons.join('; ')}.`, 'Details').then((pick) => {
        if (pick) void showMarkdown(`# Routing decision\n\n> ${text.slice(0, 400).replace(/\n/g, '\n> ')}\n\n${explainMarkdown(config, d)}\n`);
      });
      return d;
    }),

    /** Route Prompt [text] → the answer streamed into an untitled Markdown document; recorded with source 'command'. */
    reg('routePrompt', async (arg?: unknown): Promise<RouteOutcome | undefined> => {
      const text = await promptText(arg, 'LLM Router: Route Prompt');
      if (!text) return undefined;
      await rt.ready;
      const config = rt.service.config;
      const client = await rt.client();
      if (!client) {
        const d = rt.service.decide({ prompt: text, override: null });
        const pick = await vscode.window.showWarningMessage(
          `No Anthropic API key is set. ${routedLine(config, d)}; estimated cost ${d.estCostUsd === null ? 'unknown' : `$${d.estCostUsd.toFixed(5)}`}.`, 'Set API Key');
        if (pick) await vscode.commands.executeCommand('llm-router.setApiKey');
        return undefined;
      }
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: '' });
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      // Appends are chained so the document receives the text in order, however fast it streams.
      let chain: Thenable<unknown> = Promise.resolve();
      let pending = '';
      const append = (s: string) => {
        pending += s;
        chain = chain.then(async () => {
          if (!pending) return;
          const chunk = pending;
          pending = '';
          const end = doc.lineAt(doc.lineCount - 1).range.end;
          await editor.edit((e) => e.insert(end, chunk), { undoStopBefore: false, undoStopAfter: false });
        });
      };
      append(`> ${text.slice(0, 400).replace(/\n/g, '\n> ')}\n\n`);
      return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'LLM Router', cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          try {
            const o = await rt.service.run({
              prompt: text, source: 'command', signal: abort.signal,
              onDecision: (d) => { rt.log.decision(d, 'command'); progress.report({ message: routedLine(config, d) }); append(`*${routedLine(config, d)}*\n\n`); },
              onText: append,
              onNotice: (m) => { rt.log.info(m); append(`\n\n> ${m}\n\n`); },
            }, client);
            append(`\n\n---\n\n${outcomeLine(config, o)}\n`);
            await chain;
            rt.log.info(`command ${o.record.id.slice(0, 8)}: ${o.record.status} · ${outcomeLine(config, o)}`);
            return o;
          } catch (e) {
            const cancelled = e instanceof RouteError && e.kind === 'cancelled';
            append(cancelled ? '\n\n*(cancelled)*\n' : `\n\n**Error:** ${(e as Error).message}\n`);
            await chain;
            if (!cancelled) {
              rt.log.error(`command: ${(e as Error).message}`);
              void vscode.window.showErrorMessage(`LLM Router: ${(e as Error).message}`);
            }
            return undefined;
          } finally {
            sub.dispose();
          }
        });
    }),

    /** Set API Key → asks for the key (never taken as an argument), stored in SecretStorage. True when stored. */
    reg('setApiKey', async (): Promise<boolean> => {
      const key = await vscode.window.showInputBox({
          title: 'LLM Router: Set API Key',
          prompt: 'Your Anthropic API key (console.anthropic.com → API keys). Kept in VS Code\'s secret storage, never in settings.',
          password: true, ignoreFocusOut: true, placeHolder: 'sk-ant-…',
          validateInput: (v) => (v ? (v.trim().length < 8 || /\s/.test(v.trim()) ? 'That does not look like an API key.' : null) : null),
        });
      return key === undefined ? false : storeApiKey(rt, key);
    }),

    reg('clearApiKey', async (): Promise<void> => {
      await rt.keys.clear();
      rt.log.info('API key removed from secret storage');
      const env = process.env.ANTHROPIC_API_KEY ? ' ANTHROPIC_API_KEY from the environment is still used.' : '';
      void vscode.window.showInformationMessage(`LLM Router: API key removed.${env}`);
    }),

    reg('showCostPanel', () => deps.showPanel()),

    /** Export Decisions → the file chosen in the save dialog (never an argument), or undefined when cancelled. */
    reg('exportDecisions', async (): Promise<vscode.Uri | undefined> => {
      await rt.ready;
      const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
      const uri = await vscode.window.showSaveDialog({
        title: 'LLM Router: Export Decisions',
        defaultUri: vscode.Uri.joinPath(base, `llm-router-decisions-${new Date().toISOString().slice(0, 10)}.csv`),
        filters: { 'CSV': ['csv'], 'JSON': ['json'] },
      });
      return uri ? writeExport(rt, uri) : undefined;
    }),

    /** Reset Statistics → always after a modal confirmation, whatever the arguments. True when done. */
    reg('resetStatistics', async (): Promise<boolean> => {
      await rt.ready;
      const n = rt.store.stats().decisions;
      const pick = await vscode.window.showWarningMessage(
        'Reset LLM Router statistics?',
        { modal: true, detail: `This deletes all ${n} recorded decisions, their feedback and the learned routing adjustments. Export them first if you want to keep them. This cannot be undone.` },
        'Reset');
      return pick === 'Reset' ? resetStore(rt) : false;
    }),

    /** Rate Answer <decisionId> <'up'|'down'>: the buttons under each @router answer. */
    reg('rateAnswer', async (id?: unknown, thumb?: unknown): Promise<boolean> => {
      await rt.ready;
      if (typeof id !== 'string' || (thumb !== 'up' && thumb !== 'down') || !rt.store.getDecision(id)) {
        void vscode.window.showWarningMessage('LLM Router: that answer is no longer in the database, so the rating was not saved.');
        return false;
      }
      rt.service.feedback(id, thumb);
      rt.log.info(`feedback ${thumb} on ${id.slice(0, 8)} (button)`);
      void vscode.window.setStatusBarMessage(`LLM Router: thanks, rated ${thumb === 'up' ? 'good' : 'bad'}; routing learns from it.`, 4000);
      return true;
    }),

    /** Explain Routing Decision <decisionId> → a Markdown document with the recorded decision and its reasons. */
    reg('explainDecision', async (id?: string): Promise<string | undefined> => {
      await rt.ready;
      const d = typeof id === 'string' ? rt.store.getDecision(id) : undefined;
      if (!d) {
        void vscode.window.showWarningMessage('LLM Router: that decision is no longer in the database (statistics were reset or it was folded by retention).');
        return undefined;
      }
      const config = rt.service.config;
      const lines = [`# Routing decision ${d.id.slice(0, 8)}`, '', new Date(d.time).toLocaleString(), ''];
      if (d.prompt) lines.push(`> ${d.prompt.replace(/\n/g, '\n> ')}`, '');
      lines.push(explainMarkdown(config, d), '');
      if (d.usage) lines.push(`Actual: ${d.usage.inputTokens} input, ${d.usage.outputTokens} output tokens · cost ${d.costUsd === null ? 'unpriced' : `$${d.costUsd.toFixed(6)}`} · top tier would have cost ${d.baselineCostUsd === null ? 'unpriced' : `$${d.baselineCostUsd.toFixed(6)}`} · status ${d.status}`);
      const text = lines.join('\n') + '\n';
      await showMarkdown(text);
      return text;
    }),
  ];
}
