// `llm-router calibrate --top-share 0.2 [--apply] [--json]`: thresholds that send that share of recent traffic to the
// top tier, with the expected cost; --apply stores them in the database (the extension and the CLI route with them).
import type { Command } from 'commander';
import { applyThresholds, calibrateFromStore, storedThresholds } from '../../core/calibrate';
import { defaultConfig } from '../../core/config';
import { formatUsd, pct } from '../../core/format';
import { addDbOption, out, withStore } from '../io';

export function register(program: Command): void {
  addDbOption(
    program
      .command('calibrate')
      .description('set thresholds so a chosen share of recent traffic goes to the top tier, showing the expected cost')
      .requiredOption('--top-share <share>', 'share of traffic for the top tier, 0..1 (e.g. 0.2)')
      .option('--recent <n>', 'how many recent decisions to calibrate on', '1000')
      .option('--apply', 'store the thresholds in the database (used by route and the extension)')
      .option('--reset', 'remove calibrated thresholds (back to the configured ones)')
      .option('--json', 'as JSON'),
  ).action(
    async (opts: {
      db?: string;
      topShare: string;
      recent: string;
      apply?: boolean;
      reset?: boolean;
      json?: boolean;
    }) => {
      const share = Number(String(opts.topShare).replace(/%$/, '')) / (String(opts.topShare).endsWith('%') ? 100 : 1);
      if (!Number.isFinite(share) || share < 0 || share > 1)
        throw new Error(`--top-share: "${opts.topShare}" is not a share between 0 and 1 (e.g. 0.2 or 20%)`);
      const recent = Number(opts.recent);
      if (!Number.isInteger(recent) || recent < 1)
        throw new Error(`--recent: "${opts.recent}" is not a whole number ≥ 1`);
      await withStore(opts.db, async (store) => {
        const config = defaultConfig();
        if (opts.reset) {
          store.setMeta('thresholds', '');
          await store.flush();
          out(`calibrated thresholds removed: routing uses ${config.thresholds.join(', ')}`);
          return;
        }
        const stored = storedThresholds(store, config);
        if (stored) config.thresholds = stored;
        const r = calibrateFromStore(store, config, share, recent);
        if (opts.apply) {
          applyThresholds(store, r.thresholds);
          await store.flush();
        }
        if (opts.json) {
          out(JSON.stringify({ ...r, applied: !!opts.apply }, null, 2));
          return;
        }
        out(`from ${r.samples} recent decisions:`);
        out(`thresholds ${r.previous.join(', ')} → ${r.thresholds.join(', ')}`);
        out(
          `top tier: ${pct(r.topShare.byScore, 0)} by score, ${pct(r.topShare.afterPolicy, 0)} after floors and rules (asked ${pct(r.topShare.asked, 0)})`,
        );
        out(`tiers: ${config.tiers.map((t, i) => `${t.label} ${pct(r.tierShares[i], 0)}`).join(' · ')}`);
        out(
          `expected cost per request: ${formatUsd(r.expected.afterUsd)} (now ${formatUsd(r.expected.beforeUsd)}; all on ${config.tiers[config.tiers.length - 1].label} ${formatUsd(r.expected.baselineUsd)})`,
        );
        for (const n of r.notes) out(`note: ${n}`);
        out(
          opts.apply
            ? 'applied: route and the extension use these thresholds now'
            : 'not applied (add --apply to use them)',
        );
      });
    },
  );
}
