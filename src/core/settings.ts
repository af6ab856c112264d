// The `llmRouter.*` settings, validated into a RouterConfig (defaults + overrides) and the other knobs the extension
// needs. Pure (no `vscode`): the extension passes its configuration in, tests pass plain objects. An invalid value
// never breaks routing: it is reported in words and its default is used instead.
import { z } from 'zod';
import { defaultConfig, validateConfig } from './config';
import { DEFAULT_PRESET, PRESET_NAMES } from './presets';
import type { Alternate } from './pool/pool';
import type { EndpointConfig } from './provider/endpoints';
import { vscodeModelPrice } from './vscodePrices';
import { DEFAULT_JUDGE, type JudgeSettings } from './judge/run';
import type { PromptStorage, RouterConfig, TierConfig } from './types';

export const SECTION = 'llmRouter';

export interface Settings {
  config: RouterConfig;
  promptStorage: PromptStorage;
  baseUrl: string | undefined;
  maxRetries: number;
  /** The longest wait before a retry, in seconds; a longer retry-after makes another tier answer instead. */
  maxRetryWaitSeconds: number;
  budget: {
    dailyLimitUsd: number | null;
    monthlyLimitUsd: number | null;
    onExhausted: 'block' | 'cheapest';
    configured: boolean;
  };
  cascade: boolean;
  retrainEvery: number;
  allowStepDown: boolean;
  retention: { maxDays: number; maxRows: number };
  /** OpenAI-compatible endpoints the user defined (user settings only): tiers with provider "openai" name one. */
  endpoints: EndpointConfig[];
  /** The resilient pool: alternates per tier id (user settings only), and when a backend's breaker opens. */
  pool: { alternates: Record<string, Alternate[]>; failureThreshold: number; cooldownMs: number };
  /** The opt-in response cache (off by default); acrossWorkspaces only from the user's settings. */
  cache: { enabled: boolean; ttlMs: number; maxEntries: number; similarity: number; acrossWorkspaces: boolean };
  /** Export of decisions as OpenTelemetry spans and metrics (off by default; user settings only). */
  telemetry: { enabled: boolean; endpoint: string; includePrompt: boolean };
  /** LLM-as-judge sampling (judge/run.ts); sampleRate 0 = off. */
  judge: JudgeSettings;
  /** Similar past prompts move a new prompt's score (neighbours/); only with stored prompts. */
  neighbours: boolean;
  /** One line per setting that was ignored, in words. Empty when all is well. */
  problems: string[];
}

