// "LLM Router: Set Up": an Anthropic key, or the language models VS Code already has (GitHub Copilot's, for
// example) as tiers, and a preset. With no key, the router proposes a tier set from those models (cheapest, middle,
// dearest by their API rates) and explains the one-time question VS Code asks before an extension may use them. It
// is also the picker's management command, and it is offered once on first run when there is no key.
import * as vscode from 'vscode';
import { PRESET_NAMES } from '../core/presets';
import type { TierConfig } from '../core/types';
import {
  proposeTiers,
  tierFromModel,
  vscodeModelPrice,
  VSCODE_PRICES_CHECKED_AT,
  withUniqueIds,
  type VscodeModelInfo,
} from '../core/vscodePrices';
import type { Runtime } from './runtime';
import { availableModels, modelInfo, OWN_VENDOR } from './vscodeModels';

export const SET_UP_COMMAND = 'llm-router.setUp';
const OFFERED_KEY = 'llm-router.setupOffered';

/** The steps behind Set Up without its questions: for the integration tests only. */
export interface SetupHooks {
  /** The tiers Set Up would propose from the models VS Code has now. */
  proposal(): Promise<TierConfig[]>;
  /** Writes these models (by id; default: the proposal) as the tiers, cheapest first. */
  useVscodeModels(ids?: string[]): Promise<TierConfig[]>;
}

const priceOf = (m: VscodeModelInfo) => {
  const p = vscodeModelPrice(m);
  return p ? `$${p.input} in / $${p.output} out per M tokens` : 'unpriced (cost not known)';
};

/** The tiers setting's form of a tier: no price when the table prices it (it stays current), none when unknown. */
function settingOf(t: TierConfig): Record<string, unknown> {
  return {
    id: t.id,
    label: t.label,
    model: t.model,
    provider: 'vscode',
    selector: t.selector,
    contextWindow: t.contextWindow,
    maxOutputTokens: t.maxOutputTokens,
  };
}

async function writeTiers(rt: Runtime, tiers: TierConfig[]): Promise<void> {
  await vscode.workspace
    .getConfiguration('llmRouter')
    .update('tiers', tiers.map(settingOf), vscode.ConfigurationTarget.Global);
  rt.log.info(`set up: tiers are now ${tiers.map((t) => `${t.label} (${t.model})`).join(', ')}`);
}

async function models(): Promise<VscodeModelInfo[]> {
  return (await availableModels()).map(modelInfo);
}

/** Tiers from chosen models, cheapest first (unpriced ones last: their cost is not known). */
function tiersOf(chosen: VscodeModelInfo[]): TierConfig[] {
  const cost = (m: VscodeModelInfo) => {
    const p = vscodeModelPrice(m);
    return p ? 3 * p.input + p.output : Infinity;
  };
  return withUniqueIds([...chosen].sort((a, b) => cost(a) - cost(b)).map((m) => tierFromModel(m)));
}

/** Choose models (the proposal preselected), read what VS Code will ask, and write them as the tiers. */
async function setUpVscodeModels(rt: Runtime): Promise<boolean> {
  const have = await models();
  if (!have.length) {
    void vscode.window.showWarningMessage(
      'LLM Router: VS Code offers no language models yet. Install and sign in to GitHub Copilot (or another extension that provides models), or use an Anthropic API key.',
    );
    return false;
  }
  const proposed = new Set(proposeTiers(have, OWN_VENDOR).map((t) => t.model));
  const picks = await vscode.window.showQuickPick(
    have.map((m) => ({
      label: m.name,
      description: `${m.vendor} · ${priceOf(m)}`,
      detail: m.id,
      picked: proposed.has(m.id),
      m,
    })),
    {
      title: 'LLM Router: models to route between (two or three: a cheap one, a middle one, a strong one)',
      canPickMany: true,
      ignoreFocusOut: true,
    },
  );
  if (!picks?.length) return false;
  const tiers = tiersOf(picks.map((p) => p.m));
  const go = await vscode.window.showInformationMessage(
    `LLM Router will route each request to one of: ${tiers.map((t) => t.label).join(' → ')} (cheapest first).`,
    {
      modal: true,
      detail: `The first time LLM Router sends a request to one of these models, VS Code asks whether LLM Router may use language models from ${[...new Set(picks.map((p) => p.m.vendor))].join(', ')}: choose Allow (once per extension). Copilot bills these models in AI Credits at their API rates; LLM Router records each request's cost at those rates (list prices of ${VSCODE_PRICES_CHECKED_AT}). A model without a known price is shown as unpriced.`,
    },
    'Use These Models',
  );
  if (go !== 'Use These Models') return false;
  await writeTiers(rt, tiers);
  void vscode.window.showInformationMessage(
    "LLM Router is set up. Choose “LLM Router” in the chat's model picker (Agent mode works too), or ask @router.",
  );
  return true;
}

