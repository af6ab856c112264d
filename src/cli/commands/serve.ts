// `llm-router serve [--port N] [--host H] [--preset P] [--db PATH] [--settings FILE] [--rate N] [--max-body MB]
// [--rotate-token]`: the local endpoint for Claude Code, Cline, Aider and scripts. Every request is routed, recorded in
// the database and budgeted like the extension's; tiers and endpoints come from the settings file (as for `route`),
// the keys from the environment (ANTHROPIC_API_KEY, LLM_ROUTER_KEY_<KEYNAME>), and no key leaves this process.
import * as path from 'node:path';
import type { Command } from 'commander';
import { applyPreset, type PresetName } from '../../core/presets';
import { createRouterService } from '../../core/service';
import type { RouterService } from '../../core/service-api';
import { ensureToken, startEndpoint, TOKEN_FILE, usageText } from '../../core/server';
import { openStore } from '../../core/store';
import { addDbOption, defaultDbPath, env, out, warn } from '../io';
import { otlpHeaders, withTelemetry } from '../../core/telemetry';
import { untilStopped } from '../signals';
import { cliRouteClients, loadCliSettings } from '../settingsFile';
import { PRESET_HELP, configFromOptions } from './classify';

interface Opts {
  db?: string;
  preset?: string;
  port?: string;
  host?: string;
  rate?: string;
  maxBody?: string;
  baseUrl?: string;
  settings?: string;
  rotateToken?: boolean;
  printToken?: boolean;
}

/** Every key this process could send upstream: never to appear in a response or a log line. */
const envSecrets = (e: NodeJS.ProcessEnv) =>
  Object.entries(e)
    .filter(([k, v]) => (k === 'ANTHROPIC_API_KEY' || k.startsWith('LLM_ROUTER_KEY_')) && v?.trim())
    .map(([, v]) => v!.trim());

function num(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: "${v}" is not a number ≥ ${min}`);
  return n;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function register(program: Command): void {
  addDbOption(
    program
      .command('serve')
      .description(
        'run a local endpoint (Anthropic Messages API and OpenAI Chat Completions) that routes, records and budgets every request',
      )
      .option('--port <n>', 'port to listen on (0 picks a free one)', '8787')
      .option('--host <address>', 'address to bind (127.0.0.1: only this machine)', '127.0.0.1')
      .option('--preset <name>', PRESET_HELP)
      .option('--rate <n>', 'requests a minute before 429 (default 600)')
      .option('--max-body <mb>', 'largest request body in MB (default 8)')
      .option('--base-url <url>', 'Anthropic API base URL (default: $ANTHROPIC_BASE_URL or the official API)')
      .option(
        '--settings <file>',
        'settings file with tiers and endpoints (default: $LLM_ROUTER_SETTINGS or ~/.config/llm-router/settings.json)',
      )
      .option('--rotate-token', 'make a new endpoint token (programs using the old one are refused)')
      .option('--print-token', 'print the token itself, not only where it is'),
  ).action(async (opts: Opts) => {
    const port = num(opts.port, 'port', 0)!;
    if (!Number.isInteger(port) || port > 65535) throw new Error(`--port: "${opts.port}" is not a port number`);
    const host = opts.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host))
      warn(`binding ${host}: other machines on that network can reach the endpoint (they still need the token).`);
    const rate = num(opts.rate, 'rate', 1);
    const maxMb = num(opts.maxBody, 'max-body', 0.001);
    configFromOptions(opts); // a bad --preset is an error here, not a warning
    const settings = loadCliSettings({ file: opts.settings, preset: opts.preset, env: env() });
    for (const p of settings.problems) warn(`settings: ${p}`);
    const config = settings.config;
    const dbPath = opts.db ?? defaultDbPath();
    const store = await openStore({
      path: dbPath,
      promptStorage: settings.promptStorage,
      onNotice: warn,
    });
    const { token, file } = ensureToken(path.join(path.dirname(path.resolve(dbPath)), TOKEN_FILE), {
      rotate: opts.rotateToken,
    });
    // Pooled (breakers, health for `stats`), identical requests in flight shared, the cache when the settings ask.
    const clients = cliRouteClients(settings, store, { baseUrl: opts.baseUrl, scope: 'serve', env: env() });
    // Opt-in OpenTelemetry export of every decision the endpoint records.
    const tel = withTelemetry(settings, store, config, { onError: warn, headers: otlpHeaders(env()) ?? {} });
    const reachable = config.tiers.filter((t) => clients(t) !== null).map((t) => t.id);
    const secrets = envSecrets(env());
    const services = new Map<PresetName | null, RouterService>();
    const service = (p: PresetName | null): RouterService => {
      let s = services.get(p);
      if (!s)
        services.set(
          p,
          (s = createRouterService({
            config: p ? applyPreset(config, p) : config,
            store: tel.store,
            cascade: settings.cascade,
            retrainEvery: settings.retrainEvery,
            allowStepDown: settings.allowStepDown,
          })),
        );
      return s;
    };
    const ep = await startEndpoint({
      token,
      host,
      port,
      ratePerMinute: rate,
      maxBodyBytes: maxMb === undefined ? undefined : Math.round(maxMb * 1024 * 1024),
      backend: { service, client: async () => clients, secrets: () => secrets },
      log: (line) => warn(`${new Date().toISOString()} ${line}`),
    });
    // Spend recorded by the extension (or another serve) counts toward the same budget.
    const refresh = setInterval(() => {
      store.refresh().catch(() => undefined);
    }, 3000);
    refresh.unref();
    out(usageText(ep.url, file));
    if (opts.printToken) out(`\ntoken: ${token}`);
    out(`\ndatabase: ${store.path}`);
    out(
      reachable.length
        ? `tiers with a key: ${reachable.join(', ')}`
        : 'no key for any tier (ANTHROPIC_API_KEY, LLM_ROUTER_KEY_<KEYNAME>): requests get an error until one is set',
    );
    out('Ctrl+C stops it.');
    await untilStopped();
    clearInterval(refresh);
    await ep.close();
    await tel.exporter?.shutdown();
    await store.close();
  });
}
