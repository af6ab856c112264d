// `llm-router route [--dry-run] [--json] [--tier T] TEXT`: decides like the extension does, records the decision,
// and (without --dry-run) streams the answer from Anthropic, then prints model, tokens, cost and what it saved.
import type { Command } from 'commander';
import { tierIndex } from '../../core/config';
import { formatUsd, pct, routedLine } from '../../core/format';
import { createExperimentService } from '../../core/experiments/routing';
import { withWorkspace } from '../../core/projects/workspace';
import { cliWorkspace } from './projects';
import { RouteError, type RouteOutcome, type RouteRequest, type RouterService } from '../../core/service-api';
import type { Decision, RouterConfig } from '../../core/types';
import { addDbOption, closeStore, env, openCliStore, out, saveNow, setExitCode, warn, write, writeErr } from '../io';
import { exitCodeFor, whileStoppable, type Stoppable } from '../signals';
import { otlpHeaders, withTelemetry } from '../../core/telemetry';
import { cliRouteClients, loadCliSettings } from '../settingsFile';
import type { ClientChoice } from '../../core/service/scope';
import { PRESET_HELP, configFromOptions } from './classify';

interface Opts {
  db?: string;
  preset?: string;
  dryRun?: boolean;
  json?: boolean;
  tier?: string;
  maxTokens?: string;
  baseUrl?: string;
  system?: string;
  settings?: string;
  maxRetryWait?: string;
}

const describe = (d: Decision, config: RouterConfig) => `${routedLine(config, d)} · est. ${formatUsd(d.estCostUsd)}`;

type Req = Omit<RouteRequest, 'signal' | 'onDecision' | 'onText' | 'onNotice'>;

/** Streams the answer, saves what was recorded, then reports it (stdout) or what went wrong (stderr, exit code). */
async function routeAndReport(
  svc: RouterService,
  req: Req,
  opts: Opts,
  stop: Stoppable,
  client: ClientChoice,
): Promise<void> {
  let o: RouteOutcome;
  try {
    o = await svc.run(
      {
        ...req,
        signal: stop.signal,
        // With an answer coming on stdout, the routing line goes to stderr; without a key, the decision is the result (below).
        onDecision: (d) => {
          if (!opts.json && client) writeErr(`${describe(d, svc.config)}\n`);
        },
        onText: (t) => {
          // Written at once, in order with what follows; a reader that is behind is not waited for.
          if (!opts.json) void write(t);
        },
        onNotice: (m) => warn(m),
      },
      client ?? null,
    );
  } catch (e) {
    if (!(e instanceof RouteError)) throw e;
    await saveNow(svc.store, 'the call');
    reportError(svc, e, opts, stop.stoppedBy());
    return;
  }
  await saveNow(svc.store, 'the answer');
  if (opts.json) {
    out(
      JSON.stringify(
        {
          id: o.record.id,
          decision: o.decision,
          record: o.record,
          text: o.text,
          calls: o.calls,
          totalCostUsd: o.totalCostUsd,
          baselineCostUsd: o.baselineCostUsd,
          savedUsd: o.savedUsd,
          quality: o.quality,
          budget: o.budget,
        },
        null,
        2,
      ),
    );
    return;
  }
  const labels = svc.config.tiers.map((t) => t.label);
  const u = o.record.usage;
  out('');
  out('');
  out(
    `model ${o.record.answeredModel ?? o.record.model} · tokens in ${u?.inputTokens ?? 0} / out ${u?.outputTokens ?? 0}${u && (u.cacheReadTokens || u.cacheWriteTokens) ? ` (cache write ${u.cacheWriteTokens}, read ${u.cacheReadTokens})` : ''} · cost ${formatUsd(o.totalCostUsd)} · saved ${formatUsd(o.savedUsd)} vs ${labels[labels.length - 1]}`,
  );
  if (o.calls.length > 1)
    out(`calls: ${o.calls.map((c) => `${c.role} ${c.model} ${c.status} ${formatUsd(c.costUsd)}`).join('; ')}`);
  if (o.budget && o.budget.state !== 'normal') out(`budget: ${o.budget.state} (${pct(o.budget.usedFraction)} used)`);
  out(`decision ${o.record.id} (rate it: llm-router feedback ${o.record.id} up|down)`);
}

