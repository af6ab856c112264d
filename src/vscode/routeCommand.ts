// Route Prompt: the answer streamed into an untitled Markdown document, with the routing line first and the
// tokens, cost and saving after; recorded with source 'command'.
import * as vscode from 'vscode';
import { formatUsd, routedLine } from '../core/format';
import { RouteError, type RouteOutcome } from '../core/service-api';
import { promptText } from './commandInput';
import { outcomeLine } from './format';
import type { Runtime } from './runtime';
import { vscodeTierClients } from './vscodeModels';

/** Appends text to the end of a document, in order however fast it comes; `done()` resolves once all is in. */
function documentAppender(
  doc: vscode.TextDocument,
  editor: vscode.TextEditor,
): { append(s: string): void; done(): Thenable<unknown> } {
  let chain: Thenable<unknown> = Promise.resolve();
  let pending = '';
  return {
    append(s: string) {
      pending += s;
      chain = chain.then(async () => {
        if (!pending) return;
        const chunk = pending;
        pending = '';
        const end = doc.lineAt(doc.lineCount - 1).range.end;
        await editor.edit((e) => e.insert(end, chunk), { undoStopBefore: false, undoStopAfter: false });
      });
    },
    done: () => chain,
  };
}

/** Route Prompt [text] → the outcome, or undefined (no text, no key, cancelled, failed: each said to the person). */
export async function routePrompt(rt: Runtime, arg?: unknown): Promise<RouteOutcome | undefined> {
  const text = await promptText(arg, 'LLM Router: Route Prompt');
  if (!text) return undefined;
  await rt.ready;
  const config = rt.service.config;
  const client = await rt.routeClients(vscodeTierClients());
  if (!client) {
    const d = rt.service.decide({ prompt: text, override: null });
    const pick = await vscode.window.showWarningMessage(
      `No Anthropic API key is set. ${routedLine(config, d)}; estimated cost ${formatUsd(d.estCostUsd)}.`,
      'Set API Key',
    );
    if (pick) await vscode.commands.executeCommand('llm-router.setApiKey');
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: '' });
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const { append, done } = documentAppender(doc, editor);
  append(`> ${text.slice(0, 400).replace(/\n/g, '\n> ')}\n\n`);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'LLM Router', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        const o = await rt.service.run(
          {
            prompt: text,
            source: 'command',
            signal: abort.signal,
            onDecision: (d) => {
              rt.log.decision(d, 'command');
              progress.report({ message: routedLine(config, d) });
              append(`*${routedLine(config, d)}*\n\n`);
            },
            onText: append,
            onNotice: (m) => {
              rt.log.info(m);
              append(`\n\n> ${m}\n\n`);
            },
          },
          client,
        );
        append(`\n\n---\n\n${outcomeLine(config, o)}\n`);
        await done();
        rt.log.info(`command ${o.record.id.slice(0, 8)}: ${o.record.status} · ${outcomeLine(config, o)}`);
        return o;
      } catch (e) {
        const cancelled = e instanceof RouteError && e.kind === 'cancelled';
        append(cancelled ? '\n\n*(cancelled)*\n' : `\n\n**Error:** ${(e as Error).message}\n`);
        await done();
        if (!cancelled) {
          rt.log.error(`command: ${(e as Error).message}`);
          void vscode.window.showErrorMessage(`LLM Router: ${(e as Error).message}`);
        }
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  );
}
