// "LLM Router" in VS Code's model picker: one model, "Auto (routed)", whose every request goes through the same
// routing engine and is recorded the same way as `@router` (source 'model-provider'). Text in, text out.
import * as vscode from 'vscode';
import { formatUsd } from '../core/format';
import { estimateTokens } from '../core/pricing';
import { RouteError } from '../core/service-api';
import type { Turn } from '../core/types';
import type { Runtime } from './runtime';

export const LM_VENDOR = 'llm-router';
export const LM_MODEL_ID = 'auto';
export const LM_FAMILY = 'llm-router';

function textOf(m: vscode.LanguageModelChatRequestMessage): string {
  let s = '';
  for (const p of m.content) {
    if (p instanceof vscode.LanguageModelTextPart) s += p.value;
    else if (p instanceof vscode.LanguageModelToolResultPart) {
      for (const c of p.content) if (c instanceof vscode.LanguageModelTextPart) s += c.value;
    }
  }
  return s;
}

/** VS Code messages → prompt + alternating history (consecutive same-role messages merged). */
export function toTurns(messages: readonly vscode.LanguageModelChatRequestMessage[]): { prompt: string; history: Turn[] } {
  const turns: Turn[] = [];
  for (const m of messages) {
    const role = m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user';
    const content = textOf(m);
    if (!content.trim()) continue;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content += `\n\n${content}`;
    else turns.push({ role, content });
  }
  while (turns.length && turns[turns.length - 1].role === 'assistant') turns.pop();
  const prompt = turns.pop()?.content ?? '';
  while (turns.length && turns[0].role === 'assistant') turns.shift();
  return { prompt, history: turns };
}

export function registerModelProvider(rt: Runtime): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const info = (): vscode.LanguageModelChatInformation => {
    const tiers = rt.settings.config.tiers;
    return {
      id: LM_MODEL_ID,
      name: 'Auto (routed)',
      family: LM_FAMILY,
      version: '1',
      detail: 'LLM Router',
      tooltip: `Each request goes to the cheapest adequate Claude model: ${tiers.map((t) => t.label).join(' / ')}. Cost and savings are recorded.`,
      maxInputTokens: Math.min(...tiers.map((t) => t.contextWindow)),
      maxOutputTokens: rt.settings.config.defaultMaxOutputTokens,
      // Agent mode lists only models that can call tools; this one answers in text (tool calls are not forwarded yet).
      capabilities: { toolCalling: true },
    };
  };
  const provider: vscode.LanguageModelChatProvider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    provideLanguageModelChatInformation: () => [info()],
    async provideLanguageModelChatResponse(_model, messages, _options, progress, token) {
      await rt.ready;
      const { prompt, history } = toTurns(messages);
      if (!prompt) throw new Error('LLM Router got no text to answer.');
      const client = await rt.routeClients();
      if (!client) {
        throw new Error('LLM Router has no Anthropic API key. Run “LLM Router: Set API Key” (or set ANTHROPIC_API_KEY) and try again.');
      }
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        const o = await rt.service.run({
          prompt, history, source: 'model-provider', signal: abort.signal,
          onDecision: (d) => rt.log.decision(d, 'model picker'),
          onText: (t) => progress.report(new vscode.LanguageModelTextPart(t)),
          onNotice: (m) => rt.log.info(m),
        }, client);
        rt.log.info(`model picker ${o.record.id.slice(0, 8)}: ${o.record.status} · ${formatUsd(o.totalCostUsd)}`);
      } catch (e) {
        if (e instanceof RouteError && e.kind === 'cancelled') return;
        rt.log.error(`model picker: ${(e as Error).message}`);
        throw e;
      } finally {
        sub.dispose();
      }
    },
    async provideTokenCount(_model, text) {
      return estimateTokens(typeof text === 'string' ? text : textOf(text));
    },
  };
  const reg = vscode.lm.registerLanguageModelChatProvider(LM_VENDOR, provider);
  // The model's information follows the settings (tiers, context windows), never the decisions: firing on every
  // store change sent VS Code a round trip per request, right as the request was being sent.
  const onSettings = rt.onDidChangeSettings(() => changed.fire());
  return { dispose() { onSettings.dispose(); reg.dispose(); changed.dispose(); } };
}