const priceZ = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  cacheWrite: z.number().min(0).optional(),
  cacheRead: z.number().min(0).optional(),
});
const tierZ = z
  .object({
    id: z.string().min(1),
    label: z.string().min(1).optional(),
    model: z.string().min(1),
    provider: z.enum(['anthropic', 'openai', 'vscode']).optional(),
    endpoint: z.string().min(1).optional(),
    selector: z
      .object({ vendor: z.string().optional(), family: z.string().optional(), id: z.string().optional() })
      .optional(),
    // No price: the model is unpriced (its costs are unknown, never $0). A price of 0 is a free model (a local one).
    price: priceZ.optional(),
    contextWindow: z.number().int().min(1000).optional(),
    maxOutputTokens: z.number().int().min(1).optional(),
  })
  .refine((t) => t.provider !== 'openai' || !!t.endpoint, {
    message: 'a tier with provider "openai" needs "endpoint": the name of one of llmRouter.endpoints',
  });

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const endpointZ = z
  .object({
    name: z.string().regex(NAME, 'a short name: letters, digits, ".", "_" or "-"'),
    baseUrl: z
      .string()
      .trim()
      .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL'),
    keyName: z.string().regex(NAME, 'a short name: letters, digits, ".", "_" or "-"').optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .refine((e) => !Object.keys(e.headers ?? {}).some((h) => /^(authorization|api-key|x-api-key)$/i.test(h)), {
    message: 'headers may not carry a key (authorization, api-key): set the key with “LLM Router: Set Endpoint Key”',
  });
const floorsZ = z.record(z.string(), z.union([z.string(), z.number().int().min(0)]));

const alternateZ = z.object({
  provider: z.enum(['anthropic', 'openai']).optional(),
  endpoint: z.string().min(1).optional(),
  model: z.string().min(1),
});

function zodWords(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
}

/** The values one setting has in each place, as VS Code's `WorkspaceConfiguration.inspect` gives them. */
export interface SettingValues {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** Where settings come from: VS Code's configuration, or a plain object in tests. */
export interface SettingsSource {
  inspect(key: string): SettingValues | undefined;
}

/**
 * Settings that decide where the API key is sent (the base URL) or which models it pays for (the tiers): read from
 * the user's own settings only. A repository's .vscode/settings.json could otherwise send the key to a server of
 * its own; package.json gives them `machine` scope too, and this holds even if that is bypassed.
 */
export const USER_ONLY_SETTINGS: readonly string[] = [
  'baseUrl',
  'tiers',
  'endpoints',
  'pool.alternates',
  'cache.acrossWorkspaces',
  'telemetry.enabled',
  'telemetry.endpoint',
  'telemetry.includePrompt',
];

type Take = <T>(key: string, schema: z.ZodType<T>) => T | undefined;

/** A reader of one setting: the user's value checked against its schema, or undefined (and a problem) when invalid. */
function settingReader(cfg: SettingsSource, problems: string[]): Take {
  // Only values the user set count as overrides; schema defaults mirror defaultConfig().
  const userValue = (key: string): unknown => {
    const i = cfg.inspect(key);
    if (!i) return undefined;
    if (USER_ONLY_SETTINGS.includes(key)) {
      if (i.workspaceFolderValue !== undefined || i.workspaceValue !== undefined) {
        problems.push(
          `${SECTION}.${key} in this workspace's settings ignored: it decides where your API key goes, so only your user settings can set it`,
        );
      }
      return i.globalValue;
    }
    return i.workspaceFolderValue ?? i.workspaceValue ?? i.globalValue;
  };
  const take = <T>(key: string, schema: z.ZodType<T>): T | undefined => {
    const v = userValue(key);
    if (v === undefined) return undefined;
    const r = schema.safeParse(v);
    if (!r.success) {
      problems.push(`${SECTION}.${key} ignored (${zodWords(r.error)}); using the default`);
      return undefined;
    }
    return r.data;
  };
  return take;
}

/** A VS Code model's tier without its own price gets the API rate of that model (./vscodePrices.ts), if known. */
function withTablePrice<
  T extends { provider?: string; model: string; selector?: { id?: string; family?: string }; price?: unknown },
>(t: T): T {
  if (t.provider !== 'vscode' || t.price) return t;
  const price = vscodeModelPrice({ id: t.selector?.id ?? t.model, family: t.selector?.family ?? '' });
  return price ? { ...t, price } : t;
}

/** The routing part: tiers, thresholds, floors, high-stakes, strategy; the defaults when they do not fit together. */
function routingConfig(take: Take, problems: string[]): RouterConfig {
  // The preset sets thresholds and rules; settings given one by one refine it.
  const preset = take('preset', z.enum(PRESET_NAMES)) ?? DEFAULT_PRESET;
  const config = defaultConfig(preset);
  const tiers = take('tiers', z.array(tierZ).min(1));
  if (tiers) {
    config.tiers = tiers.map(withTablePrice).map((t): TierConfig => ({
      id: t.id,
      label: t.label ?? t.id.charAt(0).toUpperCase() + t.id.slice(1),
      model: t.model,
      ...(t.provider ? { provider: t.provider } : {}),
      ...(t.endpoint ? { endpoint: t.endpoint } : {}),
      ...(t.selector ? { selector: t.selector } : {}),
      ...(t.price ? {} : { priced: false }),
      price: t.price
        ? {
            input: t.price.input,
            output: t.price.output,
            cacheWrite: t.price.cacheWrite ?? +(t.price.input * 1.25).toFixed(4),
            cacheRead: t.price.cacheRead ?? +(t.price.input * 0.1).toFixed(4),
          }
        : { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
      contextWindow: t.contextWindow ?? 200_000,
      maxOutputTokens: t.maxOutputTokens ?? 64_000,
    }));
    config.highStakesTier = Math.min(config.highStakesTier, config.tiers.length - 1);
    // Thresholds must fit the tier count: spread them evenly unless the user gives their own.
    if (config.thresholds.length !== config.tiers.length - 1) {
      const n = config.tiers.length;
      config.thresholds = Array.from({ length: n - 1 }, (_, i) => +((i + 1) / n).toFixed(3));
    }
    // Floors referring to tiers that no longer exist are dropped below.
  }
  const thresholds = take('thresholds', z.array(z.number().min(0).max(1)));
  if (thresholds) config.thresholds = thresholds;

  const tierRef = (key: string, v: string | number): number | undefined | null => {
    if (v === 'none') return null;
    if (typeof v === 'number') return v;
    const i = config.tiers.findIndex(
      (t) => t.id.toLowerCase() === v.toLowerCase() || t.label.toLowerCase() === v.toLowerCase(),
    );
    if (i < 0) {
      problems.push(`${SECTION}.${key}: no tier "${v}" (tiers: ${config.tiers.map((t) => t.id).join(', ')}); ignored`);
      return undefined;
    }
    return i;
  };
  const floors = (key: string, allowed: readonly string[], target: Record<string, number | undefined>) => {
    const f = take(key, floorsZ);
    if (!f) return;
    for (const [k, v] of Object.entries(f)) {
      if (!allowed.includes(k)) {
        problems.push(`${SECTION}.${key}.${k}: unknown (expected ${allowed.join(', ')}); ignored`);
        continue;
      }
      const idx = tierRef(`${key}.${k}`, v);
      if (idx === null) delete target[k];
      else if (idx !== undefined) target[k] = idx;
    }
  };
  floors(
    'categoryFloors',
    ['factual', 'reasoning', 'creative', 'code'],
    config.categoryFloors as Record<string, number | undefined>,
  );
  floors(
    'complexityFloors',
    ['simple', 'medium', 'complex'],
    config.complexityFloors as Record<string, number | undefined>,
  );

  const terms = take('highStakesTerms', z.array(z.string().trim().min(2)));
  if (terms) config.highStakesTerms = terms;
  const hsTier = take('highStakesTier', z.union([z.string(), z.number().int().min(0)]));
  if (hsTier !== undefined) {
    const i = tierRef('highStakesTier', hsTier);
    if (typeof i === 'number') config.highStakesTier = i;
  }
  const lct = take('lowConfidenceThreshold', z.number().min(0).max(1));
  if (lct !== undefined) config.lowConfidenceThreshold = lct;
  const strategy = take('strategy', z.enum(['learned', 'rules']));
  if (strategy) config.strategy = strategy;
  const mot = take('maxOutputTokens', z.number().int().min(1).max(128_000));
  if (mot !== undefined) config.defaultMaxOutputTokens = mot;

  // Whole-config checks (thresholds vs tiers, indexes in range): if they fail, fall back to defaults entirely.
  const errs = validateConfig(config);
  if (!errs.length) return config;
  problems.push(
    `routing settings are inconsistent (${errs.join('; ')}); using the default tiers and the ${preset} preset`,
  );
  return defaultConfig(preset);
}

function judgeSettings(
  take: ReturnType<typeof settingReader>,
  config: RouterConfig,
  problems: string[],
): JudgeSettings {
  let tier = take('judge.tier', z.string().trim()) || null;
  if (tier && !config.tiers.some((t) => t.id === tier)) {
    problems.push(
      `llmRouter.judge.tier: "${tier}" is not a tier (${config.tiers.map((t) => t.id).join(', ')}); the top tier judges`,
    );
    tier = null;
  }
  return {
    sampleRate: take('judge.sampleRate', z.number().min(0).max(1)) ?? DEFAULT_JUDGE.sampleRate,
    maxBudgetShare: take('judge.maxBudgetShare', z.number().min(0).max(1)) ?? DEFAULT_JUDGE.maxBudgetShare,
    tier,
    mode: take('judge.mode', z.enum(['compare', 'alone'])) ?? DEFAULT_JUDGE.mode,
  };
}

/** Turns the `llmRouter.*` values into Settings: defaults for what is unset, a problem in words for what is invalid. */
export function readSettings(cfg: SettingsSource): Settings {
  const problems: string[] = [];
  const take = settingReader(cfg, problems);
  const finalConfig = routingConfig(take, problems);

  const baseUrlRaw = take(
    'baseUrl',
    z
      .string()
      .trim()
      .refine((s) => s === '' || /^https?:\/\/[^\s]+$/.test(s), 'must be an http(s) URL'),
  );
  const daily = take('budget.dailyLimitUsd', z.number().min(0).nullable());
  const monthly = take('budget.monthlyLimitUsd', z.number().min(0).nullable());
  const onEx = take('budget.onExhausted', z.enum(['block', 'cheapest']));
  return {
    config: finalConfig,
    promptStorage: take('promptStorage', z.enum(['preview', 'none', 'full'])) ?? 'preview',
    baseUrl: baseUrlRaw ? baseUrlRaw.replace(/\/+$/, '') : undefined,
    maxRetries: take('maxRetries', z.number().int().min(0).max(10)) ?? 2,
    maxRetryWaitSeconds: take('maxRetryWaitSeconds', z.number().min(0).max(3600)) ?? 30,
    budget: {
      dailyLimitUsd: daily ?? null,
      monthlyLimitUsd: monthly ?? null,
      onExhausted: onEx ?? 'block',
      configured: daily !== undefined || monthly !== undefined || onEx !== undefined,
    },
    cascade: take('cascade.enabled', z.boolean()) ?? false,
    retrainEvery: take('retrain.autoEvery', z.number().int().min(0)) ?? 20,
    allowStepDown: take('retrain.allowStepDown', z.boolean()) ?? false,
    retention: {
      maxDays: take('retention.maxDays', z.number().int().min(1)) ?? 365,
      maxRows: take('retention.maxRows', z.number().int().min(1000)) ?? 100_000,
    },
    endpoints: readEndpoints(take, finalConfig, problems),
    pool: {
      alternates: take('pool.alternates', z.record(z.string(), z.array(alternateZ))) ?? {},
      failureThreshold: take('pool.failureThreshold', z.number().int().min(1).max(100)) ?? 5,
      cooldownMs: (take('pool.cooldownSeconds', z.number().min(1).max(3600)) ?? 30) * 1000,
    },
    cache: {
      enabled: take('cache.enabled', z.boolean()) ?? false,
      ttlMs:
        (take(
          'cache.ttlSeconds',
          z
            .number()
            .min(1)
            .max(30 * 86400),
        ) ?? 3600) * 1000,
      maxEntries: take('cache.maxEntries', z.number().int().min(1).max(100_000)) ?? 500,
      similarity: take('cache.similarity', z.number().min(0).max(1)) ?? 0,
      acrossWorkspaces: take('cache.acrossWorkspaces', z.boolean()) ?? false,
    },
    telemetry: {
      enabled: take('telemetry.enabled', z.boolean()) ?? false,
      endpoint: (
        take(
          'telemetry.endpoint',
          z
            .string()
            .trim()
            .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL'),
        ) ?? 'http://localhost:4318'
      ).replace(/\/+$/, ''),
      includePrompt: take('telemetry.includePrompt', z.boolean()) ?? false,
    },
    judge: judgeSettings(take, finalConfig, problems),
    neighbours: take('neighbours.enabled', z.boolean()) ?? false,
    problems,
  };
}

/** The user's endpoints (names unique), and a problem for each openai tier that names none of them. */
function readEndpoints(take: Take, config: RouterConfig, problems: string[]): EndpointConfig[] {
  const list = take('endpoints', z.array(endpointZ)) ?? [];
  const seen = new Set<string>();
  const out: EndpointConfig[] = [];
  for (const e of list) {
    if (seen.has(e.name)) {
      problems.push(`${SECTION}.endpoints: the name "${e.name}" is used twice; the first one counts`);
      continue;
    }
    seen.add(e.name);
    out.push({
      name: e.name,
      baseUrl: e.baseUrl.replace(/\/+$/, ''),
      ...(e.keyName ? { keyName: e.keyName } : {}),
      ...(e.headers ? { headers: e.headers } : {}),
    });
  }
  for (const t of config.tiers) {
    if (t.provider === 'openai' && !seen.has(t.endpoint ?? '')) {
      problems.push(
        `${SECTION}.tiers: the tier ${t.id} names the endpoint "${t.endpoint}", which ${SECTION}.endpoints does not define (defined: ${[...seen].join(', ') || 'none'}); it cannot be reached`,
      );
    }
  }
  return out;
}