async function choosePreset(): Promise<void> {
  const pick = await vscode.window.showQuickPick(
    PRESET_NAMES.map((p) => ({ label: p })),
    { title: 'LLM Router: routing preset' },
  );
  if (pick)
    await vscode.workspace
      .getConfiguration('llmRouter')
      .update('preset', pick.label, vscode.ConfigurationTarget.Global);
}

async function setUp(rt: Runtime): Promise<void> {
  await rt.ready;
  const have = await models();
  const key = await rt.keys.has();
  const items = [
    {
      id: 'vscode',
      label: '$(hubot) Use the models VS Code has',
      detail: have.length
        ? `${have.length} found (${have
            .slice(0, 4)
            .map((m) => m.name)
            .join(', ')}${have.length > 4 ? ', …' : ''}); no API key needed`
        : 'none found yet: GitHub Copilot provides some',
    },
    {
      id: 'key',
      label: key ? '$(key) Change the Anthropic API key' : '$(key) Use an Anthropic API key',
      detail: "Claude Haiku, Sonnet and Opus through Anthropic's API",
    },
    { id: 'preset', label: '$(settings) Choose a preset', detail: 'economy, balanced or quality' },
    { id: 'settings', label: '$(gear) Open the settings', detail: 'tiers, endpoints, budget' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'LLM Router: Set Up' });
  if (pick?.id === 'vscode') await setUpVscodeModels(rt);
  else if (pick?.id === 'key') await vscode.commands.executeCommand('llm-router.setApiKey');
  else if (pick?.id === 'preset') await choosePreset();
  else if (pick?.id === 'settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'llmRouter');
}

/** Once, on first run without a key while the tiers are Anthropic's: offer the models VS Code has. */
async function offerOnFirstRun(rt: Runtime): Promise<void> {
  await rt.ready;
  const state = rt.context.globalState;
  if (state.get(OFFERED_KEY) || (await rt.keys.has())) return;
  if (rt.settings.config.tiers.some((t) => (t.provider ?? 'anthropic') !== 'anthropic')) return;
  const have = await models();
  if (!have.length) return;
  await state.update(OFFERED_KEY, true);
  const pick = await vscode.window.showInformationMessage(
    `LLM Router has no Anthropic API key. It can route between the models VS Code already has (${have.length}: ${have
      .slice(0, 3)
      .map((m) => m.name)
      .join(', ')}…), cheapest first.`,
    'Set Up',
    'Not Now',
  );
  if (pick === 'Set Up') await setUpVscodeModels(rt);
}

export function registerSetup(rt: Runtime, testMode: boolean): { disposables: vscode.Disposable[]; hooks: SetupHooks } {
  const disposables = [vscode.commands.registerCommand(SET_UP_COMMAND, () => setUp(rt))];
  if (!testMode)
    setTimeout(
      () => void offerOnFirstRun(rt).catch((e) => rt.log.warn(`set-up offer: ${(e as Error).message}`)),
      5000,
    ).unref?.();
  const hooks: SetupHooks = {
    proposal: async () => proposeTiers(await models(), OWN_VENDOR),
    async useVscodeModels(ids) {
      const have = await models();
      const tiers = ids ? tiersOf(have.filter((m) => ids.includes(m.id))) : proposeTiers(have, OWN_VENDOR);
      if (!tiers.length)
        throw new Error(`none of ${JSON.stringify(ids)} is a VS Code model here (${have.map((m) => m.id).join(', ')})`);
      await writeTiers(rt, tiers);
      return tiers;
    },
  };
  return { disposables, hooks };
}
