// `llm-router stats`: what was routed where, what it cost, what it saved, and how the answers were rated.
import type { Command } from 'commander';
import { defaultConfig } from '../../core/config';
import { formatUsd, pct, tierLabel } from '../../core/format';
import { SINCE_HELP, parseSince } from '../../core/period';
import { addDbOption, out, withStore } from '../io';
import { healthLines, loadHealth } from '../../core/pool/health';
import { printSplit, type SplitOpts } from './projects';

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

export function register(program: Command): void {
  addDbOption(
    program
      .command('stats')
      .description('spend, savings against the top tier, tier distribution and answer quality from the database')
      .option('--json', 'print machine-readable JSON')
      .option('--since <period>', SINCE_HELP, 'all')
      .option('--by <what>', 'split spend by workspace or client')
      .option('--workspace <workspace>', 'only this workspace (a folder, its id or its name)')
      .option('--client <client>', 'only requests from chat, model-picker, command, cli or endpoint'),
  ).action(async (opts: { db?: string; json?: boolean; since?: string } & SplitOpts) => {
    const now = Date.now();
    const since = parseSince(opts.since, now);
    await withStore(opts.db, (store) => {
      if (opts.by || opts.workspace || opts.client) {
        printSplit(store, opts, since);
        return;
      }
      const st = store.stats({ since, now });
      const budget = store.getBudget();
      const config = defaultConfig();
      const label = (t: number) => tierLabel(config, t);
      if (opts.json) {
        out(
          JSON.stringify(
            {
              db: store.path,
              period: {
                since: since === undefined ? null : new Date(since).toISOString(),
                until: new Date(now).toISOString(),
              },
              ...st,
              budget,
              backends: loadHealth(store),
            },
            null,
            2,
          ),
        );
        return;
      }
      out(`Database ${store.path}`);
      out(`Period   ${since === undefined ? 'all history' : `since ${new Date(since).toLocaleString()}`}`);
      out('');
      if (!st.decisions) {
        out(
          'No decisions recorded in this period yet. Try `llm-router demo --db <path>` or `llm-router route --dry-run`.',
        );
        return;
      }
      out(
        `${pad('tier', 8)} ${lpad('decisions', 9)} ${lpad('share', 6)} ${lpad('spend', 11)} ${lpad('thumbs', 9)} ${lpad('up-rate', 7)} ${lpad('auto q.', 7)}`,
      );
      out('-'.repeat(64));
      for (const [k, n] of Object.entries(st.byTier)) {
        const t = Number(k);
        const q = st.qualityByTier.find((x) => x.tier === t);
        out(
          `${pad(label(t), 8)} ${lpad(String(n), 9)} ${lpad(pct(n / st.decisions), 6)} ${lpad(formatUsd(st.spendByTier[t] ?? 0), 11)} ${lpad(`${q?.up ?? 0}↑ ${q?.down ?? 0}↓`, 9)} ${lpad(q?.upRate == null ? '–' : pct(q.upRate), 7)} ${lpad(q?.autoQuality == null ? '–' : q.autoQuality.toFixed(2), 7)}`,
        );
      }
      out('-'.repeat(64));
      out(
        `${pad('total', 8)} ${lpad(String(st.decisions), 9)} ${lpad('100%', 6)} ${lpad(formatUsd(st.spendUsd), 11)} ${lpad(`${st.feedback.up}↑ ${st.feedback.down}↓`, 9)}`,
      );
      out('');
      out(`Requests that reached a model  ${st.requests}`);
      out(
        `Spend                          ${formatUsd(st.spendUsd)}${st.requests ? `  (average ${formatUsd(st.avgCostUsd)} a request)` : ''}`,
      );
      out(`All on ${pad(label(config.tiers.length - 1), 24)}${formatUsd(st.baselineUsd)}`);
      out(`Saved                          ${formatUsd(st.savedUsd)} (${pct(st.savedPct)})`);
      if (st.interrupted)
        out(
          `Interrupted calls              ${st.interrupted} (the process ended before the cost was known: worst case ${formatUsd(st.interruptedHeldUsd)} held against the budget)`,
        );
      if (st.unpriced)
        out(
          `Unpriced requests              ${st.unpriced} (model without a known price: cost unknown, not counted as $0)`,
        );
      const lim = (v: number | null, spent: number) =>
        v === null
          ? `${formatUsd(spent)} (no limit)`
          : `${formatUsd(spent)} of ${formatUsd(v)} (${pct(v > 0 ? spent / v : 1)})`;
      out(`Today                          ${lim(budget.dailyLimitUsd, st.spentTodayUsd)}`);
      out(`This month                     ${lim(budget.monthlyLimitUsd, st.spentMonthUsd)}`);
      if (st.byModel.length) {
        out('');
        out(`${pad('model', 28)} ${lpad('requests', 8)} ${lpad('spend', 11)} ${lpad('saved', 11)}`);
        for (const m of st.byModel)
          out(
            `${pad(m.key, 28)} ${lpad(String(m.requests), 8)} ${lpad(formatUsd(m.spendUsd), 11)} ${lpad(formatUsd(m.savedUsd), 11)}`,
          );
      }
      const backends = loadHealth(store);
      if (backends.length) {
        out('');
        out('Backend health (as last seen by the editor, the CLI or serve)');
        for (const l of healthLines(backends, now)) out(`  ${l}`);
      }
    });
  });
}
