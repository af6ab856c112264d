// The "LLM Router" commands. Prompts and decision ids may come as arguments (keybindings, the buttons under an
// answer); the commands that handle the key or write or destroy data are in confirmedCommands.ts and always ask.
import * as vscode from 'vscode';
import type { Decision } from '../core/types';
import { promptText, showMarkdown } from './commandInput';
import { registerConfirmedCommands } from './confirmedCommands';
import { registerFeatures } from './features';
import { explainMarkdown, routedLine } from './format';
import { routePrompt } from './routeCommand';
import type { Runtime } from './runtime';

export { commandHooks, type CommandHooks } from './confirmedCommands';

export interface CommandDeps {
  rt: Runtime;
  showPanel(): Thenable<unknown>;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { rt } = deps;
  const reg = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(`llm-router.${id}`, fn);

  return [
    ...registerConfirmedCommands(rt),
    ...registerFeatures(rt),

    /** Classify Prompt [text] → the Decision, shown with its reasons (nothing recorded, no model call). */
    reg('classifyPrompt', async (arg?: unknown): Promise<Decision | undefined> => {
      const text = await promptText(arg, 'LLM Router: Classify Prompt');
      if (!text) return undefined;
      await rt.ready;
      const d = rt.service.decide({ prompt: text, override: null });
      rt.log.decision(d, 'classify');
      const config = rt.service.config;
      void vscode.window
        .showInformationMessage(`${routedLine(config, d)}. Why: ${d.reasons.join('; ')}.`, 'Details')
        .then((pick) => {
          if (pick)
            void showMarkdown(
              `# Routing decision\n\n> ${text.slice(0, 400).replace(/\n/g, '\n> ')}\n\n${explainMarkdown(config, d)}\n`,
            );
        });
      return d;
    }),

    /** Route Prompt [text] → the answer streamed into an untitled Markdown document; recorded with source 'command'. */
    reg('routePrompt', (arg?: unknown) => routePrompt(rt, arg)),

    reg('showCostPanel', () => deps.showPanel()),

    /** Rate Answer <decisionId> <'up'|'down'>: the buttons under each @router answer. */
    reg('rateAnswer', async (id?: unknown, thumb?: unknown): Promise<boolean> => {
      await rt.ready;
      if (typeof id !== 'string' || (thumb !== 'up' && thumb !== 'down') || !rt.store.getDecision(id)) {
        void vscode.window.showWarningMessage(
          'LLM Router: that answer is no longer in the database, so the rating was not saved.',
        );
        return false;
      }
      rt.service.feedback(id, thumb);
      rt.log.info(`feedback ${thumb} on ${id.slice(0, 8)} (button)`);
      void vscode.window.setStatusBarMessage(
        `LLM Router: thanks, rated ${thumb === 'up' ? 'good' : 'bad'}; routing learns from it.`,
        4000,
      );
      return true;
    }),

    /** Explain Routing Decision <decisionId> → a Markdown document with the recorded decision and its reasons. */
    reg('explainDecision', async (id?: string): Promise<string | undefined> => {
      await rt.ready;
      const d = typeof id === 'string' ? rt.store.getDecision(id) : undefined;
      if (!d) {
        void vscode.window.showWarningMessage(
          'LLM Router: that decision is no longer in the database (statistics were reset or it was folded by retention).',
        );
        return undefined;
      }
      const config = rt.service.config;
      const lines = [`# Routing decision ${d.id.slice(0, 8)}`, '', new Date(d.time).toLocaleString(), ''];
      if (d.prompt) lines.push(`> ${d.prompt.replace(/\n/g, '\n> ')}`, '');
      lines.push(explainMarkdown(config, d), '');
      if (d.usage)
        lines.push(
          `Actual: ${d.usage.inputTokens} input, ${d.usage.outputTokens} output tokens · cost ${d.costUsd === null ? 'unpriced' : `$${d.costUsd.toFixed(6)}`} · top tier would have cost ${d.baselineCostUsd === null ? 'unpriced' : `$${d.baselineCostUsd.toFixed(6)}`} · status ${d.status}`,
        );
      const text = lines.join('\n') + '\n';
      await showMarkdown(text);
      return text;
    }),
  ];
}
