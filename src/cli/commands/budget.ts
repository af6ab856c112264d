// `llm-router budget set --daily USD --monthly USD [--on-exhausted block|cheapest]` and `budget status [--json]`.
import { Option, type Command } from 'commander';
import { budgetState, parseUsd } from '../../core/budget';
import { formatUsd, pct } from '../../core/format';
import { dayStart, monthStart } from '../../core/store/days';
import type { DecisionStore } from '../../core/store/api';
import { addDbOption, out, withStore } from '../io';

function status(store: DecisionStore) {
  const now = Date.now();
  const b = store.getBudget();
  const spentToday = store.spendSince(dayStart(now));
  const spentMonth = store.spendSince(monthStart(now));
  const st = budgetState(b, spentToday, spentMonth);
  return {
    state: st?.state ?? 'none',
    spentToday,
    spentMonth,
    dailyLimit: b.dailyLimitUsd,
    monthlyLimit: b.monthlyLimitUsd,
    onExhausted: b.onExhausted,
    usedFraction: st?.usedFraction ?? 0,
    /** Worst cases held by calls under way (in any process) and by interrupted calls, not yet in the spend. */
    heldToday: store.reservations.heldSince(dayStart(now)),
    heldMonth: store.reservations.heldSince(monthStart(now)),
  };
}

function print(s: ReturnType<typeof status>): void {
  const lim = (v: number | null) => (v === null ? 'no limit' : formatUsd(v));
  out(
    `state: ${s.state === 'none' ? 'no budget set' : s.state}${s.state === 'none' ? '' : ` (${pct(s.usedFraction)} used)`}`,
  );
  out(`today: ${formatUsd(s.spentToday)} of ${lim(s.dailyLimit)}`);
  out(`this month: ${formatUsd(s.spentMonth)} of ${lim(s.monthlyLimit)}`);
  if (s.heldMonth > 0)
    out(
      `held: ${formatUsd(s.heldToday)} today, ${formatUsd(s.heldMonth)} this month (worst cases of calls under way or interrupted)`,
    );
  out(`at 100 %: ${s.onExhausted === 'block' ? 'requests are refused' : 'the cheapest tier only'}`);
}

export function register(program: Command): void {
  const budget = program.command('budget').description('daily and monthly spending limits');
  addDbOption(
    budget
      .command('set')
      .description('set the limits (in dollars; "off" for none); a limit not given stays as it is')
      .option('--daily <usd>', 'daily limit in USD')
      .option('--monthly <usd>', 'monthly limit in USD')
      .addOption(
        new Option('--on-exhausted <what>', 'at 100 %: refuse requests, or answer with the cheapest tier only').choices(
          ['block', 'cheapest'],
        ),
      ),
  ).action(async (opts: { db?: string; daily?: string; monthly?: string; onExhausted?: 'block' | 'cheapest' }) => {
    if (opts.daily === undefined && opts.monthly === undefined && opts.onExhausted === undefined) {
      throw new Error('nothing to set: give --daily, --monthly and/or --on-exhausted');
    }
    const daily = opts.daily === undefined ? undefined : parseUsd(opts.daily, '--daily');
    const monthly = opts.monthly === undefined ? undefined : parseUsd(opts.monthly, '--monthly');
    await withStore(opts.db, (store) => {
      const cur = store.getBudget();
      store.setBudget({
        dailyLimitUsd: daily === undefined ? cur.dailyLimitUsd : daily,
        monthlyLimitUsd: monthly === undefined ? cur.monthlyLimitUsd : monthly,
        onExhausted: opts.onExhausted ?? cur.onExhausted,
      });
      print(status(store));
    });
  });
  addDbOption(
    budget
      .command('status')
      .description('spend against the limits, and the state routing is in')
      .option('--json', 'as JSON'),
  ).action(async (opts: { db?: string; json?: boolean }) => {
    await withStore(opts.db, (store) => {
      const s = status(store);
      if (opts.json) out(JSON.stringify(s, null, 2));
      else print(s);
    });
  });
}