function reportError(svc: RouterService, e: RouteError, opts: Opts, sig: NodeJS.Signals | null): void {
  setExitCode(e.kind === 'no-key' ? 2 : e.kind === 'cancelled' ? (sig ? exitCodeFor(sig) : 130) : 1);
  if (opts.json) {
    out(JSON.stringify({ error: e.kind, message: e.message, decision: e.decision }, null, 2));
    return;
  }
  if (e.kind === 'no-key' && e.decision) {
    out(describe(e.decision, svc.config));
    for (const r of e.decision.reasons) out(`  - ${r}`);
  }
  if (e.kind === 'cancelled' && sig) {
    // What the stopped call cost is on disk now: say it.
    const rec = e.decision ? svc.store.getDecision(e.decision.id) : undefined;
    const u = rec?.usage;
    const got = u
      ? `tokens in ${u.inputTokens} / out ${u.outputTokens} · cost ${formatUsd(rec?.costUsd ?? null)}`
      : 'nothing had arrived';
    writeErr(`\nllm-router: stopped by ${sig}; recorded what was received (${got}).\n`);
    return;
  }
  warn(`${e.message}${e.kind === 'no-key' ? ' Use --dry-run to record the decision only.' : ''}`);
}

export function register(program: Command): void {
  addDbOption(
    program
      .command('route')
      .description(
        'route a prompt: choose the tier, record the decision, and (unless --dry-run) stream the answer from Anthropic',
      )
      .argument('<text...>', 'the prompt')
      .option('--dry-run', 'decide and record without calling any model')
      .option('--json', 'print the decision (and outcome) as JSON')
      .option('--tier <tier>', 'force a tier: haiku, sonnet or opus')
      .option('--preset <name>', PRESET_HELP)
      .option('--max-tokens <n>', 'max output tokens for the answer')
      .option('--system <text>', 'system prompt')
      .option('--base-url <url>', 'Anthropic API base URL (default: $ANTHROPIC_BASE_URL or the official API)')
      .option(
        '--max-retry-wait <seconds>',
        'longest wait before a retry; a longer retry-after makes another tier answer (default 30)',
      )

      .option(
        '--settings <file>',
        'settings file with tiers and endpoints (default: $LLM_ROUTER_SETTINGS or ~/.config/llm-router/settings.json)',
      ),
  ).action(async (words: string[], opts: Opts) => {
    const prompt = words.join(' ').trim();
    if (!prompt) throw new Error('the prompt is empty: nothing to route');
    configFromOptions(opts); // a bad --preset is an error here, not a warning
    const settings = loadCliSettings({ file: opts.settings, preset: opts.preset, env: env() });
    for (const p of settings.problems) warn(`settings: ${p}`);
    const config = settings.config;
    if (opts.tier && tierIndex(config, opts.tier) < 0)
      throw new Error(`unknown tier "${opts.tier}": use one of ${config.tiers.map((t) => t.id).join(', ')}`);
    let maxTokens: number | undefined;
    if (opts.maxTokens !== undefined) {
      maxTokens = Number(opts.maxTokens);
      if (!Number.isInteger(maxTokens) || maxTokens < 1)
        throw new Error(`--max-tokens: "${opts.maxTokens}" is not a whole number ≥ 1`);
    }
    const maxRetryWaitS = opts.maxRetryWait === undefined ? 30 : Number(opts.maxRetryWait);
    if (!Number.isFinite(maxRetryWaitS) || maxRetryWaitS < 0)
      throw new Error(`--max-retry-wait: "${opts.maxRetryWait}" is not a number of seconds ≥ 0`);
    const store = await openCliStore(opts.db);
    // Opt-in OpenTelemetry export of the decisions (llmRouter.telemetry.* in the settings file).
    const tel = withTelemetry(settings, store, config, { onError: (m) => warn(m), headers: otlpHeaders(env()) ?? {} });
    try {
      await whileStoppable(async (stop) => {
        // A running A/B experiment routes this prompt with its arm's configuration.
        const svc = withWorkspace(
          createExperimentService({ config, store: tel.store }, (m) => warn(m)),
          cliWorkspace,
        );
        const req = { prompt, source: 'cli' as const, override: opts.tier ?? null, maxTokens, system: opts.system };
        if (opts.dryRun) {
          const rec = svc.dryRun(req);
          // Said only once it is on disk: a process killed after this line has the row.
          await saveNow(store, 'the dry run');
          if (opts.json) out(JSON.stringify(rec, null, 2));
          else {
            out(describe(rec, svc.config));
            for (const r of rec.reasons) out(`  - ${r}`);
            out(`recorded as a dry run (${rec.id}); no model was called`);
          }
          return;
        }
        // Each tier's client: Anthropic from ANTHROPIC_API_KEY, OpenAI-compatible endpoints from LLM_ROUTER_KEY_<KEYNAME>.
        // Pooled: breakers and health per backend (kept in the database for `stats`), alternates per tier.
        const clients = cliRouteClients({ ...settings, maxRetryWaitSeconds: maxRetryWaitS }, store, {
          baseUrl: opts.baseUrl,
          env: env(),
        });
        await routeAndReport(svc, req, opts, stop, config.tiers.some((t) => clients(t) !== null) ? clients : null);
      });
    } finally {
      await tel.exporter?.shutdown();
      await closeStore(store);
    }
  });
}
