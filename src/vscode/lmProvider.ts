// "LLM Router" in VS Code's model picker, Agent mode included: the entry "LLM Router" routes each person's turn to the
// cheapest adequate tier, and one entry per tier pins it ("LLM Router: Sonnet"); both are recorded and priced like
// `@router` (source 'model-provider'). Tools and tool mode go to the tier's model, tool calls stream back as
// LanguageModelToolCallPart, earlier tool calls and results and images go along in the provider's own form, system
// text goes as the system prompt. The turns of one agent loop stay on its tier and add up on one decision
// (src/core/agentRun.ts). Until a tier can be reached (a key, or VS Code models as tiers) the list is empty: with
// `silent` nothing is asked; otherwise a message offers the set-up.
import * as vscode from 'vscode';
import { AgentRouter } from '../core/agentRun';
import { formatUsd } from '../core/format';
import { RouteError } from '../core/service-api';
import type { ClientFor } from '../core/provider/api';
import type { RouterConfig, TierConfig } from '../core/types';
import { fromVscodeMessages, tokenCount, toolSpecsFrom } from './lmMessages';
import type { Runtime } from './runtime';
import { SET_UP_COMMAND } from './setup';
import { availableModels, OWN_VENDOR, vscodeTierClients } from './vscodeModels';

export const LM_VENDOR = OWN_VENDOR;
export const LM_MODEL_ID = 'router';
export const LM_FAMILY = 'llm-router';
export const TIER_MODEL_PREFIX = 'tier.';

/** Tokens a request may send on a tier: its context window less the output it may ask for. */
export function inputBudget(cfg: RouterConfig, t: TierConfig): number {
  return Math.max(1, t.contextWindow - Math.min(cfg.defaultMaxOutputTokens, t.maxOutputTokens));
}

const priceWords = (t: TierConfig) =>
  t.priced === false ? 'unpriced' : `$${t.price.input} / $${t.price.output} per M tokens`;
const served = (t: TierConfig) =>
  t.provider === 'vscode'
    ? `VS Code model ${t.model}`
    : t.provider === 'openai'
      ? `${t.endpoint ?? 'endpoint'} · ${t.model}`
      : t.model;

/** The picker's entries for the tiers that can be reached: the router first, then one pinned entry per tier. */
export function pickerEntries(
  cfg: RouterConfig,
  reachable: readonly TierConfig[],
): vscode.LanguageModelChatInformation[] {
  if (!reachable.length) return [];
  const out = Math.min(...reachable.map((t) => Math.min(cfg.defaultMaxOutputTokens, t.maxOutputTokens)));
  // Images only where every tier behind the entry takes them (Anthropic's models do; others are not known to).
  const images = (ts: readonly TierConfig[]) => ts.every((t) => (t.provider ?? 'anthropic') === 'anthropic');
  const router: vscode.LanguageModelChatInformation = {
    id: LM_MODEL_ID,
    name: 'LLM Router',
    family: LM_FAMILY,
    version: '2',
    detail: `routed: ${reachable.map((t) => t.label).join(' / ')}`,
    tooltip: `Each request goes to the cheapest tier that answers it well (${reachable.map((t) => `${t.label}: ${served(t)}`).join('; ')}). An agent task stays on one tier. Cost and savings are recorded in the LLM Router panel.`,
    maxInputTokens: Math.min(...reachable.map((t) => inputBudget(cfg, t))),
    maxOutputTokens: out,
    capabilities: { toolCalling: true, imageInput: images(reachable) },
  };
  const pinned = reachable.map((t): vscode.LanguageModelChatInformation => ({
    id: `${TIER_MODEL_PREFIX}${t.id}`,
    name: `LLM Router: ${t.label}`,
    family: LM_FAMILY,
    version: '2',
    detail: `pinned · ${priceWords(t)}`,
    tooltip: `Always ${t.label} (${served(t)}), recorded and priced like routed requests.`,
    maxInputTokens: inputBudget(cfg, t),
    maxOutputTokens: Math.min(cfg.defaultMaxOutputTokens, t.maxOutputTokens),
    capabilities: { toolCalling: true, imageInput: images([t]) },
  }));
  return [router, ...pinned];
}

