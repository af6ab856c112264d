// `llm-router experiment create|status|stop|list`: A/B experiments between two routing configurations.
import type { Command } from 'commander';
import { experimentStatus } from '../../core/experiments/analysis';
import {
  createExperiment,
  describeArm,
  findExperiment,
  listExperiments,
  parseArmSpec,
  stopExperiment,
} from '../../core/experiments/definition';
import { experimentHeader, statusLines } from '../../core/experiments/report';
import { addDbOption, out, withStore } from '../io';
import { PRESET_HELP, configFromOptions } from './classify';

const SPEC_HELP =
  'key=value pairs: preset=economy|balanced|quality, thresholds=0.3/0.8, cascade=on|off, tiers=haiku/sonnet';

export function register(program: Command): void {
  const ex = program
    .command('experiment')
    .description('A/B experiments between two routing configurations (one at a time)');

  addDbOption(
    ex
      .command('create')
      .description('start an experiment: each conversation goes to arm a or b by a hash of its first prompt')
      .requiredOption('--name <name>', 'a name for it')
      .requiredOption('--a <spec>', `arm a: ${SPEC_HELP} (empty: your settings)`)
      .requiredOption('--b <spec>', `arm b: ${SPEC_HELP}`)
      .option('--split <share>', 'share of conversations for arm b', '0.5')
      .option('--preset <name>', `the configuration the arms start from: ${PRESET_HELP}`),
  ).action(async (opts: { db?: string; name: string; a: string; b: string; split: string; preset?: string }) => {
    const config = configFromOptions(opts);
    const a = parseArmSpec(opts.a, 'a');
    const b = parseArmSpec(opts.b, 'b');
    const splitB = Number(opts.split);
    await withStore(opts.db, (store) => {
      const e = createExperiment(store, config, { name: opts.name, a, b, splitB });
      for (const l of experimentHeader(e)) out(l);
      out(
        'Requests routed from now on (VS Code and `llm-router route`) are split between the arms. See `llm-router experiment status`.',
      );
    });
  });

  addDbOption(
    ex
      .command('status')
      .description(
        'compare the arms: cost per request, quality, latency and error rate, with counts and 95 % intervals',
      )
      .argument('[experiment]', 'id, id prefix or name (default: the running one, else the latest)')
      .option('--json', 'print machine-readable JSON'),
  ).action(async (which: string | undefined, opts: { db?: string; json?: boolean }) => {
    await withStore(opts.db, (store) => {
      const s = experimentStatus(store, findExperiment(store, which));
      if (opts.json) out(JSON.stringify(s, null, 2));
      else for (const l of statusLines(s)) out(l);
    });
  });

  addDbOption(
    ex
      .command('stop')
      .description('stop an experiment: routing goes back to your settings; its results stay')
      .argument('[experiment]', 'id, id prefix or name (default: the running one)'),
  ).action(async (which: string | undefined, opts: { db?: string }) => {
    await withStore(opts.db, (store) => {
      const e = stopExperiment(store, which);
      out(`Stopped experiment "${e.name}". Its results: llm-router experiment status ${e.id.slice(0, 8)}`);
    });
  });

  addDbOption(ex.command('list').description('every experiment, newest last')).action(async (opts: { db?: string }) => {
    await withStore(opts.db, (store) => {
      const all = listExperiments(store);
      if (!all.length)
        out(
          'No experiments yet. Start one: llm-router experiment create --name NAME --a preset=balanced --b preset=economy',
        );
      for (const e of all)
        out(
          `${e.id.slice(0, 8)}  ${e.stoppedAt === null ? 'running' : 'stopped'}  ${e.name}  (a: ${describeArm(e.arms.a)} · b: ${describeArm(e.arms.b)})`,
        );
    });
  });
}
