// The CLI's settings: a JSON file of the user's own with the same keys as the editor's user settings
// ("llmRouter.tiers", "llmRouter.endpoints", "llmRouter.preset" …, the "llmRouter." prefix optional), so tiers that
// mix Anthropic and OpenAI-compatible endpoints work outside VS Code too. Keys never go in it: they come from the
// environment (ANTHROPIC_API_KEY, LLM_ROUTER_KEY_<KEYNAME>).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { layerClients } from '../core/cache';
import { createPool } from '../core/pool';
import type { ClientFor } from '../core/provider/api';
import { AnthropicClient } from '../core/provider/anthropic';
import { createClientFor, envEndpointKey } from '../core/provider/endpoints';
import { readSettings, SECTION, type Settings } from '../core/settings';
import type { DecisionStore } from '../core/store/api';
import { userDir } from './io';

/** The official API, where Anthropic tiers go when neither a flag, the settings nor the environment say otherwise. */
const ANTHROPIC_API_URL = 'https://api.anthropic.com';

/** Default: $LLM_ROUTER_SETTINGS, else settings.json in the user's config directory (XDG on Linux). */
export function defaultSettingsPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  return env.LLM_ROUTER_SETTINGS || path.join(userDir('config', env, platform), 'settings.json');
}

/** The settings from `file` (default path, from `env`, when not given; a missing default file is no settings),
 *  `preset` on top. */
export function loadCliSettings(opts: { file?: string; preset?: string; env?: NodeJS.ProcessEnv }): Settings {
  const file = opts.file ?? defaultSettingsPath(opts.env);
  let values: Record<string, unknown> = {};
  let text: string | null = null;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (opts.file || (e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(
        `cannot read the settings file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
  }
  if (text !== null) {
    try {
      values = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`the settings file ${file} is not JSON (${(e as Error).message})`);
    }
    if (!values || typeof values !== 'object' || Array.isArray(values))
      throw new Error(`the settings file ${file} must hold one JSON object`);
  }
  const get = (k: string) =>
    k === 'preset' && opts.preset !== undefined ? opts.preset : (values[`${SECTION}.${k}`] ?? values[k]);
  return readSettings({ inspect: (k) => (get(k) === undefined ? undefined : { globalValue: get(k) }) });
}

/** A client per tier from the environment's keys: ANTHROPIC_API_KEY (and `baseUrl`) for Anthropic tiers,
 *  LLM_ROUTER_KEY_<KEYNAME> for each endpoint. Only `env` is read: the base URL is settled here, never left to
 *  the SDK's own look at process.env. */
export function cliClientFor(s: Settings, baseUrl?: string, env: NodeJS.ProcessEnv = process.env): ClientFor {
  const key = env.ANTHROPIC_API_KEY?.trim();
  const baseURL = baseUrl || s.baseUrl || env.ANTHROPIC_BASE_URL || ANTHROPIC_API_URL;
  const anthropic = key
    ? new AnthropicClient({
        apiKey: key,
        baseURL,
        maxRetries: s.maxRetries,
        maxRetryWaitMs: s.maxRetryWaitSeconds * 1000,
      })
    : null;
  return createClientFor({
    endpoints: s.endpoints,
    anthropic,
    maxRetries: s.maxRetries,
    endpointKey: (ep) => envEndpointKey(ep, env),
  });
}

/** What a CLI command routes with: the tiers' clients from the environment, pooled (breakers and health kept in
 *  `store` for `stats`), identical requests in flight shared, and the response cache when the settings turn it on
 *  (`scope`: whose answers it may reuse, e.g. one per client of `serve`). */
export function cliRouteClients(
  s: Settings,
  store: Pick<DecisionStore, 'getMeta' | 'setMeta'>,
  opts: { baseUrl?: string; scope?: string; env?: NodeJS.ProcessEnv } = {},
): ClientFor {
  const pooled = createPool(s, store).wrap(cliClientFor(s, opts.baseUrl, opts.env));
  return layerClients(pooled, s, opts.scope ?? 'cli').clientFor;
}