/** Which tiers have a client now (a VS Code-model tier only when VS Code offers a model for its selector). */
async function reachableTiers(cfg: RouterConfig, clients: ClientFor): Promise<TierConfig[]> {
  const out: TierConfig[] = [];
  for (const t of cfg.tiers) {
    if (!clients(t)) continue;
    if (t.provider === 'vscode' && !(await availableModels(t.selector ?? { id: t.model })).length) continue;
    out.push(t);
  }
  return out;
}

export function registerModelProvider(rt: Runtime): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const agents = new AgentRouter();
  const vscodeClients = vscodeTierClients();
  const clients = () => rt.clientFor(vscodeClients);
  let offered = false;

  const provider: vscode.LanguageModelChatProvider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    async provideLanguageModelChatInformation(options) {
      try {
        await rt.ready;
        const cfg = rt.settings.config;
        const entries = pickerEntries(cfg, await reachableTiers(cfg, await clients()));
        if (!entries.length && !options.silent && !offered) {
          offered = true; // once per window: the picker asks often
          void vscode.window
            .showInformationMessage(
              "LLM Router needs an Anthropic API key or your VS Code models (GitHub Copilot's, for example) as its tiers.",
              'Set Up',
            )
            .then((pick) => {
              if (pick) void vscode.commands.executeCommand(SET_UP_COMMAND);
            });
        }
        return entries;
      } catch (e) {
        rt.log.error(`model picker list: ${(e as Error).message}`);
        return [];
      }
    },
    async provideLanguageModelChatResponse(model, messages, options, progress, token) {
      await rt.ready;
      const { system, messages: msgs } = fromVscodeMessages(messages);
      const override = model.id.startsWith(TIER_MODEL_PREFIX) ? model.id.slice(TIER_MODEL_PREFIX.length) : null;
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      const where = override ? `model picker (${override})` : 'model picker';
      try {
        const o = await agents.run(
          rt.service,
          {
            messages: msgs,
            system,
            tools: toolSpecsFrom(options.tools),
            toolMode: options.toolMode === vscode.LanguageModelChatToolMode.Required ? 'required' : 'auto',
            source: 'model-provider',
            override,
            signal: abort.signal,
            onDecision: (d, continued) => {
              if (!continued) rt.log.decision(d, where);
            },
            onText: (t) => progress.report(new vscode.LanguageModelTextPart(t)),
            onToolCall: (c) =>
              progress.report(new vscode.LanguageModelToolCallPart(c.id, c.name, (c.input ?? {}) as object)),
            onNotice: (m) => rt.log.info(m),
          },
          await clients(),
        );
        rt.log.info(
          `${where} ${o.decisionId.slice(0, 8)}: ${o.continued ? `loop request ${o.turns}` : 'routed'} on ${o.tierId} · ${formatUsd(o.costUsd)} (loop ${formatUsd(o.record?.costUsd ?? null)})`,
        );
      } catch (e) {
        if (e instanceof RouteError && e.kind === 'cancelled') return;
        rt.log.error(`${where}: ${(e as Error).message}`);
        throw e instanceof RouteError ? new Error(e.message) : e;
      } finally {
        sub.dispose();
      }
    },
    async provideTokenCount(_model, text) {
      return tokenCount(text);
    },
  };
  const reg = vscode.lm.registerLanguageModelChatProvider(LM_VENDOR, provider);
  // The list follows the settings (tiers, context windows), the key, and the models other extensions offer; never the
  // decisions. Our own registration changes VS Code's model list too: only a change in the others' models counts.
  let others = '';
  const onModels = vscode.lm.onDidChangeChatModels(async () => {
    const now = (await availableModels())
      .map((m) => `${m.vendor}/${m.id}`)
      .sort()
      .join(',');
    if (now !== others) {
      others = now;
      changed.fire();
    }
  });
  void availableModels().then(
    (ms) => {
      others = ms
        .map((m) => `${m.vendor}/${m.id}`)
        .sort()
        .join(',');
    },
    () => undefined,
  );
  const subs = [rt.onDidChangeSettings(() => changed.fire()), rt.keys.onDidChange(() => changed.fire()), onModels];
  return {
    dispose() {
      subs.forEach((s) => s.dispose());
      reg.dispose();
      changed.dispose();
    },
  };
}
