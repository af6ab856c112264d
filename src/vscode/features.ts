// Commands of issue 13's features (A/B experiments, alerts): thin glue over src/core, the same engine the CLI uses.
import * as vscode from 'vscode';
import { showMarkdown } from './commandInput';
import { registerAlerts } from './alerts';
import type { Runtime } from './runtime';

// The engine is loaded on first use, like the rest of the heavy modules (see runtime.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = () => require('./heavyModules') as typeof import('./heavyModules');

/** The status of the running (else the latest) experiment, as Markdown; null when there is none. */
export function experimentMarkdown(rt: Runtime): string | null {
  const ex = engine().experiments;
  if (!ex.listExperiments(rt.store).length) return null;
  const lines = ex.statusLines(ex.experimentStatus(rt.store, ex.findExperiment(rt.store)));
  return `# LLM Router: A/B experiment\n\n\`\`\`text\n${lines.join('\n')}\n\`\`\`\n\nStart, stop or compare with \`llm-router experiment create|stop|status\`.\n`;
}

export function registerFeatures(rt: Runtime): vscode.Disposable[] {
  return [
    ...registerAlerts(rt),
    /** Experiment Status → a Markdown document with both arms compared (or a message when there is none). */
    vscode.commands.registerCommand('llm-router.experimentStatus', async (): Promise<string | null> => {
      await rt.ready;
      const md = experimentMarkdown(rt);
      if (!md) {
        void vscode.window.showInformationMessage(
          'LLM Router: no A/B experiment yet. Start one in a terminal: llm-router experiment create --name NAME --a preset=balanced --b preset=economy',
        );
        return null;
      }
      await showMarkdown(md);
      return md;
    }),
  ];
}
