// `llm-router export`: every recorded decision with its cost and latest feedback, as CSV or JSON.
import * as fs from 'node:fs';
import { Option, type Command } from 'commander';
import { exportText } from '../../core/export';
import { addDbOption, out, withStore, write } from '../io';
import { SINCE_HELP, parseSince } from '../../core/period';
import { resolveWorkspace } from '../../core/projects/workspace';
import { parseClient } from './projects';

export function register(program: Command): void {
  addDbOption(
    program
      .command('export')
      .description('export recorded decisions with cost and feedback')
      .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
      .option('--out <file>', 'write to this file instead of standard output')
      .option('--since <period>', SINCE_HELP, 'all')
      .option('--workspace <workspace>', 'only this workspace (a folder, its id or its name)')
      .option('--client <client>', 'only requests from chat, model-picker, command, cli or endpoint'),
  ).action(
    async (opts: {
      db?: string;
      format: 'csv' | 'json';
      out?: string;
      since?: string;
      workspace?: string;
      client?: string;
    }) => {
      const since = parseSince(opts.since);
      const source = opts.client ? parseClient(opts.client) : undefined;
      await withStore(opts.db, async (store) => {
        const workspaceId = opts.workspace ? resolveWorkspace(store, opts.workspace).id : undefined;
        const { text, count: n } = exportText(store, opts.format, since, { workspaceId, source });
        if (opts.out) {
          fs.writeFileSync(opts.out, text);
          out(`exported ${n} decision${n === 1 ? '' : 's'} to ${opts.out}`);
        } else await write(text);
      });
    },
  );
}
