// `llm-router retrain [--json] [--allow-step-down]` and `llm-router retrain undo ID`: learning from feedback.
import type { Command } from 'commander';
import { defaultConfig } from '../../core/config';
import { storedThresholds } from '../../core/calibrate';
import { retrain, undoAdjustment } from '../../core/retrain';
import { addDbOption, out, setExitCode, warn, withStore } from '../io';

export function register(program: Command): void {
  const cmd = addDbOption(
    program
      .command('retrain')
      .description('adjust routing from feedback: groups whose answers are consistently bad on a tier go one tier up')
      .option('--json', 'as JSON')
      .option('--allow-step-down', 'also let groups step down a tier where both tiers answer well')
      .option('--list', 'list the adjustments in force (and undone ones) without retraining'),
  ).action(async (opts: { db?: string; json?: boolean; allowStepDown?: boolean; list?: boolean }) => {
    await withStore(opts.db, async (store) => {
      const config = defaultConfig();
      const t = storedThresholds(store, config);
      if (t) config.thresholds = t;
      if (opts.list) {
        const all = store.listAdjustments(true);
        if (opts.json) out(JSON.stringify(all, null, 2));
        else if (!all.length) out('no adjustments yet');
        else
          for (const a of all)
            out(
              `${a.id}  ${a.revertedAt ? 'undone ' : 'active '} ${a.complexity}/${a.category} ${a.kind} → ${config.tiers[a.tier]?.label}: ${a.reason}`,
            );
        return;
      }
      const r = retrain(store, config, { allowStepDown: !!opts.allowStepDown });
      await store.flush();
      if (opts.json) {
        out(JSON.stringify(r, null, 2));
        return;
      }
      if (!r.added.length) out('no change: no group has consistent enough feedback');
      for (const a of r.added)
        out(
          `added ${a.id}: ${a.complexity}/${a.category} ${a.kind === 'raise' ? 'raised' : 'lowered'} to ${config.tiers[a.tier].label} because ${a.reason} (undo: llm-router retrain undo ${a.id})`,
        );
      if (r.report.length) {
        out('');
        for (const l of r.report) out(`  ${l}`);
      }
    });
  });
  addDbOption(
    cmd
      .command('undo')
      .description('undo an adjustment (it stays in the history, marked undone)')
      .argument('<id>', 'adjustment id (or its first 6+ characters)'),
  ).action(async (id: string, _o: unknown, sub: Command) => {
    // --db may be parsed by `retrain` itself (commander reads a parent's options anywhere on the line)
    const opts = sub.optsWithGlobals<{ db?: string }>();
    await withStore(opts.db, async (store) => {
      const a = store.listAdjustments(true).find((x) => x.id === id || (id.length >= 6 && x.id.startsWith(id)));
      if (!undoAdjustment(store, id)) {
        warn(a ? `adjustment ${a.id} is already undone` : `no adjustment with id "${id}"`);
        setExitCode(1);
        return;
      }
      await store.flush();
      out(`undone ${a!.id}: ${a!.complexity}/${a!.category} routes as before (${a!.reason})`);
    });
  });
}
