// What to tell a person when no tier can be called: it names what the configured tiers lack (the Anthropic key,
// an endpoint's key, the editor's models) and how to fix each, rather than always asking for an Anthropic key.
import { envKeyName } from './provider/keys';
import type { RouterConfig, TierProvider } from './types';

/** The command that fixes the first thing missing, for a button next to the message. */
export type MissingKeyFix = 'llm-router.setApiKey' | 'llm-router.setEndpointKey' | 'llm-router.setUp';

export interface MissingKeys {
  /** Sentences, one per provider the tiers use, ending with "Nothing was sent." */
  message: string;
  fix: MissingKeyFix;
  /** The fix's button title. */
  fixTitle: string;
}

const FIX_TITLE: Record<MissingKeyFix, string> = {
  'llm-router.setApiKey': 'Set API Key',
  'llm-router.setEndpointKey': 'Set Endpoint Key',
  'llm-router.setUp': 'Set Up',
};

const ANTHROPIC =
  'No Anthropic API key: set one with “LLM Router: Set API Key” or the ANTHROPIC_API_KEY environment variable.';

function endpointsSentence(names: readonly string[]): string {
  const vars = names.map((n) => envKeyName(n)).join(', ');
  const which = names.length > 1 ? 'endpoints' : 'endpoint';
  return `No key for the ${which} ${names.map((n) => `“${n}”`).join(', ')}: set it with “LLM Router: Set Endpoint Key” or ${vars} (the key name defined in llmRouter.endpoints, if it is another), and check the endpoint is defined there.`;
}

function vscodeSentence(labels: readonly string[]): string {
  return `The VS Code models for ${labels.join(', ')} are not available: sign in to GitHub Copilot (or the extension that provides them), or choose other models with “LLM Router: Set Up”.`;
}

/** The message for "no tier has a client", from the providers the tiers use (cheapest tier's provider first). */
export function missingKeys(config: RouterConfig): MissingKeys {
  const order: TierProvider[] = [];
  for (const t of config.tiers) {
    const p = t.provider ?? 'anthropic';
    if (!order.includes(p)) order.push(p);
  }
  const endpoints = [...new Set(config.tiers.filter((t) => t.provider === 'openai').map((t) => t.endpoint ?? t.id))];
  const editor = config.tiers.filter((t) => t.provider === 'vscode').map((t) => t.label);
  const sentence: Record<TierProvider, string> = {
    anthropic: ANTHROPIC,
    openai: endpointsSentence(endpoints),
    vscode: vscodeSentence(editor),
  };
  const fixOf: Record<TierProvider, MissingKeyFix> = {
    anthropic: 'llm-router.setApiKey',
    openai: 'llm-router.setEndpointKey',
    vscode: 'llm-router.setUp',
  };
  const fix = fixOf[order[0] ?? 'anthropic'];
  const message = [...(order.length ? order : (['anthropic'] as const)).map((p) => sentence[p]), 'Nothing was sent.'];
  return { message: message.join(' '), fix, fixTitle: FIX_TITLE[fix] };
}
