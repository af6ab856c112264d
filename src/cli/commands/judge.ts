// `llm-router judge --sample N`: asks a judge model whether recorded answers of cheaper tiers were good enough (against
// the top tier's own answer, or on their own), records each verdict as a quality signal, and prints what it found.
// `llm-router judge --report`: per tier and kind of prompt, how often the cheaper tier was judged good enough.
import type { Command } from 'commander';
import { AnthropicClient } from '../../core/provider/anthropic';
import { formatJudgeReport, judgeReport, pickCandidates } from '../../core/judge/report';
import { DEFAULT_JUDGE, judgeAnswer, judgeTier, type JudgeSettings } from '../../core/judge/run';
import { formatUsd, tierLabel } from '../../core/format';
import type { DecisionStore } from '../../core/store/api';
import type { RouterConfig } from '../../core/types';
import { addDbOption, env, openCliStore, out } from '../io';
import { PRESET_HELP, configFromOptions } from './classify';

interface Opts {
  db?: string;
  sample?: string;
  report?: boolean;
  mode?: string;
  tier?: string;
  maxBudgetShare?: string;
  preset?: string;
  baseUrl?: string;
  json?: boolean;
}

function settingsFrom(opts: Opts, config: RouterConfig): JudgeSettings {
  const mode = opts.mode ?? DEFAULT_JUDGE.mode;
  if (mode !== 'compare' && mode !== 'alone') throw new Error(`--mode must be compare or alone, not "${mode}"`);
  const share = opts.maxBudgetShare === undefined ? DEFAULT_JUDGE.maxBudgetShare : Number(opts.maxBudgetShare);
  if (!Number.isFinite(share) || share < 0 || share > 1)
    throw new Error(`--max-budget-share must be a number from 0 to 1, not "${opts.maxBudgetShare}"`);
  const s: JudgeSettings = { ...DEFAULT_JUDGE, mode, maxBudgetShare: share, tier: opts.tier ?? null };
  judgeTier(config, s);
  return s;
}

function sampleSize(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new Error(`--sample must be a whole number from 1 to 1000, not "${v}"`);
  return n;
}

export function register(program: Command): void {
  addDbOption(
    program
      .command('judge')
      .description(
        'ask a judge model whether answers of cheaper tiers were good enough; record and report the verdicts',
      )
      .option('--sample <n>', 'judge the newest N answered decisions of cheaper tiers that have whole prompts')
      .option('--report', 'per tier and kind of prompt, how often the cheaper tier was judged good enough')
      .option(
        '--mode <mode>',
        "compare (with the top tier's own answer) or alone (grade the answer alone)",
        DEFAULT_JUDGE.mode,
      )
      .option('--tier <id>', "the judge's tier (default: the top tier)")
      .option(
        '--max-budget-share <x>',
        "the judge spends at most this share of the monthly limit (or of this month's routing spend)",
        String(DEFAULT_JUDGE.maxBudgetShare),
      )
      .option('--preset <name>', PRESET_HELP)
      .option('--base-url <url>', 'Anthropic API base URL (default: $ANTHROPIC_BASE_URL or the official API)')
      .option('--json', 'print machine-readable JSON'),
  ).action(async (opts: Opts) => {
    if (!opts.sample && !opts.report)
      throw new Error('say what to do: --sample N (judge recorded answers) or --report');
    const config = configFromOptions(opts);
    const settings = settingsFrom(opts, config);
    const n = opts.sample ? sampleSize(opts.sample) : 0;
    const store = await openCliStore(opts.db);
    try {
      if (n) await sample(store, config, settings, n, opts);
      if (opts.report) {
        const r = judgeReport(store);
        if (opts.json) out(JSON.stringify(r, null, 2));
        else for (const l of formatJudgeReport(r, config)) out(l);
      }
    } finally {
      await store.close();
    }
  });
}

async function sample(
  store: DecisionStore,
  config: RouterConfig,
  settings: JudgeSettings,
  n: number,
  opts: Opts,
): Promise<void> {
  const c = pickCandidates(store, config, n);
  if (!c.picked.length) {
    const why = c.withoutPrompt
      ? `${c.withoutPrompt} answered decision${c.withoutPrompt === 1 ? '' : 's'} of cheaper tiers ha${c.withoutPrompt === 1 ? 's' : 've'} only a preview of the prompt`
      : c.answered
        ? 'every answer of a cheaper tier with a whole prompt is judged already'
        : 'there are no answered decisions';
    out(
      `Nothing to judge in ${store.path}: ${why}. The judge needs whole prompts: set llmRouter.promptStorage to "full" (prompts kept from then on).`,
    );
    return;
  }
  const key = env().ANTHROPIC_API_KEY?.trim();
  if (!key) throw new Error('No Anthropic API key: set the ANTHROPIC_API_KEY environment variable. Nothing was sent.');
  const client = new AnthropicClient({ apiKey: key, baseURL: opts.baseUrl || env().ANTHROPIC_BASE_URL || undefined });
  const results = [];
  for (const d of c.picked) {
    const r = await judgeAnswer({ store, config, client, settings }, d, d.prompt as string, null);
    results.push(r);
    if (!opts.json) {
      const v = r.verdict;
      const what =
        r.skipped || !v
          ? `skipped: ${r.skipped}`
          : v.kind === 'none'
            ? `no verdict (${v.why})`
            : `${v.kind === 'good' ? 'good enough' : 'not good enough'} (${v.score})`;
      out(
        `${d.id}  ${tierLabel(config, d.tier)}  ${d.complexity}/${d.category}  ${what}  · judge ${formatUsd(r.costUsd)}`,
      );
    }
    if (r.skipped) break;
  }
  await store.flush();
  if (opts.json) out(JSON.stringify(results, null, 2));
  else {
    const cost = results.reduce((s, r) => s + r.costUsd, 0);
    out(
      `Judged ${results.filter((r) => r.verdict).length} of ${c.picked.length}; the judge cost ${formatUsd(cost)} (recorded apart, never as savings).`,
    );
  }
}
