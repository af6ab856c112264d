// `llm-router demo`: routes a sample of the committed VS Code mix (prompts with the tier a careful engineer would
// pick) with no API call, shows where each goes and why, and what each preset would save against the top tier.
import type { Command } from 'commander';
import prompts from '../demo/prompts.json';
import { defaultConfig } from '../../core/config';
import { decide } from '../../core/policy';
import { PRESET_NAMES, type PresetName } from '../../core/presets';
import { formatUsd } from '../../core/format';
import { createRouterService } from '../../core/service';
import type { Classifier, Decision, RouterConfig, Turn } from '../../core/types';
import { addDbOption, out, withStore } from '../io';
import { PRESET_HELP, classifierFromOptions, configFromOptions } from './classify';

interface DemoPrompt {
  id: string;
  prompt: string;
  tier: string;
  kind: string;
  history?: Turn[];
}

const clip = (s: string, n: number) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one.padEnd(n);
};

interface PresetSummary {
  preset: PresetName;
  counts: number[];
  spend: number;
  baseline: number;
  below: number;
}

/** Each preset on the demo prompts: tier counts, estimated spend, and how many went below the tier they need. */
function summarise(items: readonly DemoPrompt[], classifier: Classifier): PresetSummary[] {
  const cls = items.map((p) => classifier.classify(p.prompt, p.history));
  return PRESET_NAMES.map((preset) => {
    const config = defaultConfig(preset);
    const ds = cls.map((c) => decide(c, config, { id: 'demo', now: 0 }));
    const need = (i: number) => config.tiers.findIndex((t) => t.id === items[i].tier);
    return {
      preset,
      counts: config.tiers.map((_, t) => ds.filter((d) => d.tier === t).length),
      spend: ds.reduce((s, d) => s + (d.estCostUsd ?? 0), 0),
      baseline: ds.reduce((s, d) => s + (d.baselineEstCostUsd ?? 0), 0),
      below: ds.filter((d, i) => d.tier < need(i)).length,
    };
  });
}

function printTable(items: readonly DemoPrompt[], decisions: readonly Decision[], config: RouterConfig): void {
  out(`${'prompt'.padEnd(46)} ${'tier'.padEnd(7)} ${'needs'.padEnd(7)} ${'est. cost'.padStart(10)}  why`);
  out('-'.repeat(120));
  for (const [i, d] of decisions.entries()) {
    const why = d.reasons.slice(-2).join('; ');
    const need = config.tiers.find((t) => t.id === items[i].tier)?.label ?? items[i].tier;
    out(
      `${clip(items[i].prompt, 46)} ${config.tiers[d.tier].label.padEnd(7)} ${need.padEnd(7)} ${formatUsd(d.estCostUsd).padStart(10)}  ${clip(why, 52).trimEnd()}`,
    );
  }
  out('-'.repeat(120));
}

export function register(program: Command): void {
  addDbOption(
    program
      .command('demo')
      .description(
        'route a sample of realistic VS Code chat prompts (no API call) and show what each preset saves against the top tier',
      )
      .option('--preset <name>', PRESET_HELP)
      .option('--strategy <name>', 'classifier strategy: rules or learned')
      .option('--json', 'print the decisions as JSON'),
  ).action(async (opts: { db?: string; preset?: string; strategy?: string; json?: boolean }) => {
    const config = configFromOptions(opts);
    const classifier = classifierFromOptions(config, { strategy: opts.strategy });
    const items = prompts as DemoPrompt[];
    let decisions: Decision[];
    if (opts.db) {
      // Recorded as dry runs in the given database, exactly as `route --dry-run` would.
      decisions = await withStore(opts.db, (store) => {
        const service = createRouterService({ config, store, classifier });
        return items.map((p) => service.dryRun({ prompt: p.prompt, history: p.history, source: 'cli' }));
      });
    } else {
      decisions = items.map((p) => decide(classifier.classify(p.prompt, p.history), config));
    }
    if (opts.json) {
      out(
        JSON.stringify(
          decisions.map((d, i) => ({ promptId: items[i].id, needs: items[i].tier, ...d })),
          null,
          2,
        ),
      );
      return;
    }
    printTable(items, decisions, config);
    out(
      `${items.length} prompts from the VS Code mix, routed with the ${config.preset} preset ("needs": the tier a careful engineer would pick)`,
    );
    out('');
    out(
      `${'preset'.padEnd(10)} ${config.tiers.map((t) => t.label.padStart(7)).join('')}  ${'est. cost'.padStart(10)}  saved vs ${config.tiers[config.tiers.length - 1].label}  below the tier needed`,
    );
    for (const s of summarise(items, classifier)) {
      const saved = s.baseline ? Math.round((100 * (s.baseline - s.spend)) / s.baseline) : 0;
      const mark = s.preset === config.preset ? ' ←' : '';
      out(
        `${s.preset.padEnd(10)} ${s.counts.map((c) => String(c).padStart(7)).join('')}  ${formatUsd(s.spend).padStart(10)}  ${`${saved}%`.padStart(9)}  ${String(s.below).padStart(4)} of ${items.length}${mark}`,
      );
    }
    out(
      `(estimates from prompt length and a typical answer length; prices checked ${config.pricesCheckedAt}; no model was called${opts.db ? `; recorded in ${opts.db}` : ''})`,
    );
  });
}
