// Per-project spend from a terminal: `llm-router stats --by workspace|client` (and --workspace/--client filters)
// print the split; `llm-router budget workspace set|status` keeps budgets per workspace. The CLI records its own
// requests under the folder it runs in (`llm-router route`, `workflow run`).
import type { Command } from 'commander';
import { formatUsd, pct } from '../../core/format';
import {
  resolveWorkspace,
  setWorkspaceBudget,
  workspaceBudgets,
  workspaceSpend,
  workspaceTag,
} from '../../core/projects/workspace';
import { parseUsd } from '../../core/budget';
import type { BreakdownRow, DecisionStore } from '../../core/store/api';
import type { Source } from '../../core/types';
import { addDbOption, out, withStore } from '../io';

export const CLIENTS: Record<string, Source> = {
  chat: 'chat',
  'model-picker': 'model-provider',
  'model-provider': 'model-provider',
  command: 'command',
  cli: 'cli',
  endpoint: 'endpoint',
};
const CLIENT_NAMES: Partial<Record<string, string>> = {
  'model-provider': 'model picker',
  chat: 'chat',
  command: 'command',
  cli: 'CLI',
  endpoint: 'local endpoint',
};

export function parseClient(v: string): Source {
  const s = CLIENTS[v.trim().toLowerCase()];
  if (!s) throw new Error(`--client: "${v}" is not one of chat, model-picker, command, cli, endpoint`);
  return s;
}

/** The workspace this CLI process works in (the current folder). */
export const cliWorkspace = () => workspaceTag(process.cwd());

export interface SplitOpts {
  by?: string;
  workspace?: string;
  client?: string;
  json?: boolean;
}

/** `stats --by/--workspace/--client`: the split (or the filtered totals) from the detailed rows. */
export function printSplit(store: DecisionStore, opts: SplitOpts, since: number | undefined): void {
  const by = opts.by ?? 'workspace';
  if (by !== 'workspace' && by !== 'client') throw new Error(`--by: "${opts.by}" is not workspace or client`);
  const ws = opts.workspace ? resolveWorkspace(store, opts.workspace) : undefined;
  const source = opts.client ? parseClient(opts.client) : undefined;
  const rows = store.breakdown({ by: by === 'client' ? 'source' : 'workspace', since, workspaceId: ws?.id, source });
  if (opts.json) {
    out(JSON.stringify({ by, workspace: ws ?? null, client: source ?? null, rows }, null, 2));
    return;
  }
  const label = (r: BreakdownRow) =>
    by === 'client'
      ? (CLIENT_NAMES[r.key ?? ''] ?? r.key ?? '?')
      : r.key === null
        ? '(no workspace)'
        : `${r.name} (${r.key.slice(0, 8)})`;
  out(
    `Spend by ${by}${ws ? ` in workspace ${ws.name}` : ''}${source ? ` from ${CLIENT_NAMES[source]}` : ''}${since === undefined ? '' : ` since ${new Date(since).toLocaleString()}`}`,
  );
  if (!rows.length) {
    out('No decisions match.');
    return;
  }
  const total = rows.reduce((s, r) => s + r.spendUsd, 0);
  out(
    `${'name'.padEnd(32)} ${'requests'.padStart(8)} ${'spend'.padStart(11)} ${'share'.padStart(6)} ${'saved'.padStart(11)}`,
  );
  for (const r of rows)
    out(
      `${label(r).padEnd(32)} ${String(r.requests).padStart(8)} ${formatUsd(r.spendUsd).padStart(11)} ${pct(total > 0 ? r.spendUsd / total : 0).padStart(6)} ${formatUsd(r.savedUsd).padStart(11)}`,
    );
  out('(Decisions folded into daily totals by retention are not split.)');
}

export function register(program: Command): void {
  const budget = program.commands.find((c) => c.name() === 'budget');
  if (!budget) throw new Error('the budget command must be registered before per-workspace budgets');
  const w = budget.command('workspace').description('budgets per workspace, on top of the overall one');
  addDbOption(
    w
      .command('set')
      .description('set a workspace\'s limits ("off" for none): at the limit its requests are refused')
      .argument('[workspace]', 'a folder (default: this one), a workspace id, or a recorded folder name', '.')
      .option('--daily <usd>', 'daily limit in USD')
      .option('--monthly <usd>', 'monthly limit in USD'),
  ).action(async (which: string, opts: { db?: string; daily?: string; monthly?: string }) => {
    if (opts.daily === undefined && opts.monthly === undefined)
      throw new Error('nothing to set: give --daily and/or --monthly');
    const daily = opts.daily === undefined ? undefined : parseUsd(opts.daily, '--daily');
    const monthly = opts.monthly === undefined ? undefined : parseUsd(opts.monthly, '--monthly');
    await withStore(opts.db, (store) => {
      const ws = resolveWorkspace(store, which);
      const cur = workspaceBudgets(store)[ws.id];
      setWorkspaceBudget(
        store,
        ws,
        daily === undefined ? (cur?.dailyLimitUsd ?? null) : daily,
        monthly === undefined ? (cur?.monthlyLimitUsd ?? null) : monthly,
      );
      printWorkspaceBudgets(store);
    });
  });
  addDbOption(
    w.command('status').description('each workspace budget with what it spent').option('--json', 'as JSON'),
  ).action(async (opts: { db?: string; json?: boolean }) => {
    await withStore(opts.db, (store) => printWorkspaceBudgets(store, opts.json));
  });
}

function printWorkspaceBudgets(store: DecisionStore, json = false): void {
  const now = Date.now();
  const all = Object.entries(workspaceBudgets(store)).map(([id, b]) => ({
    id,
    ...b,
    spent: workspaceSpend(store, id, now),
  }));
  if (json) {
    out(JSON.stringify(all, null, 2));
    return;
  }
  if (!all.length) {
    out('No workspace budgets. Set one: llm-router budget workspace set . --daily 1');
    return;
  }
  const lim = (v: number | null, s: number) =>
    v === null ? `${formatUsd(s)} (no limit)` : `${formatUsd(s)} of ${formatUsd(v)}`;
  for (const b of all)
    out(
      `${b.name} (${b.id.slice(0, 8)}): today ${lim(b.dailyLimitUsd, b.spent.today)} · this month ${lim(b.monthlyLimitUsd, b.spent.month)}`,
    );
}
