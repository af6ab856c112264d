// `llm-router demo`: routes a shipped, realistic mix of prompts with no API call and shows what it would save.
import type { Command } from 'commander';
import prompts from '../demo/prompts.json';
import { defaultConfig } from '../../core/config';
import { decide } from '../../core/policy';
import { formatUsd } from '../../core/pricing';
import { createRouterService } from '../../core/service';
import { openStore } from '../../core/store';
import type { Decision, Turn } from '../../core/types';
import { addDbOption, out } from '../io';
import { classifierFromOptions } from './classify';

interface DemoPrompt { id: string; prompt: string; history?: Turn[] }

const clip = (s: string, n: number) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one.padEnd(n);
};

export function register(program: Command): void {
  addDbOption(
    program
      .command('demo')
      .description('route a shipped mix of 30 realistic prompts (no API call) and show the savings against the top tier')
      .option('--strategy <name>', 'classifier strategy: rules or learned')
      .option('--json', 'print the decisions as JSON'),
  ).action(async (opts: { db?: string; strategy?: string; json?: boolean }) => {
    const config = defaultConfig();
    const classifier = classifierFromOptions(config, { strategy: opts.strategy });
    const items = prompts as DemoPrompt[];
    let decisions: Decision[];
    if (opts.db) {
      // Recorded as dry runs in the given database, exactly as `route --dry-run` would.
      const store = await openStore({ path: opts.db });
      try {
        const service = createRouterService({ config, store, classifier });
        decisions = items.map((p) => service.dryRun({ prompt: p.prompt, history: p.history, source: 'cli' }));
      } finally {
        await store.close();
      }
    } else {
      decisions = items.map((p) => decide(classifier.classify(p.prompt, p.history), config));
    }
    if (opts.json) {
      out(JSON.stringify(decisions.map((d, i) => ({ promptId: items[i].id, ...d })), null, 2));
      return;
    }
    const top = config.tiers[config.tiers.length - 1];
    out(`${'prompt'.padEnd(46)} ${'tier'.padEnd(7)} ${'kind'.padEnd(18)} conf  ${'est. cost'.padStart(10)}  why`);
    out('-'.repeat(120));
    for (const [i, d] of decisions.entries()) {
      const kind = `${d.complexity}/${d.category}`;
      const why = d.reasons.slice(-2).join('; ');
      out(`${clip(items[i].prompt, 46)} ${config.tiers[d.tier].label.padEnd(7)} ${kind.padEnd(18)} ${d.confidence.toFixed(2)}  ${formatUsd(d.estCostUsd).padStart(10)}  ${clip(why, 60).trimEnd()}`);
    }
    const spend = decisions.reduce((s, d) => s + (d.estCostUsd ?? 0), 0);
    const baseline = decisions.reduce((s, d) => s + (d.baselineEstCostUsd ?? 0), 0);
    const counts = config.tiers.map((t, i) => `${t.label} ${decisions.filter((d) => d.tier === i).length}`).join(' · ');
    out('-'.repeat(120));
    out(`${decisions.length} prompts → ${counts}`);
    out(`estimated cost ${formatUsd(spend)} routed vs ${formatUsd(baseline)} all on ${top.label}: saved ${formatUsd(baseline - spend)} (${baseline ? Math.round((100 * (baseline - spend)) / baseline) : 0}%)`);
    out(`(estimates from prompt length and a typical answer length; prices checked ${config.pricesCheckedAt}; no model was called${opts.db ? `; recorded in ${opts.db}` : ''})`);
  });
}
