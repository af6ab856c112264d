// A client per tier when tiers mix providers: Anthropic tiers share the Anthropic client, each OpenAI-compatible
// endpoint the user defined gets one client (one connection pool) for all its tiers, VS Code-model tiers come from
// the editor. Endpoints and their key names come only from the user's own (application-scope) settings: nothing a
// workspace sets decides where a key is sent.
import type { TierConfig } from '../types';
import type { ClientFor, ModelClient } from './api';
import { envKeyName } from './keys';
import { OpenAIClient } from './openai';

/** One OpenAI-compatible endpoint, as the user defined it in llmRouter.endpoints. */
export interface EndpointConfig {
  /** Short name tiers refer to ("openrouter", "ollama", "team"). */
  name: string;
  /** Base URL up to and including the API version ("https://openrouter.ai/api/v1", "http://localhost:11434/v1"). */
  baseUrl: string;
  /** Under which name its key is kept (SecretStorage, or LLM_ROUTER_KEY_<KEYNAME> in the environment); none: the
   *  endpoint needs no key (a local Ollama or vLLM). Several endpoints may share one key name. */
  keyName?: string;
  /** Extra headers for every request (OpenRouter's HTTP-Referer / X-Title). Never put a key here. */
  headers?: Record<string, string>;
}

/** The environment variable the CLI reads an endpoint's key from. */
export const endpointEnvVar = (ep: EndpointConfig): string | null => (ep.keyName ? envKeyName(ep.keyName) : null);

/** An endpoint's key from the environment (the CLI's way): undefined when it needs none, null when it is missing. */
export function envEndpointKey(ep: EndpointConfig, env: NodeJS.ProcessEnv = process.env): string | null | undefined {
  const v = endpointEnvVar(ep);
  if (!v) return undefined;
  return env[v]?.trim() || null;
}

export interface ClientForOptions {
  endpoints: readonly EndpointConfig[];
  /** The client for Anthropic tiers, or null without a key. */
  anthropic: ModelClient | null;
  /** The key of an endpoint: a string, undefined when the endpoint needs none, null when it is missing. */
  endpointKey: (ep: EndpointConfig) => string | null | undefined;
  /** VS Code-model tiers (the editor's glue); none elsewhere. */
  vscode?: (tier: TierConfig) => ModelClient | null;
  maxRetries?: number;
  idleTimeoutMs?: number;
}

/** Why a tier has no client, in words with the fix; null when it has one. */
export function unreachableReason(
  tier: TierConfig,
  opts: Pick<ClientForOptions, 'endpoints' | 'endpointKey' | 'anthropic'>,
): string | null {
  const provider = tier.provider ?? 'anthropic';
  if (provider === 'anthropic')
    return opts.anthropic ? null : 'no Anthropic API key (“LLM Router: Set API Key” or ANTHROPIC_API_KEY)';
  if (provider === 'vscode') return null;
  const ep = opts.endpoints.find((e) => e.name === tier.endpoint);
  if (!ep)
    return `the tier ${tier.id} names the endpoint “${tier.endpoint ?? ''}”, which llmRouter.endpoints does not define`;
  if (opts.endpointKey(ep) === null)
    return `no key for the endpoint “${ep.name}” (“LLM Router: Set Endpoint Key” or ${endpointEnvVar(ep)})`;
  return null;
}

/** A ClientFor over mixed tiers. Clients are made once per endpoint and key, on first use. */
export function createClientFor(opts: ClientForOptions): ClientFor {
  const made = new Map<string, { key: string | undefined; client: ModelClient }>();
  return (tier) => {
    const provider = tier.provider ?? 'anthropic';
    if (provider === 'anthropic') return opts.anthropic;
    if (provider === 'vscode') return opts.vscode?.(tier) ?? null;
    const ep = opts.endpoints.find((e) => e.name === tier.endpoint);
    if (!ep) return null;
    const key = opts.endpointKey(ep);
    if (key === null) return null;
    const have = made.get(ep.name);
    if (have && have.key === key) return have.client;
    const client = new OpenAIClient({
      endpoint: ep.name,
      baseURL: ep.baseUrl,
      apiKey: key,
      keyName: ep.keyName,
      headers: ep.headers,
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
      ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    });
    made.set(ep.name, { key, client });
    return client;
  };
}
